"""The public partnership pages: the home page, the list with its CSV, a partnership's
record, its documents, the statistics, and a cooperative's network and suggested
partners. What a reader may see is decided by
Partnership.objects.visible_to(); the query shapes live in partnerships.selectors."""

import os

from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView

from kopnet import links, policy
from kopnet.cache import page_version, page_versions
from kopnet.lists import EXPORT_FORMATS, RegistryListView, csv_bool
from partnerships import search as registry_search
from partnerships import selectors
from partnerships.filters import PartnershipFilter
from partnerships.forms import ProvinceForm
from partnerships.models import Confirmation, Partnership
from partnerships.policy import party_name
from registry.models import Cooperative, Partner
from registry.policy import acting_for_ids
from registry.views import AsOfMixin, CooperativeSectionView, MovedMixin, partner_versions


EXTENSIONS = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}
# The home page names the provinces with the most verified cooperatives, this many.
TOP_PROVINCES = 10


def home(request):
    """The registry at a glance: what is verified, where, and a way in.

    The cooperatives' numbers are the statistics page's (kept by PostgreSQL as the
    data changes): counting 250,000 cooperatives by tier, type and province took
    about 250 ms of a cold home page.
    """
    counts = selectors.statistics_counts()
    cooperatives = selectors.cooperative_statistics(counts)
    partnerships = selectors.home_partnerships(counts)
    return render(
        request,
        "partnerships/home.html",
        {
            "cooperatives": cooperatives,
            "top_provinces": cooperatives["provinces"][:TOP_PROVINCES],
            "partner_count": Partner.objects.verified().count(),
            "partnerships": partnerships,
            # When what the page counts last changed (one query, three index lookups).
            "as_of": selectors.data_as_of(Cooperative, Partner, Partnership),
            # Drawn by js/charts.js; the table beside it is the record.
            "years_chart": {
                "axis": "x",
                "labels": [str(year) for year, _count in partnerships["years"]],
                "values": [count for _year, count in partnerships["years"]],
                "colours": ["#1f5fbf"] * len(partnerships["years"]),
            },
        },
    )


def search(request):
    """One search across cooperatives, partners and partnerships (partnerships.search):
    an exact reference or NIK Koperasi goes to its record; a text too long or with a
    NUL character is a 400 with a message, one too short a prompt."""
    text = " ".join(request.GET.get("q", "").split())
    context = {"q": text, "groups": None, "problem": None}
    status = 200
    if "\x00" in text or len(text) > registry_search.LONGEST:
        context["problem"] = _("Search for at most %(count)s characters of text.") % {"count": registry_search.LONGEST}
        context["q"], status = "", 400
    elif len(text) < registry_search.SHORTEST:
        if text:
            context["problem"] = _("Type at least two letters or digits.")
    elif address := registry_search.exact_record(request.user, text):
        return redirect(address)
    else:
        context["groups"] = registry_search.search(request, text)
    return render(request, "partnerships/search.html", context, status=status)


def joined(values):
    return "|".join(values)


class PartnershipListView(RegistryListView):
    model = Partnership
    filterset_class = PartnershipFilter
    template_name = "partnerships/partnership_list.html"
    # Visitors' pages are cached by the list's page version (kopnet.models.PageVersion).
    page_keys = ("l", "r")
    csv_name = "kerjasama"
    profile_page = "partnerships:partnership_detail"
    xlsx_dates = ("start_date", "end_date")
    csv_header = (
        "reference", "title", "category", "direction", "international", "status", "start_date", "end_date",
        "parties", "objectives", "fields", "new_entity", "new_entity_name", "verified",
    )  # fmt: skip
    # Added later, after the address (issue 13): the new entity's kind and page, the
    # corroboration level.
    csv_tail = ("new_entity_kind", "new_entity_url", "corroboration")

    def get_queryset(self):
        visible = Partnership.objects.visible_to(self.request.user)
        if self.request.GET.get("format") in EXPORT_FORMATS:
            return selectors.partnerships_for_export(visible)
        return selectors.partnerships_for_list(visible)

    def known_count(self):
        # Filtered to a province: PostgreSQL keeps the counts (0013_province_rows).
        return selectors.kept_province_count(self.request.user, self.filterset.given())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Filtered to a province: its feed beside the feed of all (partnerships/feeds.py).
        context["feed_province"] = self.filterset.given().get("province") if not context.get("problems") else None
        return context

    def csv_row(self, partnership):
        return (
            partnership.reference,
            partnership.title,
            partnership.category,
            partnership.direction,
            csv_bool(partnership.international),
            partnership.status,
            partnership.start_date.isoformat(),
            partnership.end_date.isoformat() if partnership.end_date else "",
            joined(party_name(self.request.user, party) for party in partnership.parties.all()),
            joined(objective.slug for objective in partnership.objectives.all()),
            joined(field.slug for field in partnership.fields.all()),
            csv_bool(partnership.new_entity),
            partnership.new_entity_name,
            csv_bool(partnership.is_verified),
            partnership.new_entity_kind,
            self.entity_url(partnership.new_entity_record),
            partnership.corroboration,
        )

    def entity_url(self, record):
        """The address of a new entity's record, when this reader may read its name."""
        if record is None or not policy.may(self.request.user, "name", record):
            return ""
        route = "registry:cooperative_detail" if isinstance(record, Cooperative) else "registry:partner_detail"
        return settings.SITE_URL.rstrip("/") + links.url_of(route, record.slug)


def partnership_versions(reference):
    return Partnership.objects.filter(reference=reference).values_list(page_version("k", "pk"), page_version("r"))


class PartnershipDetailView(DetailView):
    """A partnership's record; one the reader may not see answers 404."""

    model = Partnership
    template_name = "partnerships/partnership_detail.html"
    context_object_name = "partnership"
    slug_field = "reference"
    slug_url_kwarg = "reference"

    @staticmethod
    def page_versions(request, reference):
        """What a visitor's page is cached by (kopnet.models.PageVersion)."""
        return page_versions(request, partnership_versions, reference)

    def get_queryset(self):
        return selectors.partnership_for_detail(Partnership.objects.visible_to(self.request.user))

    def get_context_data(self, **kwargs):
        user = self.request.user
        kwargs["may_edit"] = policy.may(user, "edit", self.object)
        kwargs["initiator_party"] = next(
            (party for party in self.object.parties.all() if party.cooperative_id == self.object.initiator_id), None
        )
        kwargs["show_verification"] = policy.sees_everything(user, Partnership)
        kwargs["as_of"] = partnership_as_of(self.object)
        # The reader's cooperatives whose answer is awaited: the page says where to give it.
        mine = acting_for_ids(user)
        kwargs["answer_awaited"] = [
            party.cooperative for party in self.object.parties.all()
            if party.cooperative_id in mine and party.confirmation == Confirmation.PENDING
        ]  # fmt: skip
        if self.object.is_verified and policy.may(user, "reason", self.object):
            kwargs["change"] = selectors.latest_change(self.object)
        return super().get_context_data(**kwargs)


def partnership_as_of(partnership):
    """When what the page shows last changed: the partnership or the verified record
    of one of its parties, which the page names (loaded with it: no query). An
    unverified party's record is not shown, and its changes say nothing."""
    records = [partnership]
    for party in partnership.parties.all():
        records += [record for record in (party.cooperative, party.partner) if record and record.is_verified]
    return max(record.updated_at for record in records)


# --- a cooperative's network and suggested partners ---------------------------------
# Parts of the cooperative's profile that are pages of their own: the profile fetches
# them once it has loaded (kopnet.js, templates/_deferred_section.html) and links to
# them for readers without JavaScript. The costliest parts of the profile (the
# suggestions took half of a cold profile's time) no longer hold it up, and a write
# that changes only them (a cooperative in the province's suggestion pool) leaves the
# profile cached.


def network_versions(slug):
    """A network shows the cooperative's partnerships and their other parties, whose
    writes all change the cooperative's own page key (partnerships/migrations/0009)."""
    return Cooperative.objects.filter(slug=slug).values_list(page_version("c", "pk"))


def suggestion_versions(slug):
    """Suggestions show the province's pool ("s"), the federations ("f"), sectors ("r")."""
    keys = page_version("c", "pk"), page_version("s", "province_id"), page_version("f"), page_version("r")
    return Cooperative.objects.filter(slug=slug).values_list(*keys)


class CooperativeNetworkView(AsOfMixin, CooperativeSectionView):
    template_name = "partnerships/cooperative_network.html"
    section_name = gettext_lazy("Partnership network")
    versions_of = staticmethod(network_versions)

    def get_context_data(self, **kwargs):
        kwargs["network"] = selectors.cooperative_network(self.object, self.request.user, on=self.object.as_of)
        return super().get_context_data(**kwargs)


class PartnerNetworkView(MovedMixin, AsOfMixin, DetailView):
    """A partner's partnership network as a page of its own, which the partner's
    profile fetches (as a cooperative's): the same picture, centred on the partner.
    Cached for visitors by the partner's page versions, which its partnerships change."""

    model = Partner
    context_object_name = "partner"
    template_name = "partnerships/partner_network.html"

    @staticmethod
    def page_versions(request, slug):
        return page_versions(request, partner_versions, slug)

    def get_queryset(self):
        return Partner.objects.visible_to(self.request.user)

    def get_context_data(self, **kwargs):
        kwargs["network"] = selectors.partner_network(self.object, self.request.user, on=self.object.as_of)
        return super().get_context_data(**kwargs)


class CooperativeSuggestionsView(CooperativeSectionView):
    template_name = "partnerships/cooperative_suggestions.html"
    section_name = gettext_lazy("Suggested partners")
    versions_of = staticmethod(suggestion_versions)

    def get_queryset(self):
        return super().get_queryset().for_detail()  # its province and sectors

    def get_context_data(self, **kwargs):
        suggestions = selectors.cooperative_suggestions(self.object, self.request.user)
        kwargs["suggested_horizontal"], kwargs["suggested_vertical"] = suggestions
        return super().get_context_data(**kwargs)


DOCUMENT_POLICY = "sandbox; default-src 'none'"


def document_download(request, reference, pk):
    """An agreement document, as an attachment, for those who may see its partnership."""
    document = selectors.document_for_download(request.user, reference, pk)
    if document is None:
        raise Http404(_("There is no such document."))
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as error:
        raise Http404(_("There is no such document.")) from error
    response = FileResponse(
        handle, as_attachment=True, filename=download_name(document), content_type=document.content_type
    )
    # Should a browser render it anyway (a PDF viewer, a mislabelled file), it runs in a
    # sandbox with nothing allowed: no scripts, no requests, no KopNet cookies' origin.
    response["Content-Security-Policy"] = DOCUMENT_POLICY
    response["X-Content-Type-Options"] = "nosniff"
    return response


def download_name(document):
    """The uploader's file name with the extension of the type its content proved to be:
    a PDF uploaded as "x.html" downloads as "x.pdf", never as a page to open."""
    stem = os.path.splitext(document.original_name)[0].strip() or document.title.strip() or "dokumen"
    return stem[:150] + EXTENSIONS.get(document.content_type, "")


def statistics(request):
    partnerships, cooperatives = selectors.statistics()
    return render(
        request,
        "partnerships/statistics.html",
        {
            "partnerships": partnerships,
            "cooperatives": cooperatives,
            "province_form": ProvinceForm.of(cooperatives["tiles"]),
            "sections": chart_sections(partnerships, cooperatives),
            # The page counts verified partnerships and cooperatives: when they last changed.
            "as_of": selectors.data_as_of(Cooperative, Partnership),
        },
    )


def province_statistics(request):
    """A province's verified cooperatives by regency/city (`?province=32`), each number
    opening the list it counts. Without a province: the form; a wrong one: the form
    with its message, a 400."""
    form = ProvinceForm(request.GET or None)
    context = {"form": form}
    if form.is_valid():
        province = form.cleaned_data["province"]
        regencies, uncoded = selectors.regency_statistics(province)
        context |= {"province": province, "regencies": regencies, "uncoded": uncoded}
        context["list_url"] = f"{reverse('registry:cooperative_list')}?{urlencode({'province': province.pk})}"
    return render(request, "partnerships/province_statistics.html", context, status=400 if form.errors else 200)


def chart_sections(partnerships, cooperatives):
    """The statistics page's sections: a table (the numbers) and a chart (the same numbers drawn)."""
    partnership_list, cooperative_list = "partnerships:partnership_list", "registry:cooperative_list"
    sections = [
        ("partnerships-category", _("Partnerships by category"), _("Category"), partnerships["categories"], partnership_list, "category", "x"),
        ("partnerships-direction", _("Partnerships by direction"), _("Direction"), partnerships["directions"], partnership_list, "direction", "x"),
        ("partnerships-field", _("Partnerships by field of cooperation"), _("Field of cooperation"), partnerships["fields"], partnership_list, "field", "y"),
        ("partnerships-province", _("Partnerships by province of a party"), _("Province"), partnerships["provinces"], partnership_list, "province", "y"),
        ("partnerships-year", _("Partnerships by starting year"), _("Year"), partnerships["years"], partnership_list, "started", "x"),
        ("partnerships-active", _("Partnerships active in each year"), _("Year"), partnerships["active_years"], partnership_list, "year", "x"),
        ("partnerships-corroboration", _("Partnerships by corroboration"), _("Corroboration"), partnerships["corroboration"], partnership_list, "corroboration", "x"),
        ("cooperatives-tier", _("Cooperatives by tier"), _("Tier"), cooperatives["tiers"], cooperative_list, "tier", "x"),
        ("cooperatives-type", _("Cooperatives by type"), _("Type"), cooperatives["types"], cooperative_list, "type", "y"),
        ("cooperatives-province", _("Cooperatives by province"), _("Province"), cooperatives["provinces"], cooperative_list, "province", "y"),
    ]  # fmt: skip

    # Reversed once each, not for each of the page's 120-odd numbers.
    addresses = {name: reverse(name) for name in (partnership_list, cooperative_list)}

    def link(list_url, param, value):
        # Each number opens the list it counts; "no direction given" has no filter.
        return f"{addresses[list_url]}?{urlencode({param: value})}" if value != "" else ""

    return [
        {
            "id": key,
            "title": title,
            "column": column,
            "unit": _("Partnerships") if list_url == partnership_list else _("Cooperatives"),
            "rows": [
                {"label": label, "count": count, "url": link(list_url, param, value)} for value, label, count in rows
            ],
            "chart": {
                "axis": axis,
                "labels": [str(label) for _value, label, _count in rows],
                "values": [count for _value, _label, count in rows],
                "colours": [selectors.CATEGORY_COLOURS.get(value, "#1f5fbf") for value, _label, _count in rows],
            },
        }
        for key, title, column, rows, list_url, param, axis in sections
    ]
