"""Rate limits on what costs: sign-ups and password resets (each sends an email to
an address anyone may type), the organisation pickers' search (a name search per
keystroke) and visitors' CSV downloads (a whole list each).

A limit is N requests a period per client address (kopnet.clients.client_address;
the password reset also per email address asked for), counted in the shared cache
('default': the database in production), so that every worker of every app server
counts together. A request over the limit answers 429 with Retry-After and a page
(or, for JSON, an error) in the reader's language.

Windows are fixed: a count starts afresh at each multiple of the period since the
epoch, and Retry-After is the time left until the next one. A client may therefore
send up to 2N around the edge of a window; a sliding log would cost a write per
request kept, for limits that only need to stop a script, not a person.

Counting holds under concurrency on every backend. KopNet's database cache (the
production one, kopnet.cache_backend) counts in one atomic upsert that returns the
new count: one statement a request, or, for a client that sends many, one a block of
requests (leased() below). On any other backend the
k-th request of a window claims the entry "slot k" with cache.add(), which only one
request can win (Django's own database cache reads and writes an incr() in two
steps, so parallel requests would all read the same count and all pass); the last
slot taken is remembered beside, so that a request costs a read and an add (two
writes when allowed), and a refused one a single read. At most N + 1 entries an
address a window, expired with it.

With KOPNET_RATE_LIMITS off, requests are counted and refusals logged, but nothing
is refused (the test suite; or watching the limits before enforcing them).
"""

import functools
import logging
import math
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from kopnet.cache import digest
from kopnet.clients import client_address

log = logging.getLogger(__name__)
# Seconds since the epoch; tests stop it to know where in a window they are.
clock = time.time

# What the reader is told they did too often, by the limit's name.
MESSAGES = {
    "signup": _("Too many sign-ups from your address."),
    "password_reset": _("Too many requests for a new password from your address or for this email address."),
    "organisation_search": _("Too many searches from your address."),
    "export": _("Too many downloads from your address. Signed in, you can download without this limit."),
}


def hit(scope, value, rate):
    """Count a request of `scope` by `value` (an address, an email address) against
    `rate`, (requests, seconds) or None for no limit.

    None when the request is within the limit; else the seconds until the window
    ends (a positive integer), and the request is not counted.
    """
    if rate is None or not value:
        return None
    limit, period = rate
    now = clock()
    window = int(now // period)
    retry_after = max(1, math.ceil((window + 1) * period - now))
    key = f"kn:rate:{scope}:{digest(value)}:{window}"
    timeout = retry_after + 1
    count_up = getattr(cache, "count_up", None)
    if count_up is not None:  # KopNet's database cache: counted in one atomic statement
        return None if leased(key, limit, timeout, count_up) else retry_after
    taken = cache.get(key) or 0
    while taken < limit:
        taken += 1
        if cache.add(f"{key}:{taken}", 1, timeout):
            cache.set(key, taken, timeout)
            return None
    return retry_after


# A busy client's slots are taken from the shared count a block at a time, 1/LEASE_SHARE
# of the limit (at least one), and spent from this process's memory: a client at a
# limit of 1,200 a minute costs a shared write every 24 requests instead of each. The
# count holds what was taken, spent or not, so a client is never let past the limit;
# it may be refused a little before it (by the slots other processes hold unspent:
# under a block for each), and a limit under LEASE_SHARE is counted request by request.
LEASE_SHARE = 50
_leases = {}  # (key, limit): slots this process holds in the key's window
_leases_lock = threading.Lock()


def leased(key, limit, timeout, count_up):
    """Whether a request may pass: a slot this process holds, or one of a new block."""
    lease = (key, limit)  # a limit changed meanwhile (settings) starts afresh
    with _leases_lock:
        held = _leases.get(lease, 0)
        if held:
            _leases[lease] = held - 1
            return True
    block = max(1, limit // LEASE_SHARE)
    taken = count_up(key, timeout, block)
    granted = min(block, limit - (taken - block))  # the block's slots within the limit
    if granted <= 0:
        return False
    with _leases_lock:
        if len(_leases) > MAX_LEASES:  # the keys of past windows, mostly
            _leases.clear()
        _leases[lease] = _leases.get(lease, 0) + granted - 1
    return True


MAX_LEASES = 10_000


def posted_email(request):
    """The email address a form was sent with, as one address whatever its case."""
    return request.POST.get("email", "").strip().lower()


def rate_limited(name, rate_setting, *, keys=(client_address,), methods=("POST",), applies=None, json=False):
    """Limit a view's `methods` requests (that `applies(request)`, if given) to the
    rate `settings.<rate_setting>`, per each of `keys` (functions of the request).

    The setting is read at each request. `json`: the refusal is {"errors": ...}
    instead of a page.
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method in methods and (applies is None or applies(request)):
                rate = getattr(settings, rate_setting)
                for key in keys:
                    retry_after = hit(f"{name}:{key.__name__}", key(request), rate)
                    if retry_after is None:
                        continue
                    log.info("rate limit %s reached by %s %s", name, key.__name__, client_address(request))
                    if settings.KOPNET_RATE_LIMITS:
                        return refused(request, name, retry_after, json=json)
            return view(request, *args, **kwargs)

        wrapper.rate_limit = name
        return wrapper

    return decorator


def refused(request, name, retry_after, json=False):
    """429 in the reader's language: what was done too often and when to try again."""
    message = f"{MESSAGES[name]} {wait(retry_after)}"
    if json:
        response = JsonResponse({"errors": {"__all__": [message]}}, status=429)
    else:
        response = render(request, "429.html", {"message": message}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def wait(seconds):
    if seconds < 120:
        return ngettext("Try again in %(count)d second.", "Try again in %(count)d seconds.", seconds) % {
            "count": seconds
        }
    minutes = math.ceil(seconds / 60)
    return ngettext("Try again in %(count)d minute.", "Try again in %(count)d minutes.", minutes) % {"count": minutes}


def anonymous_export(request):
    """A signed-out reader asks for a list's CSV or workbook (signed-in readers are not limited)."""
    return request.GET.get("format", "") in ("csv", "xlsx") and not request.user.is_authenticated


# Around a public list's view, outside the page cache: counted before anything is served.
export_limited = rate_limited("export", "KOPNET_RATE_EXPORT", methods=("GET", "HEAD"), applies=anonymous_export)
