"""The machinery of every list's filters: the form they render in, its fields and
widgets (FastSelect), and the django-filter filters both apps' FilterSets use.

A list's own FilterSet lives in its app's filters.py; what is here knows no model.
"""

import dataclasses
import datetime
import re

import django_filters
from django import forms
from django.db import models
from django.db.models import F, OrderBy
from django.db.models.functions import Coalesce
from django.utils.formats import date_format
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_filters import fields as filter_fields
from django_filters.constants import EMPTY_VALUES

from kopnet.forms import BootstrapFormMixin, written_attributes, written_text


class FastSelect(forms.Select):
    """A Select that writes the same HTML as Django's select.html, without a template.

    Django renders each <option> through its own template include: on a list page
    whose filter form holds the country select (about 250 options) and a few others,
    that was more than half of the page's time. It writes, character for
    character, what the templates would (tests/registry/test_fast_select.py
    compares the two): the attributes from Django's build_attrs() (those the form
    adds on errors included), the first option of the value selected as Django's
    optgroups() selects it. Choices named by a `choices_key` are written once per
    language: see options_written_before(). Groups of options and multiple
    selects are written from Django's own context.
    """

    # The options of choices that are the same for every request in a language (a
    # widget names them with `choices_key`), written once per language:
    # {(choices_key, language): [(value, "<option value=…", ">label</option>"), …]}.
    written_options = {}

    def __init__(self, attrs=None, choices=(), choices_key=None):
        super().__init__(attrs, choices)
        self.choices_key = choices_key

    def render(self, name, value, attrs=None, renderer=None):
        options = self.options_written_before()
        if options is None and not self.allow_multiple_selected:
            options = options_of(self.choices)
        if options is not None:
            return self.render_written(name, value, attrs, options)
        # Groups of options, or several selected: Django's context, written here.
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{written_text(widget["name"])}"{written_attributes(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{written_text(group_name)}">')
            for option in options:
                # The option template ends with a newline, and the select template puts
                # each include on a line of its own: hence the blank lines.
                parts.append(
                    f'\n  <option value="{conditional_escape(str(option["value"]))}"'
                    f'{written_attributes(option["attrs"])}>{written_text(option["label"])}</option>\n'
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))

    def options_written_before(self):
        """This language's written options of keyed choices (None for others, or groups).

        The country select's 250 options cost a third of a list page's rendering when
        Django builds each option's context and translates its name on every request.
        """
        if self.choices_key is None or self.allow_multiple_selected:
            return None
        key = (self.choices_key, get_language())
        if key not in self.written_options:
            options = options_of(self.choices)
            if options is None:
                return None
            self.written_options[key] = options
        return self.written_options[key]

    def render_written(self, name, value, attrs, options):
        """What render() writes, from written options: as Django, the first option whose
        value is among the values is the selected one."""
        values = self.format_value(value)
        parts = [f'<select name="{written_text(name)}"{written_attributes(self.build_attrs(self.attrs, attrs))}>']
        selected = False
        for option_value, start, end in options:
            if not selected and option_value in values:
                selected = True
                parts.append(f"{start} selected{end}")
            else:
                parts.append(f"{start}{end}")
        parts.append("\n</select>")
        return mark_safe("".join(parts))

    @classmethod
    def replacing(cls, select):
        """A FastSelect with the attributes, choices and flags of this Select."""
        fast = cls(attrs=select.attrs, choices=select.choices, choices_key=getattr(select, "choices_key", None))
        fast.is_required = select.is_required
        fast.is_localized = select.is_localized
        return fast


def options_of(choices):
    """Choices as render_written() takes them: [(value, "<option value=…", ">label</option>"), …];
    None when there are groups (render() writes those from Django's context).

    Without Django's context of each option (the dicts optgroups() builds, their
    attributes copied): a partnership list's filter has ten selects, each building
    that context for every option on every request."""
    options = []
    for option_value, option_label in choices:
        if isinstance(option_label, (list, tuple)):
            return None
        option_value = "" if option_value is None else str(option_value)
        options.append(
            (option_value, f'\n  <option value="{conditional_escape(option_value)}"', f">{written_text(option_label)}</option>\n")
        )
    return options


class FilterForm(BootstrapFormMixin, forms.Form):
    """The base form of every list filter: Bootstrap's classes on the widgets and on
    the fields with errors (kopnet.forms.BootstrapFormMixin, as every form of the
    site), and plain selects rendered through FastSelect (same HTML, a fraction of
    the time).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if type(field.widget) is forms.Select:
                # With the classes the mixin gave the Select.
                field.widget = FastSelect.replacing(field.widget)


class ReadChoiceIterator(forms.models.ModelChoiceIterator):
    """The choices read in one plain query. Django's iterator() opens a server-side
    cursor on PostgreSQL (DECLARE, FETCH, CLOSE: three round trips) to stream rows that
    are a few dozen provinces or sectors."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():  # a copy: the field's queryset keeps no rows
            yield self.choice(obj)


class CodeChoiceField(forms.ModelChoiceField):
    """A model choice by code or slug that refuses malformed input before asking the database.

    A value that cannot be a code (a NUL byte, 500 characters of junk) never reaches
    the database, where PostgreSQL would answer with an error instead of a message.
    """

    iterator = ReadChoiceIterator

    def __init__(self, *args, pattern, **kwargs):
        self.pattern = re.compile(pattern)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if not isinstance(value, str) or not self.pattern.fullmatch(value):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
            )
        return super().to_python(value)


class CountryCodeField(filter_fields.ChoiceField):
    """An ISO 3166 code, accepted in either case (?country=id is Indonesia too)."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.upper() if isinstance(value, str) else value


def search_widget(placeholder):
    return forms.TextInput(attrs={"type": "search", "placeholder": placeholder})


# --- filters -----------------------------------------------------------------------

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


# --- what a list shows of its filters ------------------------------------------------


@dataclasses.dataclass(frozen=True)
class AppliedFilter:
    """One filter a list applies, as a chip above the rows: "Tier: Primary cooperative",
    and the address of the same list without it."""

    label: str
    value: str
    url: str

    def __str__(self):
        return f"{self.label}: {self.value}"


def applied_filters(filterset, path, query):
    """The filters the bound, valid filterset applies, one per value, in the form's
    order, each with the address of the list without that value and without a page
    number (the rows move: page 7 may no longer exist). The sort order is no filter.

    What a value says is its label, never its code: a model choice's str() (the form
    already read the record: no query here), a choice's label, a country's name.
    """
    if not filterset.is_bound or filterset.form.errors:
        return []
    data = filterset.form.cleaned_data
    applied = []
    for name, field in filterset.form.fields.items():
        if isinstance(filterset.filters.get(name), SortFilter):
            continue
        value = data.get(name)
        multiple = isinstance(value, (list, tuple, models.QuerySet))
        for value in value if multiple else [value]:
            if value in EMPTY_VALUES:
                continue
            url = url_without(path, query, name, raw_value(field, value) if multiple else None)
            applied.append(AppliedFilter(str(field.label), value_label(field, value), url))
    return applied


def value_label(field, value):
    """What a filter's cleaned value is called in this language."""
    if isinstance(field, forms.ModelChoiceField) or isinstance(value, models.Model):
        return str(value)
    if isinstance(field, CountryCodeField):
        return str(countries.name(value) or value)
    if isinstance(value, datetime.date):
        return date_format(value, "DATE_FORMAT")
    if isinstance(field, forms.ChoiceField):
        for choice, label in flat_choices(field.choices):
            if str(choice) == str(value):
                return str(label)
    return str(value)


def flat_choices(choices):
    for choice, label in choices:
        if isinstance(label, (list, tuple)):
            yield from label
        else:
            yield choice, label


def url_without(path, query, name, value=None):
    """The list's address with `query` (a QueryDict) less parameter `name` (only the
    given value of it, when the parameter is a multiple choice: the raw value as the
    URL writes it) and less the page number."""
    query = query.copy()
    query.pop("page", None)
    given = query.getlist(name)
    kept = [item for item in given if value is None or item != value]
    if value is not None and len(kept) < len(given):
        query.setlist(name, kept)
    else:
        query.pop(name, None)
    encoded = query.urlencode()
    return f"{path}?{encoded}" if encoded else path


def raw_value(field, value):
    """A multiple choice's cleaned value as the URL writes it (a record by its
    to_field_name), to drop that one value from the address."""
    if isinstance(value, models.Model):
        return str(getattr(value, getattr(field, "to_field_name", None) or "pk"))
    return str(value)


def without_filters(path, query, filterset):
    """The list's address without any filter (and page), keeping its sort order."""
    query = query.copy()
    for name in ("page", *filterset.filters):
        if not isinstance(filterset.filters.get(name), SortFilter):
            query.pop(name, None)
    encoded = query.urlencode()
    return f"{path}?{encoded}" if encoded else path
