"""Forms of the registry: the filter forms' base and the fields they validate with."""

import re

from django import forms
from django_filters import fields as filter_fields


class FilterForm(forms.Form):
    """The base form of every list filter: Bootstrap widgets, errors marked on the field.

    Django already adds aria-invalid and links the error to the field; this adds the
    classes Bootstrap needs to show the error next to it.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
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
