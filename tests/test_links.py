"""kopnet.links writes the same addresses as reverse(), and leaves to reverse() any
argument of another form (which it refuses as before)."""

import pytest
from django.template import engines
from django.urls import NoReverseMatch, get_resolver, reverse, set_script_prefix

from kopnet.links import KEYED_PAGES, url_of

ARGUMENTS = {
    "registry:cooperative_detail": ["koperasi-tani-makmur", "kud_2", "KN-Stand-In", "a", "x" * 220],
    "registry:partner_detail": ["bank-rakyat-indonesia", "kn-stand-in-kn-stand-in"],
    "registry:cooperative_members": ["pusat-koperasi-jawa-barat", "kn-stand-in"],
    "partnerships:partnership_detail": ["KS-2026-000123", "KS-0000-000000", "KS-1999-999999"],
    "partnerships:partnership_update": ["KS-2026-000123", "KS-0000-000000"],
    "partnerships:party_confirm": ["7", "0", "999999999999999999", "123456789012345678", "99"],
    "partnerships:party_decline": ["7", "999999999999999999", "9"],
    "partnerships:change_confirm": ["12", "999999999999999999"],
    "partnerships:change_decline": ["12", "9999"],
    "api:cooperative-detail": ["koperasi-tani-makmur", "kud_2", "kn-stand-in"],
    "api:partner-detail": ["bank-rakyat-indonesia", "kn-stand-in"],
    "api:partnership-detail": ["KS-2026-000123", "KS-0000-000000"],
}
REFUSED = {
    "registry:cooperative_detail": ["", "a b", "é", "x/y"],
    "registry:cooperative_members": ["", "x/y"],
    "api:cooperative-detail": ["", "x/y"],
    "api:partnership-detail": ["KS-2026-000123/"],
    "partnerships:partnership_detail": ["KS-26-1", "ks-2026-000123", "KS-2026-0001234", "KS-2026-000123/"],
    "partnerships:party_confirm": ["", "-1", "1234567890123456789", "7/", "x"],
}


def test_every_keyed_page_is_tested():
    get_resolver().url_patterns  # the apps' URL modules register their keyed pages
    assert set(ARGUMENTS) == set(KEYED_PAGES)


@pytest.mark.parametrize("prefix", ["/", "/kopnet/", "/kn-stand-in/"])
def test_the_links_are_reverses_addresses(prefix):
    set_script_prefix(prefix)
    try:
        for name, arguments in ARGUMENTS.items():
            for argument in arguments:
                assert url_of(name, argument) == reverse(name, args=[argument])
    finally:
        set_script_prefix("/")


def test_an_argument_of_another_form_is_refused_as_reverse_refuses_it():
    for name, arguments in REFUSED.items():
        for argument in arguments:
            with pytest.raises(NoReverseMatch):
                url_of(name, argument)


def test_a_page_not_keyed_goes_through_reverse():
    assert url_of("registry:cooperative_update", "kud-2") == reverse("registry:cooperative_update", args=["kud-2"])


def test_the_template_tag_writes_the_same_as_url():
    template = engines["django"].from_string(
        "{% load kopnet_tags %}{% link_to 'registry:cooperative_detail' slug %}|{% url 'registry:cooperative_detail' slug %}"
    )
    fast, slow = template.render({"slug": "kud-mina"}).split("|")
    assert fast == slow == "/koperasi/kud-mina/"
