"""The FilterSets of the public lists: every filter is a URL parameter, validated."""

import django_filters
from django.db.models import Exists, F, OuterRef
from django.utils.translation import gettext_lazy as _

from kopnet.filters import (
    ANY,
    CodeChoiceFilter,
    CountryFilter,
    FilterForm,
    SearchFirstFilterSet,
    SortFilter,
    search_widget,
)
from registry.models import (
    Cooperative,
    CooperativeStatus,
    CooperativeType,
    Partner,
    PartnerKind,
    Province,
    Scope,
    Sector,
    Tier,
)


def by_name():
    return {
        "name": (_("Name, A to Z"), ("name", "id")),
        "-name": (_("Name, Z to A"), ("-name", "-id")),
    }


def province_filter():
    return CodeChoiceFilter(
        queryset=Province.objects.all(), pattern=r"[0-9]{2}", label=_("Province"), empty_label=ANY
    )


class CooperativeFilter(SearchFirstFilterSet):
    q = django_filters.CharFilter(
        method="filter_q",
        label=_("Search"),
        max_length=200,
        widget=search_widget(_("Name, short name, NIK Koperasi or legal number")),
    )
    tier = django_filters.ChoiceFilter(choices=Tier.choices, label=_("Tier"), empty_label=ANY)
    type = django_filters.ChoiceFilter(choices=CooperativeType.choices, label=_("Type"), empty_label=ANY)
    sector = CodeChoiceFilter(
        queryset=Sector.objects.all(),
        to_field_name="slug",
        pattern=r"[-a-zA-Z0-9_]{1,60}",
        method="filter_sector",
        label=_("Sector"),
        empty_label=ANY,
    )
    province = province_filter()
    country = CountryFilter()
    status = django_filters.ChoiceFilter(choices=CooperativeStatus.choices, label=_("Status"), empty_label=ANY)
    scope = django_filters.ChoiceFilter(choices=Scope.choices, label=_("Scope"), empty_label=ANY)
    ordering = SortFilter(
        orders={
            **by_name(),
            "members": (_("Fewest members first"), ("member_count", "id")),
            "-members": (_("Most members first"), ("-member_count", "-id")),
            # Unknown founding dates go last in both directions, on every database.
            "founded": (_("Oldest first"), (F("founded").asc(nulls_last=True), "id")),
            "-founded": (_("Newest first"), (F("founded").desc(nulls_last=True), "-id")),
        },
    )

    class Meta:
        model = Cooperative
        fields = []
        form = FilterForm

    def filter_q(self, queryset, name, value):
        return queryset.search(value)

    def filter_sector(self, queryset, name, sector):
        # A subquery rather than a join: no duplicate rows, so no DISTINCT to count.
        through = Cooperative.sectors.through
        return queryset.filter(
            Exists(through.objects.filter(cooperative_id=OuterRef("pk"), sector_id=sector.pk))
        )


class PartnerFilter(SearchFirstFilterSet):
    q = django_filters.CharFilter(
        method="filter_q",
        label=_("Search"),
        max_length=200,
        widget=search_widget(_("Name or registration number")),
    )
    kind = django_filters.ChoiceFilter(choices=PartnerKind.choices, label=_("Kind"), empty_label=ANY)
    country = CountryFilter()
    province = province_filter()
    ordering = SortFilter(orders=by_name())

    class Meta:
        model = Partner
        fields = []
        form = FilterForm

    def filter_q(self, queryset, name, value):
        return queryset.search(value)
