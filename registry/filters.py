"""The FilterSets of the public lists: every filter is a URL parameter, validated."""

import django_filters
from django.db.models import Exists, F, OrderBy, OuterRef
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_filters.constants import EMPTY_VALUES

from registry.forms import CodeChoiceField, CountryCodeField, FastSelect, FilterForm, search_widget
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

ANY = _("Any")


class CodeChoiceFilter(django_filters.ModelChoiceFilter):
    """A choice of a province (by code) or a sector (by slug), refusing malformed input."""

    field_class = CodeChoiceField


class CountryFilter(django_filters.ChoiceFilter):
    field_class = CountryCodeField

    def __init__(self, *args, **kwargs):
        if "choices" not in kwargs and "empty_label" not in kwargs:
            # Every country and "Any", the same in every request of a language: their
            # options are written once per language (another list gets no key).
            kwargs.setdefault("widget", FastSelect(choices_key="countries"))
        # A callable: the names follow the language of each request.
        kwargs.setdefault("choices", lambda: list(countries))
        kwargs.setdefault("label", _("Country"))
        kwargs.setdefault("empty_label", ANY)
        super().__init__(*args, **kwargs)


class SortFilter(django_filters.ChoiceFilter):
    """One sort order from a fixed list.

    Each order ends with the primary key in the same direction, so that rows with
    equal values keep their place from one page to the next and the database can
    walk the (verification, field, id) indexes.
    """

    def __init__(self, *args, orders, **kwargs):
        self.orders = {param: expressions for param, (_label, expressions) in orders.items()}
        kwargs["choices"] = [(param, label) for param, (label, _expressions) in orders.items()]
        kwargs.setdefault("label", _("Sort by"))
        kwargs.setdefault("empty_label", None)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        return qs.order_by(*self.orders[value])


def matches_first(queryset):
    """The same order through expressions no index provides (COALESCE(x, x)).

    With a search, the trigram index finds the matches and the database sorts
    those few; left to itself PostgreSQL may walk a sort index instead, testing
    every row until it has a page: 400 ms for a word found near the end of the
    alphabet, against 10 ms.
    """
    ordering = queryset.query.order_by or queryset.model._meta.ordering
    expressions = []
    for item in ordering:
        if isinstance(item, str):
            name = item.lstrip("-")
            item = OrderBy(F(name), descending=item.startswith("-")) if name not in ("id", "pk") else item
        if isinstance(item, OrderBy) and isinstance(item.expression, F):
            item = item.copy()
            item.expression = Coalesce(item.expression, item.expression)
        expressions.append(item)
    return queryset.order_by(*expressions)


class SearchFirstFilterSet(django_filters.FilterSet):
    """A FilterSet whose `q` search, when given, decides how the database finds rows."""

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if (self.form.cleaned_data.get("q") or "").strip():
            return matches_first(queryset)
        return queryset


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
