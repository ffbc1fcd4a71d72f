"""Conditional requests and the cache of the API's answers.

Every successful read carries an ETag and, where its rows have one, a Last-Modified
(the latest `updated_at` it shows); a client that sends the ETag back in
If-None-Match gets a 304 with no body. A visitor's (anonymous) read is also kept in
the shared cache, keyed by the registry's data version (any write changes it: the
API shows every public column, beyond what the pages' narrower versions follow), the
code, the language and the canonical query (the parameters the endpoint reads, so an
unknown one maps to the same entry). Its ETag comes from that key: a 304 costs the
one query that reads the data version. A signed-in reader's answer is made afresh
and its ETag is a digest of its body. A record's ETag begins with its version
("<version>-<digest>"): the writes take it back in If-Match (api.views), and refuse
with 412 a record changed since.
"""

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import get_language
from rest_framework.response import Response

from api.throttling import ClientThrottle
from kopnet.cache import (
    PAGE_TIMEOUT,
    RENDER_LOCK_TIMEOUT,
    RENDERING,
    cache_get,
    canonical_query,
    code_version,
    data_version,
    digest,
    wait_for,
)
from kopnet.clients import anonymous, without_credentials

# Parameters every endpoint reads, beside its filters.
API_PARAMS = ("cursor", "limit", "fields", "brief")
PUBLIC_MAX_AGE = 60
PUBLIC_CACHE_CONTROL = f"public, max-age={PUBLIC_MAX_AGE}"
# Canonical queries remembered, by view and raw query string (ConditionalMixin.query).
QUERIES_KEPT = 10_000
_queries = {}


def tag_parts(header):
    """[(version or None, digest)] of the entity tags of an If-None-Match or If-Match."""
    parts = []
    for tag in (header or "").split(","):
        tag = tag.strip().removeprefix("W/").strip('"')
        if not tag:
            continue
        head, _dash, tail = tag.rpartition("-")
        parts.append((int(head) if head.isascii() and head.isdigit() and len(head) < 10 else None, tail or head))
    return parts


def entity_tag(tail, record=None):
    version = getattr(record, "version", None)
    return f'"{version}-{tail}"' if version is not None else f'"{tail}"'


class ConditionalMixin:
    """For a viewset: the reads (list, retrieve) answer conditionally and, for visitors,
    from the cache."""

    def known_params(self):
        filterset = getattr(self, "filterset_class", None)
        extra = ("province",) if self.basename == "regency" else ()
        return {*API_PARAMS, *extra, *(filterset.base_filters if filterset else ())}

    def cache_key(self, request):
        """The visitor's entry for this read; None for a signed-in reader or with the cache off."""
        if not settings.KOPNET_PAGE_CACHE or not anonymous(request):
            return None
        query = self.query(request)
        return "kn:api:" + digest(data_version(request), code_version(), get_language(), request.path, query)

    def query(self, request):
        """The canonical form of this read's query string, remembered by the raw one:
        a client asks the same few again and again (the 304s most of all)."""
        raw = request.META.get("QUERY_STRING", "")
        remembered = (type(self), self.basename, raw)
        query = _queries.get(remembered)
        if query is None:
            query = canonical_query(request.GET, self.known_params()).urlencode()
            if len(_queries) >= QUERIES_KEPT:
                _queries.clear()  # forged query strings cannot grow it without bound
            _queries[remembered] = query
        return query

    def dispatch(self, request, *args, **kwargs):
        """A visitor's read whose If-None-Match still holds is answered 304 before the
        rest of REST framework's machinery (parsing, negotiation, permissions): all it
        needs is the rate limit and the data version, as conditional() below."""
        if (
            request.method in ("GET", "HEAD")
            and "HTTP_IF_NONE_MATCH" in request.META
            and without_credentials(request)
            and getattr(self, "action", "read") in ("list", "retrieve", "read", None)
            and ClientThrottle().allow_request(request, self)
        ):
            key = self.cache_key(request)
            answer = self.not_modified(request, key) if key is not None else None
            if answer is not None:
                answer["Vary"] = "Authorization"
                answer["Cache-Control"] = PUBLIC_CACHE_CONTROL
                return answer
        return super().dispatch(request, *args, **kwargs)

    @staticmethod
    def not_modified(request, key):
        """A 304 when an entity tag the client sent is this read's, else None."""
        tail = key[-32:]
        for version, digest_sent in tag_parts(request.META.get("HTTP_IF_NONE_MATCH")):
            if digest_sent == tail:
                answer = HttpResponseNotModified()
                answer["ETag"] = entity_tag(tail) if version is None else f'"{version}-{tail}"'
                return answer
        return None

    def conditional(self, read, request, *args, **kwargs):
        key = self.cache_key(request)
        request._api_cache_key = key
        if key is not None:
            not_modified = self.not_modified(request, key)
            if not_modified is not None:
                return not_modified
            stored = cache_get(key)
            if stored is None:
                # Single flight, as the pages' (kopnet.cache): after a write, the first
                # visitor to miss renders; the others wait a while for its entry
                # instead of all rendering the same answer (finalize_response ends it).
                if cache.add(key + RENDERING, 1, RENDER_LOCK_TIMEOUT):
                    request._api_rendering = key
                else:
                    stored = wait_for(key)
            if stored is not None:
                content, last_modified, etag = stored
                response = HttpResponse(content, content_type="application/json")
                response["ETag"] = etag
                if last_modified:
                    response["Last-Modified"] = last_modified
                return response
        self.shown = []
        return read(request, *args, **kwargs)

    def list(self, request, *args, **kwargs):
        return self.conditional(super().list, request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        return self.conditional(super().retrieve, request, *args, **kwargs)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self.shown = page if page is not None else []
        return page

    def get_object(self):
        record = super().get_object()
        self.shown = [record]
        return record

    def latest(self):
        """When the latest of the records this answer shows changed (None: no such time)."""
        moments = [record.updated_at for record in getattr(self, "shown", ()) if getattr(record, "updated_at", None)]
        return max(moments) if moments else None

    def finalize_response(self, request, response, *args, **kwargs):
        try:
            return self.finished(request, response, *args, **kwargs)
        finally:
            rendering = getattr(request, "_api_rendering", None)
            if rendering is not None:  # stored, or nothing to store: the waiters go on
                cache.delete(rendering + RENDERING)

    def finished(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method not in ("GET", "HEAD") or response.status_code not in (200, 304):
            return response
        key = getattr(request, "_api_cache_key", None)
        patch_vary_headers(response, ("Authorization",))
        if key is None:
            patch_cache_control(response, private=True, no_cache=True)
        else:
            patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
        if not isinstance(response, Response):
            return response  # from the cache, or a 304: complete already
        latest = self.latest()
        last_modified = http_date(latest.timestamp()) if latest else None
        if last_modified:
            response["Last-Modified"] = last_modified
        response.render()
        record = self.shown[0] if getattr(self, "action", None) == "retrieve" and self.shown else None
        response["ETag"] = entity_tag(key[-32:] if key is not None else digest(response.content), record)
        if key is not None:
            cache.set(key, (response.content, last_modified, response["ETag"]), PAGE_TIMEOUT)
        return get_conditional_response(
            request, etag=response["ETag"], last_modified=int(latest.timestamp()) if latest else None, response=response
        )
