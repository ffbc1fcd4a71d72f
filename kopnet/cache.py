"""Caches keyed by the data version: a cached page or count is never stale.

Every entry's key holds the token of kopnet.models.DataVersion, which database
triggers change in the transaction of any write to a table the pages show (form,
admin, import, bulk update, seed_scale). A write therefore makes all earlier
entries unreachable at the moment it commits, on every app server at once,
whatever cache backend each one uses; old entries simply age out.

A cached page is also keyed by the code that rendered it (code_version()): the
shared cache outlives a release, and a page rendered by the templates, views or
translations of the previous release must not be served by the next one.

Two things are cached:
- the main content of the public pages, for visitors only (signed-in people see
  records that are theirs, so their pages are always rendered afresh). The page
  around it (navigation, sign-in links, the language form with its CSRF token,
  messages) is rendered for each request;
- the row count of a paginated list, for everyone: the key is the SQL of the count
  with its parameters, so two readers share a count only when they ask exactly
  the same question.
"""

import functools
import hashlib
import time
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.cache import cache, caches
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import CharField, Count, OuterRef, Subquery, Value, Window
from django.db.models.functions import Cast, Concat
from django.http import HttpResponse, QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils.html import escape
from django.utils.functional import cached_property
from django.utils.translation import get_language

from kopnet.models import PageVersion

# base.html marks what a cached page keeps: its title, its own part of the head (its
# feeds' links) and its main content.
TITLE_START, TITLE_END = "<title>", " · KopNet</title>"
HEAD_START, HEAD_END = "<!--kn:head-->", "<!--/kn:head-->"
MAIN_START, MAIN_END = "<!--kn:main-->", "<!--/kn:main-->"
PAGE_TIMEOUT = 24 * 3600
# settings.CACHES alias of the per-process cache kept in front of the shared one.
LOCAL = "local"


def local_cache():
    """The process's own cache in front of the shared one, when settings name one."""
    return caches[LOCAL] if LOCAL in settings.CACHES else None


def cache_get(key):
    """From this process's memory if it has the entry, else from the shared cache."""
    local = local_cache()
    value = local.get(key) if local is not None else None
    if value is None:
        value = cache.get(key)
        if value is not None and local is not None:
            local.set(key, value, PAGE_TIMEOUT)
    return value


def cache_set(key, value):
    cache.set(key, value, PAGE_TIMEOUT)
    local = local_cache()
    if local is not None:
        local.set(key, value, PAGE_TIMEOUT)


# The scopes of the data version: "all" changes with any write to a table the pages
# show (kopnet/migrations/0001_data_version.py); a narrower scope only with the writes
# its pages show, by triggers in the migration of the app that owns those pages
# ("statistics": partnerships/migrations/0007_statistics_version.py). Profiles, lists
# and the home page are keyed by page versions instead (page_version() below).
SCOPES = {"all": 1, "statistics": 2}
# Each scope's query written out (no parameter to convert: it runs on every request).
VERSION_QUERIES = {scope: f"SELECT token FROM kopnet_dataversion WHERE id = {row}" for scope, row in SCOPES.items()}


def data_version(request=None, scope="all"):
    """The current data version token of `scope` (one query, remembered for the request)."""
    remembered = getattr(request, "_kopnet_data_versions", None) if request is not None else None
    if remembered is not None and scope in remembered:
        return remembered[scope]
    with connection.cursor() as cursor:
        run_deferred_triggers(cursor)
        cursor.execute(VERSION_QUERIES[scope])
        row = cursor.fetchone()
    version = row[0] if row else None
    if request is not None:
        request._kopnet_data_versions = {**(remembered or {}), scope: version}
    return version


def run_deferred_triggers(cursor):
    """Inside a transaction that may have written (a test, a view in atomic()), on
    PostgreSQL: run the deferred triggers now, so that the versions read next count
    this transaction's writes, and let its later writes change them again."""
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        return
    # As Django's own check_constraints(): every deferred trigger and check fires
    # now, and what the transaction writes next is deferred again.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE; SET CONSTRAINTS ALL DEFERRED")
    txid_settings = ["kopnet.data_version_txid", *(f"kopnet.data_version_txid_{n}" for n in SCOPES.values())]
    remembered = [*txid_settings, WROTE_VERIFIED, PAGES_SALT]
    cursor.execute("SELECT " + ", ".join(["set_config(%s, '', true)"] * len(remembered)), remembered)


# Set by row triggers that run at each write, for deferred triggers that run at
# commit: this transaction wrote a row that was verified before the write
# (registry/migrations/0014_suggestion_pool_versions.py). Once the deferred triggers
# have run, what they remembered is theirs no more.
WROTE_VERIFIED = "kopnet.wrote_verified"
# The salt of the page tokens this transaction writes: each key changes once per
# transaction (kopnet/migrations/0007_page_versions_once.py), or once more after its
# deferred triggers ran early.
PAGES_SALT = "kopnet.pages_salt"


def page_version(prefix, field=None):
    """An expression for the token of the page key `prefix` followed by the value of
    `field` of the query's rows (kopnet.models.PageVersion; None when no write has
    touched the key yet), e.g. page_version("c", "pk") on cooperatives."""
    key = Value(prefix) if field is None else Concat(Value(prefix), Cast(OuterRef(field), CharField()))
    return Subquery(PageVersion.objects.filter(key=key).values("token")[:1])


def page_version_tokens(request, *keys):
    """The tokens of these page keys, in their order (for a page that is not one
    record's: a list, the home page)."""
    with connection.cursor() as cursor:
        run_deferred_triggers(cursor)
    found = dict(PageVersion.objects.filter(key__in=keys).values_list("key", "token"))
    return tuple(found.get(key) for key in keys)


def fixed_page_versions(keys, request, *args, **kwargs):
    return page_version_tokens(request, *keys)


# Compiled where a record's page_versions() query takes the looked-up value (a slug,
# a reference), then replaced by it: a NUL no URL's value can hold.
LOOKUP = "\x00kopnet-lookup\x00"


def page_versions(request, versions_of, value):
    """The page versions of one record's page: the row that `versions_of(value)`, a
    values_list of page_version() expressions, selects, read after this
    transaction's deferred triggers; None when there is no such record.

    The query is compiled once per process and database: compiling its subqueries
    took 2.3 ms of a cached profile's 3.6 (now 1.3, as a cached list).
    """
    sql, params = compiled_lookup(versions_of, connection.alias)
    with connection.cursor() as cursor:
        run_deferred_triggers(cursor)
        cursor.execute(sql, [value if param == LOOKUP else param for param in params])
        return cursor.fetchone()


@functools.cache
def compiled_lookup(versions_of, alias):
    sql, params = versions_of(LOOKUP)[:1].query.sql_with_params()
    if LOOKUP not in params:
        raise ValueError(f"{versions_of.__qualname__}() does not look its value up as a query parameter")
    return sql, params


# What renders a page: the Python code, the templates (emails' .txt included) and the
# compiled translations of these folders, plus the static files' manifest (pages name
# the hashed static files).
CODE_FOLDERS = ("kopnet", "registry", "partnerships", "api", "templates")
CODE_SUFFIXES = {".py", ".html", ".txt", ".mo"}


@functools.cache
def code_version():
    """A digest of the files that render the pages, read once per process.

    Two servers running the same release compute the same digest, so they share the
    cached pages; any change to a template, a view or a translation gives new keys.
    """
    base = Path(settings.BASE_DIR)
    files = sorted(
        path
        for folder in CODE_FOLDERS
        for path in (base / folder).rglob("*")
        if path.suffix in CODE_SUFFIXES and path.is_file()
    )
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.is_file():
        files.append(manifest)
    hashed = hashlib.blake2b(digest_size=8)
    for path in files:
        hashed.update(str(path.relative_to(base) if path.is_relative_to(base) else path).encode() + b"\x00")
        hashed.update(path.read_bytes())
    return hashed.hexdigest()


def digest(*parts):
    return hashlib.blake2b("\x1f".join(str(part) for part in parts).encode(), digest_size=16).hexdigest()


def page_cacheable(request, shared=False):
    """Whether this request may be served from (and fill) the page cache: visitors'
    GETs of HTML pages; signed-in people too where the page is `shared` (the same
    for every reader, as the statistics are)."""
    return (
        settings.KOPNET_PAGE_CACHE
        and request.method in ("GET", "HEAD")
        and (shared or not request.user.is_authenticated)
        and "format" not in request.GET
    )


def split_page(html):
    """(title, head part, main content) of a page rendered with base.html, or None;
    a page without a head part of its own has an empty one."""

    def part(start, end):
        return html[html.index(start) + len(start) : html.index(end)]

    try:
        title, main = part(TITLE_START, TITLE_END), part(MAIN_START, MAIN_END)
    except ValueError:
        return None
    head = part(HEAD_START, HEAD_END) if HEAD_START in html else ""
    return title, head, main


# Says whether a visitor's page came from the cache (for operators and tests).
CACHE_HEADER = "X-KopNet-Cache"
# Placeholders in a remembered frame (NUL never occurs in a page: the database refuses it).
TITLE_SLOT, MAIN_SLOT, TOKEN_SLOT = "\x00kn-title\x00", "\x00kn-main\x00", "\x00kn-token\x00"
HEAD_SLOT = "\x00kn-head\x00"
PATH_SLOT = "\x00kn-path\x00"
QUOTED_PATH_SLOT = str(escape(quote(PATH_SLOT, safe="/")))


def has_own_state(request):
    """Whether the frame could hold something of this visitor's own: messages, which
    live in a cookie or the session (anonymous visitors normally have neither)."""
    return bool(request.COOKIES.get("messages") or request.COOKIES.get(settings.SESSION_COOKIE_NAME))


def cached_page(request, title, head, main):
    """The cached title, head part and main content in the page's frame.

    The frame (navigation, sign-in links, language form) is the same for every
    visitor of a page type in a language but for the CSRF token and the page's
    address (where sign-in and the language switch return to), so each process
    keeps it with slots for those, the title and the content, filled per request.
    A visitor with messages gets the frame rendered afresh.
    """
    local = local_cache() or cache
    if has_own_state(request):
        return render(request, "cached_page.html", {"cached_title": title, "cached_head": head, "cached_main": main})
    frame_key = "kn:frame:" + digest(get_language(), request.resolver_match.view_name)
    frame = local.get(frame_key)
    if frame is None:
        slots = {
            "cached_title": TITLE_SLOT, "cached_head": HEAD_SLOT, "cached_main": MAIN_SLOT,
            "csrf_token": TOKEN_SLOT, "frame_path": PATH_SLOT,
        }  # fmt: skip
        frame = render(request, "cached_page.html", slots).content.decode()
        local.set(frame_key, frame, PAGE_TIMEOUT)
    path = request.get_full_path()
    html = (
        frame.replace(QUOTED_PATH_SLOT, escape(quote(path, safe="/")))  # the sign-in link's ?next=
        .replace(PATH_SLOT, escape(path))  # the language form's next
        # get_token() also has the CSRF middleware set the cookie the token belongs to.
        .replace(TOKEN_SLOT, get_token(request))
        .replace(TITLE_SLOT, title)
        .replace(HEAD_SLOT, head)
        .replace(MAIN_SLOT, main)
    )
    return HttpResponse(html)


def cached_for_visitors(view, params=None, shared=False, scope="all", versions=None, keys=None):
    """Serve a visitor the page's main content from the cache, in a freshly rendered frame.

    Only successful HTML pages are stored; errors, CSV and signed-in readers go
    through the view every time. The page is keyed by, and rendered from, its
    canonical query: only the parameters it reads (`params`; by default a list
    view's filters and page number, or the view's `cache_params`), each once, in a
    fixed order, without empty values. Unknown, repeated, reordered or empty
    parameters therefore map to the same entry instead of rendering and storing a
    new page each, and what a page shows never depends on a parameter its key omits.

    A `shared` page's main content is the same for every reader (nothing in it
    depends on who reads): signed-in people get it from the cache too, in a frame
    rendered for them. `scope` names the data version the page is keyed by (SCOPES):
    a page that shows less than everything is not emptied by every write.

    Most pages are keyed by page versions instead (kopnet.models.PageVersion),
    which change only with the writes the page shows: a page of fixed `keys` (by
    default the view's `page_keys`), or a record's page, whose
    `versions(request, *args, **kwargs)` (by default the view's `page_versions`)
    returns its tokens, read with page_versions(), or None when the record does not
    exist (nothing is cached).
    """
    known = frozenset(params if params is not None else params_read_by(view))
    holder = getattr(view, "view_class", view)
    versions = versions or getattr(holder, "page_versions", None)
    keys = keys or getattr(holder, "page_keys", None)
    if versions is None and keys:
        versions = functools.partial(fixed_page_versions, keys)

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not page_cacheable(request, shared):
            return view(request, *args, **kwargs)
        # The versions are read from the canonical query too (a list's may depend on a filter).
        request.GET = canonical_query(request.GET, known)
        if versions is not None:
            tokens = versions(request, *args, **kwargs)
            version = None if tokens is None else digest("pages", *tokens)
        else:
            version = data_version(request, scope)
        if version is None:
            return view(request, *args, **kwargs)
        key = "kn:page:" + digest(
            version, code_version(), get_language(), request.path, request.GET.urlencode()
        )
        stored = cache_get(key)
        rendering = False
        if stored is None:
            if cache.add(key + RENDERING, 1, RENDER_LOCK_TIMEOUT):
                # Ours to render, unless a render that just ended stored it meanwhile.
                stored = cache.get(key)
                rendering = stored is None
                if not rendering:
                    cache.delete(key + RENDERING)
            else:
                # Another process renders this page right now: wait for it, a while.
                stored = wait_for(key)
        if stored is not None:
            response = cached_page(request, *stored)
            response[CACHE_HEADER] = "hit"
            return response
        try:
            return render_and_store(view, request, args, kwargs, key)
        finally:
            if rendering:
                cache.delete(key + RENDERING)

    return wrapper


# Single flight: when many visitors miss one page at once (after a write, on a cold
# server), the first renders it and the others wait for its entry, at most
# RENDER_WAIT seconds (then they render it themselves), instead of all rendering the
# same page. The marker outlives a renderer that died by RENDER_LOCK_TIMEOUT at most.
RENDERING = ":rendering"
RENDER_WAIT = 5.0
RENDER_POLL = 0.025
RENDER_LOCK_TIMEOUT = 15


def wait_for(key):
    """The entry another request is rendering, once it is stored; None after
    RENDER_WAIT, or as soon as the renderer gave up without storing one."""
    deadline = time.monotonic() + RENDER_WAIT
    while time.monotonic() < deadline:
        time.sleep(RENDER_POLL)
        stored = cache.get(key)
        if stored is not None:
            return stored
        if cache.get(key + RENDERING) is None:
            return cache.get(key)  # stored just before the marker went, or nothing to wait for
    return None


def render_and_store(view, request, args, kwargs, key):
    response = view(request, *args, **kwargs)
    if hasattr(response, "render") and callable(response.render):
        response.render()
    if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
        parts = split_page(response.content.decode(response.charset or "utf-8"))
        if parts is not None:
            cache_set(key, parts)
            response[CACHE_HEADER] = "miss"
    return response


# The largest row offset SQLite and PostgreSQL take (OFFSET is a signed 64-bit integer):
# a larger one is an error from the database, not an empty page.
MAX_OFFSET = 2**63 - 1


class CachedCountPaginator(Paginator):
    """A paginator whose count is cached by data version and whose pages are cheap deep down.

    A page's rows come in two steps (a "deferred join"): the primary keys of the
    page, which the database reads from an index without visiting the table, then
    those rows with their related data. Page 1,000 then costs little more than
    page 1 instead of reading 50,000 whole rows to throw them away.

    With `count_with_rows` (searches), an uncached count comes with the page's rows
    in one query (a window count): a search's matches are found once, not once to
    count and again to sort.

    `keys`, when given, is a queryset of narrower rows whose primary keys are those
    of the list's rows, in the same order (registry.models.CooperativeSearchRow): the
    count and the page's keys come from it, the page's rows by key from the list.
    """

    def __init__(self, *args, request=None, count_with_rows=False, keys=None, **kwargs):
        self.request = request
        self.count_with_rows = count_with_rows
        self.keys = keys
        super().__init__(*args, **kwargs)

    @property
    def key_rows(self):
        """What the count and the page's keys are read from."""
        return self.object_list.prefetch_related(None) if self.keys is None else self.keys

    @cached_property
    def count_key(self):
        """The cache key of the count (None: not cached): the SQL of what is counted
        (key_rows), compiled once per list."""
        if not hasattr(self.object_list, "query"):
            return None
        queryset = self.key_rows
        version = data_version(self.request)
        if version is None:  # no version row (a flushed database): nothing may be cached
            return None
        try:
            sql, params = queryset.query.sql_with_params()
        except Exception:  # an empty result set cannot be written as SQL
            return None
        return "kn:count:" + digest(version, connection.alias, sql, params)

    @cached_property
    def count(self):
        key = self.count_key
        if key is None:
            return super().count
        count = cache_get(key)
        if count is None:
            count = self.key_rows.count()
            cache_set(key, count)
        return count

    def page(self, number):
        if self.count_with_rows and "count" not in self.__dict__:
            page = self.page_with_count(number)
            if page is not None:
                return page
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        queryset = self.object_list
        if not hasattr(queryset, "query") or (bottom == 0 and self.keys is None):
            return self._get_page(queryset[bottom:top], number, self)
        keys = list(self.key_rows.values_list("pk", flat=True)[bottom:top])
        rows = {row.pk: row for row in queryset.filter(pk__in=keys).order_by()}
        return self._get_page([rows[key] for key in keys if key in rows], number, self)

    def page_with_count(self, number):
        """The page and the count in one query, when the count is not cached yet.

        None when that does not apply (a cached count, a page past the end, an
        invalid number, an offset no database takes): page() then goes the usual
        way, which never asks for rows past the count.
        """
        key = self.count_key
        if key is None or cache_get(key) is not None:
            return None
        try:
            number = int(number)
        except (TypeError, ValueError):
            return None
        bottom = (number - 1) * self.per_page
        if number < 1 or bottom + self.per_page > MAX_OFFSET:
            # No list is that long: page() counts, and validate_number() refuses the
            # number (EmptyPage, a 404) as it does when there is no search.
            return None
        queryset = self.object_list
        # Narrow rows (key and total) to sort, then the page's whole rows by key.
        keys = list(
            self.key_rows.annotate(kn_total=Window(Count("pk")))
            .values_list("pk", "kn_total")[bottom : bottom + self.per_page]
        )
        if not keys:
            return None
        self.count = keys[0][1]
        cache_set(key, self.count)
        rows = {row.pk: row for row in queryset.filter(pk__in=[pk for pk, _total in keys]).order_by()}
        return self._get_page([rows[pk] for pk, _total in keys if pk in rows], self.validate_number(number), self)


def params_read_by(view):
    """The query parameters a page reads: a list view's filters and its page number,
    or what the view names in `cache_params`."""
    view_class = getattr(view, "view_class", None)
    filterset_class = getattr(view_class, "filterset_class", None)
    if filterset_class is not None:
        return {*filterset_class.base_filters, "page"}
    return getattr(view_class or view, "cache_params", ())


def canonical_query(query, known):
    """`query` with only the `known` parameters, each with its last non-empty value,
    in sorted order; a page number written as the number it is (01 is 1; page 1 is
    no page number)."""
    canonical = QueryDict(mutable=True)
    for name in sorted(known):
        values = [value for value in query.getlist(name) if value.strip()]
        if not values:
            continue
        value = values[-1]
        if name == "page" or name.endswith("_page"):
            value = str(int(value)) if value.isascii() and value.isdigit() and len(value) < 20 else value
            if value == "1":
                continue
        canonical[name] = value
    canonical._mutable = False
    return canonical
