"""The registry's public pages: lists with filters and CSV export, and profiles."""

import collections
import itertools
import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.contrib.postgres.aggregates import StringAgg
from django.db import connection, connections
from django.db.models import Count, Exists, OuterRef, Q, Value, Window
from django.db.models.functions import Collate
from django.http import Http404, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView

from kopnet.cache import page_version, page_version_tokens, page_versions
from kopnet.filters import matches_first
from kopnet import policy
from kopnet.lists import CSV_CHUNK, RegistryListView, csv_bool, csv_bool_where
from kopnet.models import Verification
from kopnet.services import StaleVersion, changed_since, latest_revision, pending_revision
from kopnet.views import verified_email_required
from registry import services
from registry.filters import CooperativeFilter, PartnerFilter
from registry.forms import AsOfForm, CooperativeForm, CooperativeSearchForm, RepresentationRequestForm
from registry.models import (
    Cooperative,
    CooperativeSearchRow,
    Partner,
    Representation,
    Sector,
    Tier,
    federation_levels,
    kept_member_ids,
    search_rows_serve,
    successor_of,
    with_member_previews,
    with_sector_labels,
)
from registry.places import within
from registry.policy import VerifiedRules, acts_for
from registry.sections import kept_list_count, profile_sections

# Direct members of a federation shown with a few of their own members each.
MEMBER_PREVIEW_SIZE = 5
# What the members table shows of each member: a page of 50 rows reads these columns only.
MEMBER_COLUMNS = ("slug", "name", "tier", "member_count", "verification", "province__name")


# A province's code, as the list's province filter takes it.
PROVINCE_CODE = re.compile(r"[0-9]{2}")


class CooperativeListView(RegistryListView):
    model = Cooperative
    filterset_class = CooperativeFilter
    template_name = "registry/cooperative_list.html"
    csv_name = "koperasi"
    profile_page = "registry:cooperative_detail"
    csv_header = (
        "slug", "name", "short_name", "tier", "type", "sectors", "province_code", "province", "regency",
        "country", "scope", "status", "members", "founded", "nik", "legal_number", "verified",
    )  # fmt: skip
    csv_tail = ("regency_code",)

    def get_queryset(self):
        return Cooperative.objects.visible_to(self.request.user).for_rows()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if context["object_list"] is not None:
            with_sector_labels(context["object_list"])
        return context

    def get_paginator(self, queryset, *args, **kwargs):
        paginator = super().get_paginator(queryset, *args, **kwargs)
        text = getattr(self.filterset.form, "cleaned_data", {}).get("q") or ""
        if VerifiedRules.sees_only_verified(self.request.user) and search_rows_serve(text):
            # A visitor's search counts and sorts the narrow search rows, through the
            # same filters and order, and reads the page's cooperatives by key.
            rows = CooperativeSearchRow.objects.visible_to(self.request.user)
            paginator.keys = self.filterset.filter_queryset(rows)
        return paginator

    def known_count(self):
        """A visitor's count of verified cooperatives, where an app above keeps it."""
        if not VerifiedRules.sees_only_verified(self.request.user):  # officials also list their pending ones
            return None
        filters = self.filterset.form.cleaned_data if self.filterset.is_bound else {}
        return kept_list_count(Cooperative, filters)

    @staticmethod
    def page_versions(request):
        """What a visitor's page is cached by (kopnet.models.PageVersion): a list
        filtered to a province by that province's list version, any other by the
        version of every list of cooperatives; both by the reference data's."""
        province = request.GET.get("province", "")
        listed = f"lc:{province}" if PROVINCE_CODE.fullmatch(province) else "lc"
        return page_version_tokens(request, listed, "r")

    csv_columns = (
        "slug", "name", "short_name", "tier", "type", "csv_sectors", "province_id", "province__name", "regency",
        "country", "scope", "status", "member_count", "founded", "nik", "legal_number", "csv_verified",
        "regency_place_id",
    )  # fmt: skip

    def csv_rows(self, queryset):
        """The rows as the database gives them, in the header's order: no model
        instances and no Python per row (which cost more than the query). Empty
        values come as None and dates as dates: the CSV writes them empty and ISO."""
        verified = csv_bool_where(Q(verification=Verification.VERIFIED))
        rows = queryset.prefetch_related(None).annotate(csv_verified=verified)
        if connections[queryset.db].vendor == "postgresql":
            # Grouped by cooperative, which drops the model's default order: kept explicit.
            # The filters join no sectors (Exists), so each is aggregated once.
            rows = rows.annotate(csv_sectors=sector_slugs()).order_by(*ordering_of(queryset))
            return rows.values_list(*self.csv_columns).iterator(chunk_size=CSV_CHUNK)
        rows = rows.annotate(csv_sectors=Value("")).values_list("pk", *self.csv_columns)
        return with_sectors_by_chunk(rows.iterator(chunk_size=CSV_CHUNK))


def sector_slugs():
    """The slugs of a cooperative's sectors, sorted and joined with "|" (NULL for
    none), on PostgreSQL: sorted by code point ("C"), as Python sorts them.

    An aggregate over the cooperatives joined to their sectors: one pass for a
    national export, where a query per chunk of 2,000 keys took half of its time
    and a subquery per row twice the time of the join."""
    return StringAgg("sectors__slug", "|", order_by=Collate("sectors__slug", "C"))


def ordering_of(queryset):
    """The order of a queryset's rows: its own, or its model's default."""
    return queryset.query.order_by or queryset.model._meta.ordering


def with_sectors_by_chunk(rows):
    """CooperativeListView's CSV rows, each after its key, with their sectors filled
    in: on a database that does not sort inside an aggregate (SQLite), the sectors
    of each chunk of rows come in one query."""
    through = Cooperative.sectors.through
    slug_of = dict(Sector.objects.values_list("pk", "slug"))
    while chunk := list(itertools.islice(rows, CSV_CHUNK)):
        sectors = collections.defaultdict(list)
        links = through.objects.filter(cooperative_id__in=[row[0] for row in chunk])
        for cooperative_id, sector_id in links.values_list("cooperative_id", "sector_id"):
            sectors[cooperative_id].append(slug_of[sector_id])
        for pk, *row in chunk:
            row[5] = "|".join(sorted(sectors[pk]))
            yield row


class PartnerListView(RegistryListView):
    model = Partner
    filterset_class = PartnerFilter
    template_name = "registry/partner_list.html"
    page_keys = ("lp", "r")
    csv_name = "mitra"
    profile_page = "registry:partner_detail"
    csv_header = ("slug", "name", "kind", "country", "province_code", "registration_number", "website", "verified")
    csv_tail = ("regency_code",)

    def csv_row(self, partner):
        return (
            partner.slug,
            partner.name,
            partner.kind,
            partner.country.code,
            partner.province_id or "",
            partner.registration_number,
            partner.website,
            csv_bool(partner.is_verified),
            partner.regency_place_id or "",
        )


def members_page(request, load):
    """The page of a federation's members that the `page` parameter names, with how
    many there are: `load(offset, limit)` gives a page's members and their number in
    one query (a window count: a federation's members are some thousands at most, so
    the rows before a page cost little to skip). A page number that is not a page of
    them is a 404."""
    size = settings.KOPNET_PAGE_SIZE
    value = request.GET.get("page") or "1"
    number = int(value) if value.isascii() and value.isdigit() and len(value) < 16 else 0
    rows, total = load((number - 1) * size, size) if number else ([], 0)
    if number < 1 or (number > 1 and not rows):
        raise Http404(_("There is no such page of members."))
    paginator = Paginator(rows, size)
    paginator.count = total
    return Page(rows, number, paginator)


def federation_tree(cooperative, levels):
    """The levels of federation_levels() as a tree: each federation with those above it.

    A federation reached by two paths appears under both; the levels are few and
    bounded, so the tree stays small.
    """

    def above(depth, member_id):
        if depth == len(levels):
            return []
        return [
            {"federation": edge.federation, "above": above(depth + 1, edge.federation_id)}
            for edge in levels[depth]
            if edge.member_id == member_id
        ]

    return above(0, cooperative.pk)


class MovedMixin:
    """A record's page at an address the record left answers 301 with the same page of
    the record that answers for it now (moved()). Asked only when the page would be a
    404: no query more for the rest."""

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            return moved(request, self.model, kwargs)


def moved(request, model, kwargs):
    """The 301 to the same address with the slug of the record that answers for
    kwargs["slug"] now (registry.models.successor_of): the survivor of a merged
    duplicate, or the record whose slug a curator changed; the query string goes
    along. Http404 when there is none, or none this reader may see."""
    successor = successor_of(model, kwargs.get("slug", ""))
    if successor is None or not policy.may(request.user, "view", successor):
        raise Http404
    url = reverse(request.resolver_match.view_name, kwargs={**kwargs, "slug": successor.slug})
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)


class AsOfMixin:
    """A record's page read as on a past day (`?as_of=YYYY-MM-DD`, AsOfForm): the
    record gets `as_of`, the day or None, which what the page shows of its relations
    (federations, members, partnerships) follows; a wrong day answers 400 with the
    form's message at the field, and the page as of today."""

    # The page cache keys visitors' pages by the day too (kopnet.cache).
    cache_params = ("as_of",)

    def get_object(self, queryset=None):
        record = super().get_object(queryset)
        self.as_of_form = AsOfForm(self.request.GET, record)
        record.as_of = self.as_of_form.day()
        return record

    def get_context_data(self, **kwargs):
        kwargs["as_of_form"] = self.as_of_form
        as_of = self.object.as_of
        # What the page's links to its parts and lists add to keep the day.
        kwargs["as_of_query"] = f"?as_of={as_of.isoformat()}" if as_of else ""
        return super().get_context_data(**kwargs)

    def render_to_response(self, context, **kwargs):
        if self.as_of_form.errors:
            kwargs["status"] = 400
        return super().render_to_response(context, **kwargs)


class RegistryDetailView(MovedMixin, AsOfMixin, DetailView):
    """A record's profile, with the sections other apps add to it (registry.sections);
    records the reader may not see answer 404."""

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user).for_detail()

    def get_context_data(self, **kwargs):
        kwargs["show_verification"] = policy.sees_everything(self.request.user, self.model)
        context = super().get_context_data(**kwargs)
        sections = profile_sections(self.model)
        for section in sections:
            context.update(section.context(self.request, self.object))
        context["profile_sections"] = [section.template_name for section in sections if section.place == "end"]
        context["profile_headings"] = [section.template_name for section in sections if section.place == "heading"]
        context["profile_head"] = [section.template_name for section in sections if section.place == "head"]
        return context


def cooperative_versions(slug):
    keys = page_version("c", "pk"), page_version("f"), page_version("r")
    return Cooperative.objects.filter(slug=slug).values_list(*keys)


def partner_versions(slug):
    return Partner.objects.filter(slug=slug).values_list(page_version("p", "pk"), page_version("r"))


class CooperativeDetailView(RegistryDetailView):
    model = Cooperative
    template_name = "registry/cooperative_detail.html"

    @staticmethod
    def page_versions(request, slug):
        """What a visitor's page is cached by (kopnet.models.PageVersion): its own
        page's version, the federations', everything's (its members and suggested
        partners are pages of their own, cooperative_members and
        partnerships:cooperative_suggestions)."""
        return page_versions(request, cooperative_versions, slug)

    def get_queryset(self):
        # Whether the reader acts for it (the "Edit profile" link), in the same query.
        officials_own = acts_for(self.request.user).filter(pk=OuterRef("pk"))
        return super().get_queryset().annotate(reader_is_official=Exists(officials_own))

    def get_context_data(self, **kwargs):
        coop = self.object
        visible = Cooperative.objects.visible_to(self.request.user)
        levels = federation_levels(coop, visible, on=coop.as_of)
        kwargs["federations"] = federation_tree(coop, levels)
        # Its members as counted today (kept on the row), or on the day asked for.
        members = coop.member_count
        if coop.as_of and coop.is_federation:
            members = visible.members_of(coop, on=coop.as_of).count()
        kwargs["member_count"] = members
        if coop.reader_is_official:
            # Its officials see what became of their latest proposed change.
            kwargs["latest_change"] = latest_revision(coop)
        return super().get_context_data(**kwargs)


class CooperativeSectionView(MovedMixin, DetailView):
    """A part of a cooperative's profile as a page of its own, which the profile fetches
    for its element of the same id (templates/_deferred_section.html); a cooperative the
    reader may not see answers 404, as its profile does."""

    model = Cooperative
    context_object_name = "cooperative"
    section_name = ""  # its heading in the breadcrumb and the title
    versions_of = None  # slug -> values_list of its page_version()s (kopnet.cache.page_versions)

    @classmethod
    def page_versions(cls, request, slug):
        return page_versions(request, cls.versions_of, slug)

    def get_queryset(self):
        return Cooperative.objects.visible_to(self.request.user)


class CooperativeMembersView(AsOfMixin, CooperativeSectionView):
    """A federation's member cooperatives, a page of them at a time, each member
    federation with its first few members. A primary cooperative has no such page.

    The profile now fetches it: with the table in it, the 20 busiest profiles took
    36.9 ms cold in make bench (bench/RESULTS.md at 56460b0), without it 22.9 ms (at
    ae83a65)."""

    template_name = "registry/cooperative_members.html"
    section_name = gettext_lazy("Member cooperatives")
    versions_of = staticmethod(cooperative_versions)
    # The query parameters the page reads: the page cache keys visitors' pages by them alone.
    cache_params = ("page", "as_of")

    def get_queryset(self):
        return super().get_queryset().exclude(tier=Tier.PRIMER)

    def get_context_data(self, **kwargs):
        user, federation = self.request.user, self.object
        on = federation.as_of
        visible = Cooperative.objects.visible_to(user)
        members = visible.select_related("province").only(*MEMBER_COLUMNS)

        def counted(offset, limit):
            # By name through expressions no index provides (matches_first): the window
            # count reads every member anyway, and left to itself PostgreSQL walks the
            # name index of all 240,000 cooperatives testing each (EXPLAIN ANALYZE on
            # kopnet_bench: 786 ms for a federation of 3,277 members, 23 ms sorting them).
            ordered = matches_first(members.members_of(federation, on=on).order_by("name", "id"))
            rows = list(ordered.annotate(kn_total=Window(Count("pk")))[offset : offset + limit])
            return rows, (rows[0].kn_total if rows else 0)

        def kept(offset, limit):
            # A visitor's, on PostgreSQL: the kept rows of the verified members
            # (kept_member_ids), then the page's members by key. The 20 largest
            # federations' first pages on kopnet_bench, cold, alternating in one
            # process: 33.1 -> 21.2 ms p50 (the members' query was 15 ms of it).
            ids, total = kept_member_ids(federation.pk, offset, limit)
            found = members.in_bulk(ids)
            return [found[pk] for pk in ids if pk in found], total

        # The kept rows are today's members: a past day's are counted.
        kept_rows = connection.vendor == "postgresql" and VerifiedRules.sees_only_verified(user) and on is None
        page = members_page(self.request, kept if kept_rows else counted)
        page.object_list = with_member_previews(page.object_list, visible, MEMBER_PREVIEW_SIZE, on=on)
        kwargs["members_page"] = page
        kwargs["show_verification"] = policy.sees_everything(user, Cooperative)
        return super().get_context_data(**kwargs)


class PartnerDetailView(RegistryDetailView):
    model = Partner
    template_name = "registry/partner_detail.html"

    @staticmethod
    def page_versions(request, slug):
        return page_versions(request, partner_versions, slug)


# --- officials: representation requests, new cooperatives, profile edits -------------

# The representation picker shows this many matches; more means: type more.
PICKER_RESULTS = 20


@verified_email_required
def representation_request(request):
    """Search the verified cooperatives and ask to represent one (no JavaScript needed)."""
    form = RepresentationRequestForm(request.POST or None)
    # The chosen cooperative's search comes back with the POST, so an error keeps the results.
    search = CooperativeSearchForm(request.GET if request.method == "GET" else {"q": request.POST.get("q", "")})
    if request.method == "POST" and form.is_valid():
        cooperative = form.cleaned_data["cooperative"]
        try:
            services.representation_request(user=request.user, cooperative=cooperative)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                _("You asked to represent %(name)s. Dekopin's curators will decide; your dashboard shows the state.")
                % {"name": cooperative.name},
            )
            # Back to their dashboard, which shows the request waiting.
            return redirect(settings.LOGIN_REDIRECT_URL)
    results, more, open_states = [], False, {}
    query = search.cleaned_data.get("q", "") if search.is_valid() else ""
    if query:
        matches = list(
            Cooperative.objects.verified().search(query).select_related("province").order_by("name", "id")[
                : PICKER_RESULTS + 1
            ]
        )
        results, more = matches[:PICKER_RESULTS], len(matches) > PICKER_RESULTS
        open_states = dict(
            Representation.objects.open()
            .filter(user=request.user, cooperative__in=[coop.pk for coop in results])
            .values_list("cooperative_id", "state")
        )
    for coop in results:
        coop.my_representation = open_states.get(coop.pk, "")
    status = 400 if form.errors or search.errors else 200
    context = {"form": form, "search": search, "query": query, "results": results, "more": more}
    return render(request, "registry/representation_request.html", context, status=status)


@verified_email_required
def cooperative_create(request):
    """Register a cooperative that is not in the registry yet; it waits for verification."""
    form = CooperativeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cooperative = services.cooperative_register(
                user=request.user, cooperative=form.save(commit=False), sectors=form.cleaned_data["sectors"]
            )
        except ValidationError as error:  # another registration took its NIK Koperasi meanwhile
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(name)s is registered and waits for verification by Dekopin's curators, who also decide on your request to represent it.")
                % {"name": cooperative.name},
            )
            return redirect("registry:cooperative_detail", slug=cooperative.slug)
    return render(
        request, "registry/cooperative_form.html", {"form": form}, status=400 if form.is_bound else 200
    )


@login_required
def cooperative_update(request, slug):
    """Its officials keep a cooperative's profile current; anyone else gets 404.

    A verified cooperative's edit waits for the curators as a pending change (the
    form opens with it); visitors keep seeing the verified profile.
    """
    cooperative = get_object_or_404(Cooperative.objects.all(), slug=slug)
    if not policy.may(request.user, "edit", cooperative):
        raise Http404(_("No cooperative you may edit has this address."))
    verified = cooperative.is_verified
    pending = pending_revision(cooperative) if verified else None
    initial = {}
    if pending is not None:
        related = pending.apply_to(cooperative)
        if "sectors" in related:
            initial["sectors"] = related["sectors"]
    form = CooperativeForm(request.POST or None, instance=cooperative, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.cooperative_update(
                user=request.user,
                cooperative=form.save(commit=False),
                sectors=form.cleaned_data["sectors"],
                version=form.opened_version,
            )
        except StaleVersion as error:
            current = Cooperative.objects.get(pk=cooperative.pk)
            form.refuse_stale(error, current, changed_since(current, form.opened_version))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if outcome == services.PROPOSED:
                messages.info(
                    request,
                    _("Your changes to %(name)s wait for Dekopin's curators. Visitors see the verified profile until a curator verifies them.")
                    % {"name": cooperative.name},
                )
            elif outcome == services.SAVED:
                messages.success(request, _("The profile of %(name)s is saved.") % {"name": cooperative.name})
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("registry:cooperative_detail", slug=cooperative.slug)
    context = {"form": form, "cooperative": cooperative, "verified": verified, "pending": pending}
    return render(request, "registry/cooperative_form.html", context, status=400 if form.is_bound else 200)


# --- Places ------------------------------------------------------------------------------


def places(request):
    """The places within one (`?within=32`, `32.04` or `32.04.05`), by name, for the
    place pickers (static/js/places.js): [{code, name}]. Reference data, the same
    for everyone; a code of no place has none within it."""
    rows = within(request.GET.get("within", ""))
    if rows is None:
        message = _("Name a province (32), a regency or city (32.04) or a district (32.04.05) by its code.")
        return JsonResponse({"errors": {"within": [message]}}, status=400)
    response = JsonResponse({"results": [{"code": code, "name": name} for code, name in rows]})
    response["Cache-Control"] = "public, max-age=3600"
    return response
