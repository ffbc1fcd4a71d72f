"""The registry's public pages: lists with filters and CSV export, and profiles."""

import csv

from django.conf import settings
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import DetailView
from django.views.generic.base import ContextMixin
from django_filters.views import FilterView

from registry.filters import CooperativeFilter, PartnerFilter
from registry.models import Cooperative, Partner, federation_levels

# Direct members of a federation shown with a few of their own members each.
MEMBER_PREVIEW_SIZE = 5


class Echo:
    """A file-like object whose write() hands the line back, for csv.writer in a stream."""

    def write(self, value):
        return value


class RegistryListView(FilterView):
    """A filtered, paginated list of visible records that also downloads as CSV.

    Invalid filter values (or an unknown format) answer 400 with the form's errors
    and no rows: an empty list would claim that nothing matches.
    """

    paginate_by = settings.KOPNET_PAGE_SIZE
    csv_name = None
    csv_header = ()

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user).for_list()

    def get(self, request, *args, **kwargs):
        self.filterset = self.get_filterset(self.get_filterset_class())
        export = request.GET.get("format", "")
        problems = []
        if export not in ("", "csv"):
            problems.append(_("This list downloads only as CSV (format=csv)."))
        if self.filterset.is_bound and not self.filterset.is_valid():
            problems.append(_("Some filters have values this list does not know. Correct the fields marked below."))
        if problems:
            self.object_list = None
            context = self.get_context_data(filter=self.filterset, problems=problems)
            return self.render_to_response(context, status=400)
        self.object_list = self.filterset.qs
        if export == "csv":
            return self.csv_response(self.object_list)
        context = self.get_context_data(filter=self.filterset, object_list=self.object_list)
        return self.render_to_response(context)

    def get_context_data(self, **kwargs):
        model = self.model._meta
        kwargs.setdefault("problems", [])
        kwargs["show_verification"] = self.request.user.has_perm(f"{model.app_label}.view_{model.model_name}")
        if kwargs["problems"]:
            # Nothing to list or paginate: skip MultipleObjectMixin, whose paginator
            # would turn ?page=3 into a 404 and hide the real problem.
            kwargs.update(object_list=None, paginator=None, page_obj=None, is_paginated=False)
            return ContextMixin.get_context_data(self, **kwargs)
        return super().get_context_data(**kwargs)

    def csv_response(self, queryset):
        writer = csv.writer(Echo())

        def lines():
            yield writer.writerow(self.csv_header)
            for row in queryset.iterator(chunk_size=2000):
                yield writer.writerow(self.csv_row(row))

        filename = f"{self.csv_name}-{timezone.localdate():%Y-%m-%d}.csv"
        return StreamingHttpResponse(
            lines(),
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )


def csv_bool(value):
    return "true" if value else "false"


class CooperativeListView(RegistryListView):
    model = Cooperative
    filterset_class = CooperativeFilter
    template_name = "registry/cooperative_list.html"
    csv_name = "koperasi"
    csv_header = (
        "slug", "name", "short_name", "tier", "type", "sectors", "province_code", "province", "regency",
        "country", "scope", "status", "members", "founded", "nik", "legal_number", "verified",
    )  # fmt: skip

    def csv_row(self, coop):
        return (
            coop.slug,
            coop.name,
            coop.short_name,
            coop.tier,
            coop.type,
            "|".join(sector.slug for sector in coop.sectors.all()),
            coop.province_id or "",
            coop.province.name if coop.province else "",
            coop.regency,
            coop.country.code,
            coop.scope,
            coop.status,
            coop.member_count,
            coop.founded.isoformat() if coop.founded else "",
            coop.nik or "",
            coop.legal_number,
            csv_bool(coop.is_verified),
        )


class PartnerListView(RegistryListView):
    model = Partner
    filterset_class = PartnerFilter
    template_name = "registry/partner_list.html"
    csv_name = "mitra"
    csv_header = ("slug", "name", "kind", "country", "province_code", "registration_number", "website", "verified")

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
        )


def paginate(request, queryset, param):
    """A page of `queryset` chosen by the `param` query parameter; a bad page is a 404."""
    paginator = Paginator(queryset, settings.KOPNET_PAGE_SIZE)
    try:
        return paginator.page(request.GET.get(param) or 1)
    except InvalidPage as error:
        raise Http404(_("There is no such page of members.")) from error


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


class RegistryDetailView(DetailView):
    """A record's profile; records the reader may not see answer 404."""

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user).for_detail()

    def get_context_data(self, **kwargs):
        model = self.model._meta
        kwargs["show_verification"] = self.request.user.has_perm(f"{model.app_label}.view_{model.model_name}")
        return super().get_context_data(**kwargs)


class CooperativeDetailView(RegistryDetailView):
    model = Cooperative
    template_name = "registry/cooperative_detail.html"

    def get_context_data(self, **kwargs):
        coop = self.object
        visible = Cooperative.objects.visible_to(self.request.user)
        kwargs["federations"] = federation_tree(coop, federation_levels(coop, visible))
        if coop.is_federation:
            members = (
                visible.members_of(coop)
                .select_related("province")
                .with_member_preview(visible, MEMBER_PREVIEW_SIZE)
                .order_by("name", "id")
            )
            kwargs["members_page"] = paginate(self.request, members, "members_page")
        return super().get_context_data(**kwargs)


class PartnerDetailView(RegistryDetailView):
    model = Partner
    template_name = "registry/partner_detail.html"
