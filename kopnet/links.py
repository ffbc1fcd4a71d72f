"""Links to the pages of records, written without Django's reverse() for each.

A list of 50 cooperatives links each row to its profile, a profile links every
partnership and organisation it shows, and reverse() costs about 0.1 ms a call (it
looks the route up, checks the arguments against its pattern and quotes them): a
tenth of a cold list page. The pages named here take one argument whose form the
URL pattern fixes; their address is reversed once (per script prefix) with a
stand-in argument, and each link then puts its own argument in its place. An
argument of another form goes through reverse(), which refuses it as it always did.
"""

import functools
import re

from django.urls import get_script_prefix, reverse

SLUG = r"[-a-zA-Z0-9_]+"  # Django's slug converter
REFERENCE = r"KS-[0-9]{4}-[0-9]{6}"  # a partnership's
PK = r"[0-9]{1,18}"  # the answers' pages: at most 18 digits
# {page name: (the argument's form as the URL pattern takes it, a stand-in of that form)}
KEYED_PAGES = {
    "registry:cooperative_detail": (SLUG, "kn-stand-in"),
    "registry:partner_detail": (SLUG, "kn-stand-in"),
    "partnerships:partnership_detail": (REFERENCE, "KS-0000-000000"),
    # The official's dashboard: an edit link for each partnership registered, two
    # forms (confirm, decline) for each thing waiting for an answer.
    "partnerships:partnership_update": (REFERENCE, "KS-0000-000000"),
    "partnerships:party_confirm": (PK, "999999999999999999"),
    "partnerships:party_decline": (PK, "999999999999999999"),
    "partnerships:change_confirm": (PK, "999999999999999999"),
    "partnerships:change_decline": (PK, "999999999999999999"),
}
FORMS = {name: re.compile(form) for name, (form, _stand_in) in KEYED_PAGES.items()}


@functools.lru_cache(maxsize=64)
def _address(name, prefix):
    """The page's address with the stand-in argument (`prefix`: the cache key only)."""
    return reverse(name, args=[KEYED_PAGES[name][1]])


def url_of(name, argument):
    """reverse(name, args=[argument]), faster for the pages in KEYED_PAGES."""
    form = FORMS.get(name)
    argument = str(argument)
    if form is None or not form.fullmatch(argument):
        return reverse(name, args=[argument])
    head, _stand_in, tail = _address(name, get_script_prefix()).rpartition(KEYED_PAGES[name][1])
    return head + argument + tail
