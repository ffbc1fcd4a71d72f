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
# {page name: (the argument's form as the URL pattern takes it, a stand-in of that form)},
# registered by the apps' URL modules (keyed()), which own the pages and their forms.
KEYED_PAGES = {}
FORMS = {}


def keyed(name, form, stand_in):
    """Register the page `name` ("app:route") as one whose single argument has `form`
    (the regular expression its URL pattern uses); `stand_in` is any argument of that
    form. Until the URLconf is loaded, url_of() goes through reverse(), which loads it."""
    if not re.fullmatch(form, stand_in):
        raise ValueError(f"The stand-in {stand_in!r} is not of the form {form!r}.")
    KEYED_PAGES[name] = (form, stand_in)
    FORMS[name] = re.compile(form)


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
