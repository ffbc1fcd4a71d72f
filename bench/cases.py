"""The benchmark's cases: which URLs each one requests, built from the data in the database.

Needs Django set up against the benchmark database (bench/run.py does it). Every URL is
checked to return rows before it is used: the filtered lists go through the views' own
FilterSets, so that a case never measures an empty page. Random choices use a fixed
seed, so that a rerun on the same data requests the same URLs.
"""

import importlib
import json
import math
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode, urlsplit

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count
from django.test import Client
from django.urls import reverse

from api.pagination import MAX_LIMIT
from partnerships.filters import PartnershipFilter
from partnerships.models import Category, Partnership
from registry.filters import CooperativeFilter
from registry.models import Cooperative, Partner, Province, Representation, RepresentationState, Tier

from bench.report import API_WRITE_RATES, WRITE_RATES

CURATOR = "kurator"
# Signs in as the official of the cooperative with the most partnership parties.
BUSIEST_OFFICIAL = "pengurus-tersibuk"
SEED = 5
TOP_CONNECTED = 20
# Each random detail case requests this many distinct profiles: a spread of 500
# distinct profiles within a 10-second window, as the visitors of that window would.
RANDOM_DETAILS = 500
FILTER_COMBINATIONS = 36
SEARCH_TERMS = 60
PAGE = 1000


# The public cases measured again on a live registry (issue 10 §4): a set of
# profiles, a set of filtered lists, the home page and the statistics, the dearest
# page to render cold. Three variants each: a random extra parameter on every
# request, then 1 and 10 writes a second beside them (bench/writers.py).
LIVE_BASES = ("home", "coop_list_filtered", "statistics", "coop_detail_random")

# The API (issue 14 §5): its lists read as a program reads them, `API_LIMIT` rows a
# page; the page after `DEEP_POSITION` rows by its cursor; the first partnerships
# page asked again with its ETag (304). The plain lists again with 1 write a second.
API_LIMIT = 50
DEEP_POSITION = 10_000
API_LIVE_BASES = ("api_cooperatives", "api_cooperatives_filtered", "api_partners", "api_partnerships")


@dataclass
class Case:
    """One line of the table: a kind of page, requested over `urls` in turn.

    kind decides the targets: "ceiling" (/healthz), "list", "detail" or "admin", and
    for the live-registry variants of a public case (`base` names it) "random" (wrk
    adds a random parameter to each request) or "writes" (bench/writers.py makes
    `writes_per_s` writes a second meanwhile), or "dashboard" (an official's); for
    the API, "api" (a list), "api_writes" (a list's variant with writes) and
    "api_304". `user` names whom the requests are signed in as (their session
    cookie), none for a visitor. `expect` is the one status every answer must have
    (304: wrk sends the ETag of the URL's warm answer in If-None-Match; bench/run.py
    gets it from the server, and checks the 304, before measuring); 0 for any 2xx.
    """

    name: str
    kind: str
    urls: list
    user: str = ""
    note: str = ""
    extra: dict = field(default_factory=dict)
    base: str = ""
    writes_per_s: int = 0
    expect: int = 0

    @property
    def random_param(self):
        return self.kind == "random"


def live_variants(cases, bases=LIVE_BASES, rates=WRITE_RATES, random_param=True):
    """The variants of the `bases` among `cases`: all with a random parameter first
    (no writes yet, the cache as the plain cases left it; unless `random_param` is
    false), then at each write rate. An API list's variant with writes is of kind
    "api_writes" (the API's targets), a page's "writes"."""
    chosen = [case for case in cases if case.name in bases]
    variants = [
        Case(f"{case.name}+random", "random", case.urls, note=f"{case.name}'s URLs, each with ?r=<random>", base=case.name)
        for case in chosen
        if random_param
    ]
    for rate in rates:
        variants += [
            Case(
                f"{case.name}+writes{rate}",
                "api_writes" if case.kind == "api" else "writes",
                case.urls,
                note=f"{case.name}'s URLs while bench/writers.py makes {rate} write{'s' if rate > 1 else ''} a second",
                base=case.name,
                writes_per_s=rate,
            )
            for case in chosen
        ]
    return variants


def session_cookie(username):
    """A signed-in session for this user, as the Cookie header a browser would send."""
    user = get_user_model().objects.get(username=username)
    session = importlib.import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    # The backend that loads users: axes's comes first in AUTHENTICATION_BACKENDS but
    # only checks sign-ins (it has no get_user(): every request would answer 500).
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def name_words(names):
    """The words of the names, 3 to 8 letters, most frequent first, with their counts.

    Words in more than half of the names ("koperasi") are left out: searching them is
    the unfiltered list again.
    """
    counts = Counter()
    for name in names:
        counts.update(set(re.findall(r"[a-z]{3,8}", name.lower())))
    return [(word, n) for word, n in counts.most_common() if n <= len(names) / 2]


def search_terms(words, count, rng):
    """`count` distinct search texts: words spread over the frequencies, then prefixes of them.

    Half from the common words, half from the rarer ones, so the case sees searches with
    thousands of matches and with a handful; prefixes (what people type) fill up the rest.
    """
    ordered = [word for word, _n in words]
    common, rare = ordered[: max(1, len(ordered) // 4)], ordered[len(ordered) // 4 :]
    picked = rng.sample(common, min(len(common), count // 2))
    picked += rng.sample(rare, min(len(rare), count - len(picked)))
    for word in ordered:
        if len(picked) >= count:
            break
        for size in (3, 4, 5):
            prefix = word[:size]
            if len(prefix) == size and prefix not in picked and len(picked) < count:
                picked.append(prefix)
    return picked


def cooperative_list_rows(params):
    """Whether the public cooperative list shows rows for these filters (as a visitor)."""
    filterset = CooperativeFilter(data=params, queryset=Cooperative.objects.visible_to(AnonymousUser()))
    if not filterset.is_valid():
        raise ValueError(f"the cooperative list refuses {params}: {filterset.errors.as_json()}")
    return filterset.qs.exists()


def partnership_list_rows(params):
    filterset = PartnershipFilter(data=params, queryset=Partnership.objects.visible_to(AnonymousUser()))
    if not filterset.is_valid():
        raise ValueError(f"the partnership list refuses {params}: {filterset.errors.as_json()}")
    return filterset.qs.exists()


def url(name, params=None, **kwargs):
    path = reverse(name, kwargs=kwargs or None)
    return f"{path}?{urlencode(params)}" if params else path


def sample(values, size, rng):
    values = list(values)
    return rng.sample(values, min(size, len(values)))


def cooperative_filters(words, rng):
    """A few dozen (tier, province, q) filters of the public list that return rows."""
    visible = Cooperative.objects.visible_to(AnonymousUser())
    groups = list(visible.filter(province__isnull=False).values_list("tier", "province").annotate(n=Count("pk")))
    common = [word for word, _n in words[:30]]
    if not groups or not common:
        raise ValueError("no verified Indonesian cooperatives to filter")
    found, tried = [], set()
    # Every tier present gets its turn, so the case is not all primer.
    by_tier = {}
    for tier, province, _n in groups:
        by_tier.setdefault(tier, []).append(province)
    tiers = sorted(by_tier, key=list(Tier.values).index)
    attempts = 0
    while len(found) < FILTER_COMBINATIONS and attempts < FILTER_COMBINATIONS * 10:
        attempts += 1
        tier = tiers[attempts % len(tiers)]
        params = {
            "tier": tier,
            "province": rng.choice(by_tier[tier]),
            "q": rng.choice(common),
            "ordering": "-members",
        }
        key = tuple(params.values())
        if key in tried:
            continue
        tried.add(key)
        if cooperative_list_rows(params):
            found.append(params)
    if not found:
        raise ValueError("no tier + province + q filter returns rows")
    return found


def regency_filters(rng):
    """A few dozen (province, regency) filters of the public list, among the regencies
    its verified cooperatives are coded with (bench.run.code_regencies codes the seeded
    registry's typed ones). None without any (a database without the places): the case
    is left out."""
    visible = Cooperative.objects.visible_to(AnonymousUser()).filter(regency_place__isnull=False)
    groups = list(visible.order_by().values_list("province", "regency_place").annotate(n=Count("pk")))
    groups.sort()
    return [{"province": province, "regency": regency} for province, regency, _n in sample(groups, FILTER_COMBINATIONS, rng)]


def admin_params(public):
    """The admin changelist's parameters for a public list filter (tier, province, q, sort)."""
    model_admin = admin.site._registry[Cooperative]
    # The changelist puts the action checkbox first; `o` counts columns from there.
    columns = (["action_checkbox"] if model_admin.actions else []) + list(model_admin.list_display)
    return {
        "tier__exact": public["tier"],
        "province__code__exact": public["province"],
        "q": public["q"],
        # Sorted by members (the display method `members` orders by member_count).
        "o": f"-{columns.index('members')}",
    }


def partnership_filters(rng):
    """A few dozen (category, year, province) filters of the public partnership list with rows."""
    visible = Partnership.objects.visible_to(AnonymousUser())
    years = sorted({date.year for date in visible.dates("start_date", "year")})
    if not years:
        raise ValueError("no visible partnerships")
    recent = years[-12:]
    provinces = list(Province.objects.values_list("code", flat=True))
    found, tried = [], set()
    attempts = 0
    while len(found) < FILTER_COMBINATIONS and attempts < FILTER_COMBINATIONS * 10:
        attempts += 1
        params = {
            "category": Category.values[attempts % len(Category.values)],
            "year": str(rng.choice(recent)),
            "province": rng.choice(provinces),
        }
        key = tuple(params.values())
        if key in tried:
            continue
        tried.add(key)
        if partnership_list_rows(params):
            found.append(params)
    if not found:
        raise ValueError("no category + year + province filter returns partnerships")
    return found


def build_cases():
    """Every case of the benchmark, in the order they run (the ceiling first)."""
    rng = random.Random(SEED)
    anonymous = AnonymousUser()
    cooperatives = Cooperative.objects.visible_to(anonymous)
    pages = max(1, math.ceil(cooperatives.count() / settings.KOPNET_PAGE_SIZE))
    page = min(PAGE, pages)

    slugs = list(cooperatives.order_by("pk").values_list("pk", "slug"))
    name_sample = [pk for pk, _slug in sample(slugs, 5000, rng)]
    words = name_words(Cooperative.objects.filter(pk__in=name_sample).values_list("name", flat=True))
    filters = cooperative_filters(words, rng)
    # Its own generator: the other cases draw what they drew before it was added.
    regencies = regency_filters(random.Random(SEED + 1))
    terms = [q for q in search_terms(words, SEARCH_TERMS, rng) if cooperative_list_rows({"q": q})]
    top = (
        cooperatives.annotate(parties=Count("partnership_parties"))
        .order_by("-parties", "pk")
        .values_list("slug", flat=True)[:TOP_CONNECTED]
    )
    federations = cooperatives.exclude(tier=Tier.PRIMER).order_by("-member_count", "pk")
    largest = federations.values_list("slug", flat=True)[:TOP_CONNECTED]
    partnerships = Partnership.objects.visible_to(anonymous).order_by("pk").values_list("reference", flat=True)
    partners = Partner.objects.visible_to(anonymous).order_by("pk").values_list("slug", flat=True)

    # Drawn before the random profiles, as they always were: the same filters as earlier
    # runs on the same data.
    partnership_params = partnership_filters(rng)
    random_cooperatives = [slug for _pk, slug in sample(slugs, RANDOM_DETAILS, rng)]
    random_partnerships = sample(partnerships, RANDOM_DETAILS, rng)
    random_partners = sample(partners, RANDOM_DETAILS, rng)

    coop_list = url("registry:cooperative_list")
    cases = [
        Case("healthz", "ceiling", [url("healthz")]),
        Case("home", "list", [url("home")]),
        Case("coop_list", "list", [coop_list]),
        Case(
            "coop_list_page1000",
            "list",
            [url("registry:cooperative_list", {"page": page})],
            note=f"page {page} of {pages}",
            extra={"page": page},
        ),
        Case(
            "coop_list_filtered",
            "list",
            [url("registry:cooperative_list", params) for params in filters],
            note=f"{len(filters)} tier+province+q filters, most members first",
        ),
        *(
            [Case(
                "coop_list_regency",
                "list",
                [url("registry:cooperative_list", params) for params in regencies],
                note=f"{len(regencies)} province+regency filters, by name",
            )]
            if regencies else []
        ),  # fmt: skip
        Case(
            "coop_search",
            "list",
            [url("registry:cooperative_list", {"q": q}) for q in terms],
            note=f"{len(terms)} search texts",
        ),
        Case(
            "partnership_list_filtered",
            "list",
            [url("partnerships:partnership_list", params) for params in partnership_params],
            note="category+year+province filters",
        ),
        Case("statistics", "list", [url("partnerships:statistics")]),
        Case(
            "coop_detail_top",
            "detail",
            [url("registry:cooperative_detail", slug=slug) for slug in top],
            note=f"the {len(top)} cooperatives with the most partnership parties",
        ),
        Case(
            "coop_detail_random",
            "detail",
            [url("registry:cooperative_detail", slug=slug) for slug in random_cooperatives],
            note=f"{len(random_cooperatives)} random verified cooperatives",
        ),
        # The parts of a profile that are pages of their own, which the profile fetches.
        Case(
            "coop_members_top",
            "detail",
            [url("registry:cooperative_members", slug=slug) for slug in largest],
            note=f"the members of the {len(largest)} federations with the most members",
        ),
        Case(
            "coop_network_top",
            "detail",
            [url("partnerships:cooperative_network", slug=slug) for slug in top],
            note=f"the networks of the {len(top)} cooperatives with the most partnership parties",
        ),
        Case(
            "coop_suggestions_random",
            "detail",
            [url("partnerships:cooperative_suggestions", slug=slug) for slug in random_cooperatives],
            note=f"the suggested partners of {len(random_cooperatives)} random verified cooperatives",
        ),
        Case(
            "partnership_detail_random",
            "detail",
            [url("partnerships:partnership_detail", reference=reference) for reference in random_partnerships],
            note=f"{len(random_partnerships)} random verified partnerships",
        ),
        Case(
            "partner_detail_random",
            "detail",
            [url("registry:partner_detail", slug=slug) for slug in random_partners],
            note=f"{len(random_partners)} random verified partners",
        ),
        Case(
            "admin_coop_changelist",
            "admin",
            [url("admin:registry_cooperative_changelist", admin_params(params)) for params in filters],
            user=CURATOR,
            note="as kurator, the filters of coop_list_filtered",
        ),
        Case(
            "dashboard_busiest",
            "dashboard",
            [url("partnerships:dashboard")],
            user=official_of(top[0]),
            note="as the official of the cooperative with the most partnership parties",
        ),
        *api_cases(filters),
    ]
    return (
        cases
        + live_variants(cases)
        + live_variants(cases, bases=API_LIVE_BASES, rates=API_WRITE_RATES, random_param=False)
    )


def api_read(client, path):
    """A visitor's read of the API in this process: its page, which must be JSON with rows."""
    response = client.get(path)
    if response.status_code != 200 or response["Content-Type"] != "application/json":
        raise ValueError(f"{path} answered {response.status_code} {response['Content-Type']}, not 200 JSON")
    page = json.loads(response.content)
    if not page.get("results"):
        raise ValueError(f"{path} answered no rows")
    return page


def deep_cursor(client, path, position):
    """The cursor of the page after `position` rows of the list at `path`, walked as a
    client walks it: each page from the `next` of the one before (pages of up to
    MAX_LIMIT rows, only their keys)."""
    cursor, walked = None, 0
    while walked < position:
        size = min(MAX_LIMIT, position - walked)
        page = api_read(client, url(path, {"limit": size, "brief": 1, **({"cursor": cursor} if cursor else {})}))
        if len(page["results"]) != size or not page["next"]:
            raise ValueError(f"{path} ends before row {position:,}")
        cursor = parse_qs(urlsplit(page["next"]).query)["cursor"][0]
        walked += size
    return cursor


def api_cases(filters):
    """The API's cases (issue 14 §5), each URL read once here first: 200 JSON with rows.

    The deep page is the partnerships' after DEEP_POSITION rows (fewer when the list
    is shorter: its last full page), measured as the first page is.
    """
    # As the server's own host (ALLOWED_HOSTS), a visitor; the server's API rate.
    client = Client(HTTP_HOST="127.0.0.1")
    visible = Partnership.objects.visible_to(AnonymousUser()).count()
    position = max(0, min(DEEP_POSITION, visible - API_LIMIT))
    first = url("api:partnership-list", {"limit": API_LIMIT})
    deep = url(
        "api:partnership-list",
        {"limit": API_LIMIT, **({"cursor": deep_cursor(client, "api:partnership-list", position)} if position else {})},
    )
    cases = [
        Case("api_cooperatives", "api", [url("api:cooperative-list", {"limit": API_LIMIT})]),
        Case(
            "api_cooperatives_filtered",
            "api",
            [url("api:cooperative-list", params | {"limit": API_LIMIT}) for params in filters],
            note=f"the {len(filters)} filters of coop_list_filtered",
        ),
        Case("api_partners", "api", [url("api:partner-list", {"limit": API_LIMIT})]),
        Case("api_partnerships", "api", [first]),
        Case("api_partnerships_deep", "api", [deep], note=f"the page after {position:,} rows, by its cursor"),
        Case(
            "api_partnerships_304",
            "api_304",
            [first],
            expect=304,
            note="api_partnerships' page asked with If-None-Match: the ETag of its warm answer",
        ),
    ]
    for path in dict.fromkeys(path for case in cases for path in case.urls):
        api_read(client, path)
    return cases


def official_of(slug):
    """The benchmark's official of this cooperative (made on first use), the only one
    it represents: its dashboard shows that cooperative's partnerships alone."""
    user = get_user_model().objects.get_or_create(username=BUSIEST_OFFICIAL)[0]
    cooperative = Cooperative.objects.get(slug=slug)
    Representation.objects.filter(user=user).exclude(cooperative=cooperative).delete()
    Representation.objects.get_or_create(
        user=user, cooperative=cooperative, defaults={"state": RepresentationState.APPROVED}
    )
    return user.username


def csv_exports():
    """The two CSV downloads (as kurator): every cooperative, and about a twentieth of them.

    The smaller one is a province's, not tier=primer's: primary cooperatives are most of
    the registry, and memory that does not grow with rows shows best against few rows.
    """
    total = Cooperative.objects.count()
    by_province = Cooperative.objects.values_list("province").annotate(n=Count("pk")).filter(province__isnull=False)
    province, rows = min(by_province, key=lambda pair: (abs(pair[1] - total / 20), pair[0]))
    return [
        {"name": "csv_all", "url": url("registry:cooperative_list", {"format": "csv"}), "rows": total},
        {
            "name": "csv_one_province",
            "url": url("registry:cooperative_list", {"format": "csv", "province": province}),
            "rows": rows,
        },
    ]
