"""The FilterSet of the public partnership list: every filter a URL parameter, validated.

Filters on the parties (country, tier, cooperative, partner, and the party names in
the search) go through Exists() subqueries: a join would repeat a partnership once per
matching party and need DISTINCT, which makes counting slow. The province is the
exception on PostgreSQL: a join to the province's kept rows (PartnershipProvince), one
per partnership, which the list walks in its order.
"""

import datetime

import django_filters
from django import forms
from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from kopnet import policy
from kopnet.models import Verification
from partnerships.models import (
    Category,
    CooperationField,
    Corroboration,
    Direction,
    NewEntityKind,
    Objective,
    Partnership,
    PartnershipParty,
    PartnershipStatus,
    active_between,
)
from partnerships.policy import VERIFIED_ONLY, partnership_reach
from partnerships.selectors import KEPT_FILTERS, apply_this_transactions_province_rows
from kopnet.filters import ANY, CodeChoiceFilter, CountryFilter, FilterForm, SortFilter, search_widget
from kopnet.forms import DayField
from registry.models import Cooperative, Partner, Province, Tier

SLUG_PATTERN = r"[-a-zA-Z0-9_]{1,220}"
# A year someone could mean: the registry's partnerships start after Indonesia's
# first cooperatives and before the end of this century.
FIRST_YEAR, LAST_YEAR = 1900, 2100


class YesNoFilter(django_filters.ChoiceFilter):
    """true or false, nothing else: a NullBooleanField would read "maybe" as "any"."""

    def __init__(self, *args, **kwargs):
        kwargs["choices"] = [("true", _("Yes")), ("false", _("No"))]
        kwargs.setdefault("empty_label", ANY)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in ("true", "false"):
            return qs.filter(**{self.field_name: value == "true"})
        return qs


class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class DayFilter(django_filters.DateFilter):
    """A day of the past as YYYY-MM-DD (kopnet.forms.DayField): a day in the future or
    not a day is an error at the field (400)."""

    field_class = DayField


def active_in(year, prefix=""):
    """Active at some time in that year: begun by its end, not ended before its start."""
    return active_between(datetime.date(year, 1, 1), datetime.date(year, 12, 31), prefix)


def parties(*conditions, **lookups):
    """An Exists() over this partnership's parties matching the conditions and lookups."""
    return Exists(PartnershipParty.objects.filter(*conditions, partnership=OuterRef("pk"), **lookups))


def slug_filter(model, label, help_text):
    # The choices are the records this reader may see: an unverified cooperative's
    # slug is as unknown to a visitor as a made-up one. A text box, not a select:
    # there are tens of thousands of cooperatives.
    return CodeChoiceFilter(
        queryset=lambda request: model.objects.visible_to(request.user) if request else model.objects.verified(),
        to_field_name="slug",
        pattern=SLUG_PATTERN,
        method="filter_party",
        label=label,
        widget=forms.TextInput(attrs={"placeholder": help_text}),
    )


def kept_order(item):
    """A sort expression of the list, on the kept rows where they hold its column."""
    if isinstance(item, str) and item.lstrip("-") in KEPT_ORDER:
        return ("-" if item.startswith("-") else "") + "province_rows__" + item.lstrip("-")
    return item


# The columns of the list's sort orders that the kept rows hold.
KEPT_ORDER = {"start_date"}


class PartnershipFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_q",
        label=_("Search"),
        max_length=200,
        widget=search_widget(_("Title, reference, description or a party's name")),
    )
    category = django_filters.ChoiceFilter(choices=Category.choices, label=_("Category"), empty_label=ANY)
    direction = django_filters.ChoiceFilter(choices=Direction.choices, label=_("Direction"), empty_label=ANY)
    international = YesNoFilter(label=_("International"))
    objective = CodeChoiceFilter(
        queryset=Objective.objects.all(),
        to_field_name="slug",
        pattern=SLUG_PATTERN,
        method="filter_objective",
        label=_("Objective"),
        empty_label=ANY,
    )
    field = CodeChoiceFilter(
        queryset=CooperationField.objects.all(),
        to_field_name="slug",
        pattern=SLUG_PATTERN,
        method="filter_field",
        label=_("Field of cooperation"),
        empty_label=ANY,
    )
    status = django_filters.ChoiceFilter(choices=PartnershipStatus.choices, label=_("Status"), empty_label=ANY)
    year = YearFilter(
        method="filter_year",
        label=_("Active in year"),
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        widget=forms.NumberInput(attrs={"placeholder": _("e.g. 2024")}),
    )
    started = YearFilter(
        field_name="start_date",
        lookup_expr="year",
        label=_("Started in year"),
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        widget=forms.NumberInput(attrs={"placeholder": _("e.g. 2024")}),
    )
    active_on = DayFilter(method="filter_active_on", label=_("Active on"))
    province = CodeChoiceFilter(
        queryset=Province.objects.all(),
        pattern=r"[0-9]{2}",
        method="filter_province",
        label=_("Province of a party"),
        empty_label=ANY,
    )
    country = CountryFilter(method="filter_country", label=_("Country of a party"))
    tier = django_filters.ChoiceFilter(
        choices=Tier.choices, method="filter_tier", label=_("Tier of a cooperative party"), empty_label=ANY
    )
    cooperative = slug_filter(Cooperative, _("Cooperative (slug)"), _("e.g. koperasi-tani-makmur"))
    partner = slug_filter(Partner, _("Partner (slug)"), _("e.g. bank-rakyat-indonesia"))
    new_entity = YesNoFilter(label=_("Forms a new legal entity"))
    new_entity_kind = django_filters.ChoiceFilter(
        choices=NewEntityKind.choices, label=_("Kind of the new entity"), empty_label=ANY
    )
    corroboration = django_filters.ChoiceFilter(
        choices=Corroboration.choices, label=_("Corroboration"), empty_label=ANY
    )
    ordering = SortFilter(
        orders={
            "-start": (_("Newest first"), ("-start_date", "-id")),
            "start": (_("Oldest first"), ("start_date", "id")),
            "title": (_("Title, A to Z"), ("title", "id")),
        },
    )

    class Meta:
        model = Partnership
        fields = []
        form = FilterForm

    def filter_q(self, queryset, name, value):
        text = value.strip()
        if not text:
            return queryset
        # Only the names this reader may read (kopnet.policy): a visitor's are the
        # verified organisations', a curator's every one, an official's also their own.
        user = self.request.user if self.request is not None else None
        cooperatives = policy.rules_for(Cooperative).nameable(user, "cooperative__")
        partners = policy.rules_for(Partner).nameable(user, "partner__")
        return queryset.filter(
            Q(title__icontains=text)
            | Q(reference__icontains=text)
            | Q(description__icontains=text)
            | parties(cooperatives, cooperative__name__icontains=text)
            | parties(cooperatives, cooperative__short_name__icontains=text)
            | parties(partners, partner__name__icontains=text)
        )

    def filter_objective(self, queryset, name, objective):
        through = Partnership.objectives.through
        return queryset.filter(Exists(through.objects.filter(partnership_id=OuterRef("pk"), objective_id=objective.pk)))

    def filter_field(self, queryset, name, field):
        through = Partnership.fields.through
        return queryset.filter(
            Exists(through.objects.filter(partnership_id=OuterRef("pk"), cooperationfield_id=field.pk))
        )

    def filter_year(self, queryset, name, value):
        return queryset.filter(active_in(int(value)))

    def filter_active_on(self, queryset, name, day):
        return queryset.active_on(day)

    def filter_province(self, queryset, name, province):
        if connection.vendor == "postgresql":
            # The province's kept rows, one per partnership, narrowed by the list's
            # other conditions they hold: PostgreSQL walks them in the list's order
            # (filter_queryset) and looks up a page of partnerships, which keep
            # their own conditions.
            with connection.cursor() as cursor:
                apply_this_transactions_province_rows(cursor)
            self.province_rows_joined = True
            return queryset.filter(self.province_rows(province, prefix="province_rows__"))
        # One set of partnership ids (a semi-join) from the province's organisations'
        # indexes, not a test per partnership. Two IN (...) joined by OR made
        # PostgreSQL test each partnership against each set in turn once a set
        # outgrew work_mem: a populous province's list counted for 27 minutes at
        # 1,000,000 partnerships; one UNION takes about a second (now PostgreSQL's
        # own path above, SQLite's here).
        cooperative_parties = PartnershipParty.objects.filter(cooperative__province=province)
        partner_parties = PartnershipParty.objects.filter(partner__province=province)
        ids = cooperative_parties.order_by().values("partnership_id")
        return queryset.filter(pk__in=ids.union(partner_parties.order_by().values("partnership_id")))

    def given(self):
        """The cleaned filters given a value, by name (the sort order is no filter)."""
        data = getattr(self.form, "cleaned_data", {})  # none when unbound (no parameters)
        return {name: value for name, value in data.items() if value not in (None, "", []) and name != "ordering"}

    def province_rows(self, province, prefix=""):
        """A Q on the kept rows (PartnershipProvince) this list shows: the province's,
        with the conditions of the given KEPT_FILTERS and of the reader's reach."""
        given = self.given()
        lookups = {"province": province}
        if self.request is not None and partnership_reach(self.request.user) == VERIFIED_ONLY:
            lookups["verification"] = Verification.VERIFIED
        for name in KEPT_FILTERS:
            if name in given and name != "year":
                lookups[name] = given[name] == "true" if name == "international" else given[name]
        rows = Q(**{prefix + name: value for name, value in lookups.items()})
        if "year" in given:
            rows &= active_in(int(given["year"]), prefix)
        return rows

    def filter_queryset(self, queryset):
        self.province_rows_joined = False
        queryset = super().filter_queryset(queryset)
        if self.province_rows_joined:
            # The same order read from the kept rows' dates (equal to the
            # partnerships'), which their indexes hold by province.
            ordering = queryset.query.order_by or Partnership._meta.ordering
            queryset = queryset.order_by(*(kept_order(item) for item in ordering))
        return queryset

    def filter_country(self, queryset, name, country):
        return queryset.filter(parties(cooperative__country=country) | parties(partner__country=country))

    def filter_tier(self, queryset, name, tier):
        return queryset.filter(parties(cooperative__tier=tier))

    def filter_party(self, queryset, name, organisation):
        return queryset.filter(parties(**{name: organisation}))
