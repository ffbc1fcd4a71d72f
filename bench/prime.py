"""One priming pass over a case's URLs before wrk measures it.

A benchmark of a long-running server measures its steady state: pages and list
counts already in the cache (kopnet/cache.py, shared by every gunicorn worker when
the cache is the database's), PostgreSQL's buffers holding what the pages read.
wrk's few seconds of warm-up cannot reach every one of a case's hundreds of URLs, so
each distinct URL is requested once first, by a few threads, and every answer must
be 2xx: a case that primes error pages would then measure error pages.
"""

import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

THREADS = 4
TIMEOUT = 120  # gunicorn's worker timeout: a slow cold page is waited for, not given up on
SHOWN = 3


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer of its own (e.g. the admin's to its login page), not followed."""

    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def fetch(url, cookie="", timeout=TIMEOUT, headers=None):
    """The HTTP status of a GET of `url`, its body read to the end; or the error as text."""
    request = urllib.request.Request(url, headers=(headers or {}) | ({"Cookie": cookie} if cookie else {}))
    try:
        with OPENER.open(request, timeout=timeout) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        error.close()
        return error.code
    except (urllib.error.URLError, OSError) as error:
        return f"{type(error).__name__}: {getattr(error, 'reason', error)}"


def answered(answer):
    return isinstance(answer, int) and 200 <= answer < 300


def prime(base_url, paths, cookie="", threads=THREADS, get=fetch):
    """Requests each distinct path once, `threads` at a time.

    Returns the pass's wall-clock seconds, the number of requests and the failures,
    (path, status or error) for every answer that is not 2xx.
    """
    distinct = list(dict.fromkeys(paths))
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        answers = list(pool.map(lambda path: get(base_url + path, cookie), distinct))
    seconds = time.perf_counter() - started
    failures = [(path, answer) for path, answer in zip(distinct, answers) if not answered(answer)]
    return {"seconds": seconds, "requests": len(distinct), "failures": failures}


def failure_text(primed):
    """One line naming how many answers were not 2xx, with the first few."""
    failures = primed["failures"]
    shown = "; ".join(f"{path} answered {answer}" for path, answer in failures[:SHOWN])
    more = f"; and {len(failures) - SHOWN} more" if len(failures) > SHOWN else ""
    return f"priming: {len(failures)} of {primed['requests']} URLs not 2xx: {shown}{more}"
