"""kopnet.html writes what django.utils.html writes, for every kind of value."""

import datetime

import pytest
from django.utils import html as django_html
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy

from kopnet import html


class Marked:
    """A third-party object that writes its own HTML (markupsafe's convention)."""

    def __html__(self):
        return "<b>marked</b>"

    def __repr__(self):
        return "Marked()"


VALUES = [
    'Koperasi "Tani" <Maju> & Jaya\'s',
    "",
    "plain",
    mark_safe("<i>already safe</i>"),
    SafeString("&amp;"),
    gettext_lazy("partner"),
    gettext_lazy("Name"),
    1234567,
    0,
    None,
    12.5,
    datetime.date(2024, 1, 31),
    Marked(),
    "ß – ñ € 日本",
]


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_conditional_escape_is_djangos(value, language):
    with translation.override(language):
        ours, djangos = html.conditional_escape(value), django_html.conditional_escape(value)

    assert ours == djangos
    assert type(ours) is type(djangos)


@pytest.mark.parametrize("language", ["id", "en"])
def test_format_html_and_its_join_are_djangos(language):
    template = "<td>{}</td><td>{}</td><td>{}</td>"
    rows = [VALUES[i : i + 3] for i in range(0, len(VALUES) - 2)]
    named = [{"a": value, "b": VALUES[0]} for value in VALUES]
    with translation.override(language):
        for args in rows:
            assert html.format_html(template, *args) == django_html.format_html(template, *args)
            assert isinstance(html.format_html(template, *args), SafeString)
        assert html.format_html("{a}|{b}", a=VALUES[0], b=VALUES[3]) == django_html.format_html(
            "{a}|{b}", a=VALUES[0], b=VALUES[3]
        )
        for sep in (", ", "<br>", mark_safe("<br>")):
            ours = html.format_html_join(sep, template, iter(rows))
            assert ours == django_html.format_html_join(sep, template, iter(rows))
            assert isinstance(ours, SafeString)
        assert html.format_html_join("", "{a}{b}", named) == django_html.format_html_join("", "{a}{b}", named)
