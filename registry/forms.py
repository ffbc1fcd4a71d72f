"""Forms of the registry: the filter forms' base and the fields they validate with,
and the officials' forms (cooperative profile, representation request)."""

import re

from django import forms
from django.db import models
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_filters import fields as filter_fields

from kopnet.forms import BootstrapFormMixin, VersionedFormMixin
from registry.models import Cooperative, Sector


def _text(value):
    """A value as the template engine prints {{ value }}: localized, then escaped."""
    return conditional_escape(localize(value))


def _attributes(attrs):
    """What django/forms/widgets/attrs.html writes: ` name="value"`, a bare name for
    True, nothing for False."""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


class FastSelect(forms.Select):
    """A Select that writes the same HTML as Django's select.html, without a template.

    Django renders each <option> through its own template include: on a list page
    whose filter form holds the country select (about 250 options) and a few others,
    that was more than half of the page's time. The context (selected options,
    the attributes Django adds on errors) is still Django's own get_context();
    only the markup is written here, character for character as the templates
    would (tests/registry/test_fast_select.py compares the two). Choices named by
    a `choices_key` skip even the context: see options_written_before().
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
        if options is not None:
            return self.render_written(name, value, attrs, options)
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{_text(widget["name"])}"{_attributes(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{_text(group_name)}">')
            for option in options:
                # The option template ends with a newline, and the select template puts
                # each include on a line of its own: hence the blank lines.
                parts.append(
                    f'\n  <option value="{conditional_escape(str(option["value"]))}"'
                    f'{_attributes(option["attrs"])}>{_text(option["label"])}</option>\n'
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
            options = []
            for option_value, option_label in self.choices:
                if isinstance(option_label, (list, tuple)):
                    return None  # a group: the general way
                option_value = "" if option_value is None else str(option_value)
                options.append(
                    (option_value, f'\n  <option value="{conditional_escape(option_value)}"', f">{_text(option_label)}</option>\n")
                )
            self.written_options[key] = options
        return self.written_options[key]

    def render_written(self, name, value, attrs, options):
        """What render() writes, from written options: as Django, the first option whose
        value is among the values is the selected one."""
        values = self.format_value(value)
        parts = [f'<select name="{_text(name)}"{_attributes(self.build_attrs(self.attrs, attrs))}>']
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


class FilterForm(forms.Form):
    """The base form of every list filter: Bootstrap widgets, errors marked on the field.

    Django already adds aria-invalid and links the error to the field; this adds the
    classes Bootstrap needs to show the error next to it. Plain selects render
    through FastSelect (same HTML, a fraction of the time).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if type(field.widget) is forms.Select:
                field.widget = FastSelect.replacing(field.widget)
            widget = field.widget
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class CodeChoiceField(forms.ModelChoiceField):
    """A model choice by code or slug that refuses malformed input before asking the database.

    A value that cannot be a code (a NUL byte, 500 characters of junk) never reaches
    the database, where PostgreSQL would answer with an error instead of a message.
    """

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


# --- officials' forms -------------------------------------------------------------


def https_urls(model_field, **kwargs):
    """Links typed without a scheme are https (Django 6's default, asked for now)."""
    if isinstance(model_field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return model_field.formfield(**kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class CooperativeForm(VersionedFormMixin, BootstrapFormMixin, forms.ModelForm):
    """A cooperative's public profile, as its officials register and edit it.

    Every rule (tier and members, NIK Koperasi, province) is the model's: the
    ModelForm runs Cooperative.full_clean(), so a broken rule is a form error.
    """

    class Meta:
        model = Cooperative
        fields = [
            "name", "short_name", "tier", "type", "sectors", "status",
            "country", "province", "regency", "address",
            "nik", "legal_number", "legal_date", "founded", "individual_members", "scope",
            "website", "email", "phone",
        ]  # fmt: skip
        formfield_callback = https_urls
        widgets = {
            "sectors": forms.CheckboxSelectMultiple,
            "address": forms.Textarea(attrs={"rows": 3}),
            "legal_date": DateInput,
            "founded": DateInput,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sectors"].queryset = Sector.objects.order_by("name")
        self.fields["province"].help_text = _("Required for a cooperative in Indonesia; leave it empty for one abroad.")


class CooperativeSearchForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(
        label=_("Name, short name, NIK Koperasi or legal entity number"),
        max_length=100,
        required=False,
        widget=search_widget(_("e.g. Koperasi Tani Makmur")),
    )


class RepresentationRequestForm(forms.Form):
    """The cooperative chosen among the search results, by slug."""

    cooperative = CodeChoiceField(
        label=_("Cooperative"),
        queryset=Cooperative.objects.verified(),
        to_field_name="slug",
        pattern=r"[-a-zA-Z0-9_]{1,220}",
        error_messages={
            "required": _("Choose a cooperative from the search results."),
            "invalid_choice": _("Choose a verified cooperative from the search results."),
        },
    )
