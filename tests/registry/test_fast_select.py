"""The filter forms' selects write, without a template per option, exactly the HTML
Django's Select writes with its templates."""

import pytest
from django import forms
from django.http import QueryDict
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from kopnet.filters import FastSelect, FilterForm
from partnerships.filters import PartnershipFilter
from registry.filters import CooperativeFilter, PartnerFilter
from registry.models import Tier


def django_html(bound_field):
    """The same field rendered by Django's own Select and its templates."""
    fast = bound_field.field.widget
    select = forms.Select(attrs=fast.attrs, choices=fast.choices)
    select.is_required = fast.is_required
    return str(bound_field.as_widget(widget=select))


class SampleForm(FilterForm):
    tier = forms.ChoiceField(
        label=_("Tier"),
        required=False,
        # Lazily translated labels, a label to escape, and a group.
        choices=[
            ("", _("Any")),
            *Tier.choices,
            ("odd", 'Tom & "Jerry" <b>'),
            ("safe", mark_safe("<i>kept</i>")),
            (_("Status"), [("aktif", _("Active")), ("x&y", "x & y")]),
        ],
    )
    needed = forms.ChoiceField(label=_("Needed"), choices=[("a", "A"), ("b", "B")])


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize(
    "data",
    [
        None,  # unbound
        {},  # bound, nothing chosen: "needed" has an error
        {"tier": "sekunder", "needed": "b"},  # valid, values selected
        {"tier": "bogus", "needed": "a"},  # an invalid choice
        {"tier": "x&y", "needed": "a"},  # a value to escape, inside a group
    ],
)
def test_fast_select_writes_what_django_select_writes(language, data):
    with translation.override(language):
        form = SampleForm(data)
        form.is_valid()
        for name in form.fields:
            bound = form[name]
            assert type(bound.field.widget) is FastSelect
            assert str(bound) == django_html(bound)


def test_fast_select_marks_an_error_like_django():
    form = SampleForm({"tier": "bogus", "needed": "a"})
    assert not form.is_valid()

    html = str(form["tier"])

    assert 'class="form-select is-invalid"' in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_tier_error"' in html
    assert html == django_html(form["tier"])


def test_fast_select_follows_the_language():
    with translation.override("en"):
        english = str(SampleForm()["tier"])
    with translation.override("id"):
        indonesian = str(SampleForm()["tier"])

    assert ">Any</option>" in english
    assert ">Any</option>" not in indonesian
    assert "&lt;b&gt;" in english and "<i>kept</i>" in english


@pytest.mark.django_db
@pytest.mark.parametrize("filterset", [CooperativeFilter, PartnerFilter, PartnershipFilter])
@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize(
    "query",
    ["", "province=32&country=id&ordering=-name&tier=primer&category=kemitraan_usaha", "province=99&country=ZZ&tier=x"],
)
def test_every_filter_select_renders_like_django(filterset, language, query):
    with translation.override(language):
        form = filterset(QueryDict(query)).form
        form.is_valid()
        selects = [form[name] for name, field in form.fields.items() if isinstance(field.widget, forms.Select)]
        assert selects
        for bound in selects:
            assert type(bound.field.widget) is FastSelect
            assert str(bound) == django_html(bound)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["id", "en"])
def test_country_options_are_written_once_per_language_and_still_select_like_django(language):
    FastSelect.written_options.clear()
    with translation.override(language):
        for query in ["", "country=ID", "country=fr", "country=ZZ", "country=FR"]:
            form = CooperativeFilter(QueryDict(query)).form
            form.is_valid()
            assert form["country"].field.widget.choices_key == "countries"
            assert str(form["country"]) == django_html(form["country"])
    assert list(FastSelect.written_options) == [("countries", language)]
    assert len(FastSelect.written_options["countries", language]) > 240


def test_a_country_filter_with_other_choices_or_label_does_not_share_the_written_options():
    from kopnet.filters import CountryFilter

    assert CountryFilter().field.widget.choices_key == "countries"
    for other in (CountryFilter(choices=[("FR", "France")]), CountryFilter(empty_label="Semua negara")):
        assert getattr(other.field.widget, "choices_key", None) is None
