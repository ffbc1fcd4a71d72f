"""The textarea the dashboard's decline forms use writes, without a template, exactly
the HTML Django's Textarea writes with its templates."""

import pytest
from django import forms

from kopnet.forms import BootstrapFormMixin, FastTextarea
from partnerships.views.dashboard import DeclineForm


class SampleForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(max_length=2000, widget=FastTextarea(attrs={"rows": 2, "data-x": 'a "b" & <c>'}))
    optional = forms.CharField(required=False, widget=FastTextarea(attrs={"disabled": True, "hidden": False}))


def django_html(bound_field):
    fast = bound_field.field.widget
    textarea = forms.Textarea(attrs=fast.attrs)
    textarea.is_required = fast.is_required
    return str(bound_field.as_widget(widget=textarea))


@pytest.mark.parametrize(
    "data",
    [
        None,  # unbound: empty
        {"reason": "", "optional": ""},  # errors: aria-invalid, is-invalid, aria-describedby
        {"reason": 'Bukan "kami" & <b>tidak</b>\nbaris kedua', "optional": "1234.5"},
    ],
)
def test_the_fast_textarea_writes_what_djangos_templates_write(data):
    form = SampleForm(data)
    if data is not None:
        form.is_valid()
    for name in form.fields:
        assert str(form[name]) == django_html(form[name])


def test_the_decline_forms_textarea_is_the_fast_one_and_writes_djangos_html():
    form = DeclineForm({"reason": ""}, key="7")
    assert not form.is_valid()
    assert isinstance(form.fields["reason"].widget, FastTextarea)
    html = str(form["reason"])
    assert html == django_html(form["reason"])
    assert 'id="decline-7-reason"' in html and 'aria-invalid="true"' in html and 'maxlength="2000"' in html


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_decline_forms_copies_are_what_the_template_writes_for_each_key(language):
    # The dashboard renders _form_fields.html once and puts each card's key in its ids.
    from django.template.loader import render_to_string
    from django.utils import translation

    from kopnet.forms import KeyedFormFields

    with translation.override(language):
        copies = KeyedFormFields(lambda key: DeclineForm(key=key))
        for key in ["7", "change-12", "123456789012345678", "7"]:
            expected = render_to_string("_form_fields.html", {"form": DeclineForm(key=key)})
            assert copies.html(key) == expected
            assert f'id="decline-{key}-reason"' in expected and KeyedFormFields.STAND_IN not in expected
        # A key that is not an id's plain characters goes through the template itself.
        assert copies.html('a"b') == render_to_string("_form_fields.html", {"form": DeclineForm(key='a"b')})
