"""The FilterSets of the public lists: every filter is a URL parameter, validated."""

import re

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
from registry.forms import place_picker
from registry.models import (
    Cooperative,
    CooperativeStatus,
    CooperativeType,
    Partner,
    PartnerKind,
    Province,
    Regency,
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


PROVINCE_CODE = re.compile(r"[0-9]{2}")
CHOOSE_PROVINCE = _("Choose a province first")


def regency_filter():
    return CodeChoiceFilter(
        queryset=Regency.objects.all(),
        pattern=r"[0-9]{2}\.[0-9]{2}",
        method="filter_regency",
        label=_("Regency/city"),
        empty_label=ANY,
        error_messages={"invalid_choice": _("Choose a regency or city of the province chosen, by its code (32.04).")},
    )


class PlacedFilterForm(FilterForm):
    """A list's filters with a regency/city under the province: the province's
    regencies are its choices (static/js/places.js changes them with the province),
    so that one outside the province is a wrong choice; without a province, any
    regency's code is taken and the list shows none to choose."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["regency"]
        province = self.data.get("province", "")
        if isinstance(province, str) and PROVINCE_CODE.fullmatch(province):
            field.queryset = Regency.objects.filter(province_id=province).order_by("name")
        else:
            field.queryset = Regency.objects.all()
            field.widget.choices = [("", CHOOSE_PROVINCE)]
        field.widget.attrs |= place_picker("regency", "province", CHOOSE_PROVINCE)


class PlacedFilterSet(SearchFirstFilterSet):
    """A list of organisations that filters by regency/city (within its province)."""

    def filter_regency(self, queryset, name, regency):
        if queryset.model in (Cooperative, Partner):
            # With its province: the (verification, province, regency_place, name) index.
            return queryset.filter(province_id=regency.province_id, regency_place=regency)
        # A visitor's search rows (registry.models.CooperativeSearchRow), by cooperative.
        return queryset.filter(
            Exists(Cooperative.objects.filter(pk=OuterRef("pk"), regency_place=regency))
        )


class CooperativeFilter(PlacedFilterSet):
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
    regency = regency_filter()
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
        form = PlacedFilterForm

    def filter_q(self, queryset, name, value):
        return queryset.search(value)

    def filter_sector(self, queryset, name, sector):
        # A subquery rather than a join: no duplicate rows, so no DISTINCT to count.
        through = Cooperative.sectors.through
        return queryset.filter(
            Exists(through.objects.filter(cooperative_id=OuterRef("pk"), sector_id=sector.pk))
        )


class PartnerFilter(PlacedFilterSet):
    q = django_filters.CharFilter(
        method="filter_q",
        label=_("Search"),
        max_length=200,
        widget=search_widget(_("Name or registration number")),
    )
    kind = django_filters.ChoiceFilter(choices=PartnerKind.choices, label=_("Kind"), empty_label=ANY)
    country = CountryFilter()
    province = province_filter()
    regency = regency_filter()
    ordering = SortFilter(orders=by_name())

    class Meta:
        model = Partner
        fields = []
        form = PlacedFilterForm

    def filter_q(self, queryset, name, value):
        return queryset.search(value)
