"""No input makes a list answer 500: whatever the query string of /koperasi/, /mitra/
or /kerjasama/ (HTML or CSV), the answer is 2xx or 4xx.

Hypothesis draws query strings from every parameter a list reads: its FilterSet's
filters (q and the sort order among them), `page` and `format`, and keys it does not
know. Each parameter gets valid values (the form's own choices and the records
present), invalid ones, repeats, unicode, NUL bytes, empty values and page numbers
of any size and sign; the query string itself may hold malformed percent escapes.
A failure prints the query string that broke the list.
"""

from urllib.parse import quote_plus

import pytest
from django import forms
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import transaction
from django.test import Client, override_settings
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from kopnet.models import Verification
from partnerships.filters import PartnershipFilter
from registry.filters import CooperativeFilter, PartnerFilter
from registry.models import Cooperative, Partner, Regency, Tier
from tests.factories import CooperativeFactory, PartnerFactory, PartnershipFactory, sector

pytestmark = pytest.mark.django_db

LISTS = {
    "/koperasi/": CooperativeFilter,
    "/mitra/": PartnerFilter,
    "/kerjasama/": PartnershipFilter,
}
PAGE_SIZE = django_settings.KOPNET_PAGE_SIZE
# Parameters a list reads besides its filters.
LIST_PARAMETERS = ["page", "format"]

TEXT = st.text(st.characters(codec="utf-8"), max_size=30)
NUMBER_TEXT = st.integers().map(str) | st.integers(min_value=10**18).map(lambda n: f"-{n}")
ODD_VALUES = [
    "", " ", "\x00", "a\x00", "\x00\x00", "0", "-1", "1.5", "1e9", "+1", "1_000", "٣", "１", " 2 ", "last",
    "9" * 30, "9" * 5000, "true", "false", "null", "None", "x" * 300, "<b>", "' OR 1=1 --", "%00", "\u202e",
    "\ud7ff", "\U0001f600", "Ω" * 201, "a" * 201,
]  # fmt: skip
INVALID = st.sampled_from(ODD_VALUES) | TEXT | NUMBER_TEXT
# Keys no list reads, some close to ones it does.
UNKNOWN_KEYS = st.sampled_from(["members_page", "utm_source", "Page", "q[]", "page ", "format\x00", "", "\x00"]) | TEXT
# Bits of a query string that no encoder writes.
MALFORMED = st.sampled_from(["%", "%zz", "%ff%fe", "&&", "=", "==x", ";", "q", "page", "%C0%80", "%ED%A0%80"])


def valid_values(field):
    """What the form accepts for this field, from its own choices and the records present."""
    if isinstance(field, forms.ModelChoiceField):
        return [str(value) for value in field.queryset.values_list(field.to_field_name or "pk", flat=True)]
    if isinstance(field, forms.ChoiceField):
        return [str(value) for value, _label in field.choices if value not in ("", None)]
    if isinstance(field, forms.IntegerField):
        return [str(field.min_value), str(field.max_value), "2024"]
    return ["koperasi", "Makmur", "ktm", "a", "Bank", "pupuk", "  a  ", "tidak ada"]  # searches, most finding rows


def parameter_values(filterset_class):
    """{name: a strategy of a value} for every parameter this list reads."""
    fields = filterset_class(data={}, request=None).form.fields
    names = list(fields) + LIST_PARAMETERS
    assert {"q", "ordering", "page", "format"} <= set(names)
    known = {name: valid_values(field) for name, field in fields.items()}
    # Pages that exist, and numbers past any end of every size the database may or may
    # not hold (2**63 overflows a bigint).
    known["page"] = ["1", "2", "last", "200000000000000000", str(2**31), str(2**63), "9" * 40]
    known["format"] = ["csv"]
    for name in names:
        assert known[name], f"no valid value drawn for {name}"
    # Mostly values of the parameter's kind: one invalid filter answers 400 before any
    # row is read, and the paths behind a valid form are the ones to explore.
    return {name: st.sampled_from([st.sampled_from(known[name])] * 4 + [INVALID]).flatmap(lambda s: s) for name in names}


def present(values, often):
    """A parameter's values in a query string: absent, once, or repeated."""
    counts = [0, 1, 1, 1, 2] if often else [0, 0, 0, 0, 0, 0, 1, 1, 2]
    return st.sampled_from(counts).flatmap(lambda n: st.lists(values, min_size=n, max_size=n))


def written(key, value):
    """key=value, or now and then the bare key."""
    return st.sampled_from([f"{quote_plus(key)}={quote_plus(value)}"] * 7 + [quote_plus(key)])


def query_strings(filterset_class, csv):
    """Query strings of the list's parameters, each absent, present or repeated, with
    unknown keys, in any order, some written as a bare key, with malformed bits at the
    end; with `csv`, one of them is format=csv. `q` and `page` are drawn more often: they
    choose how the rows are counted and fetched."""
    values = parameter_values(filterset_class)
    pairs = st.fixed_dictionaries(
        {name: present(strategy, often=name in ("q", "page")) for name, strategy in values.items()}
    ).map(lambda drawn: [(name, value) for name, listed in drawn.items() for value in listed])
    pairs = st.tuples(pairs, st.lists(st.tuples(UNKNOWN_KEYS, INVALID), max_size=2)).map(lambda p: p[0] + p[1])
    if csv:
        pairs = pairs.map(lambda p: p + [("format", "csv")])
    parts = pairs.flatmap(st.permutations).flatmap(
        lambda ordered: st.tuples(*(written(key, value) for key, value in ordered)).map(list)
    )
    return st.builds(lambda parts, tail: "&".join(parts + tail), parts, st.lists(MALFORMED, max_size=2))


@pytest.fixture
def records(db):
    """A few verified records of each kind, and one waiting for verification."""
    farming = CooperativeFactory(name="Koperasi Tani Makmur", short_name="KTM", sectors=[sector()])
    fishing = CooperativeFactory(name="Koperasi Nelayan Sejahtera")
    federation = CooperativeFactory(name="Pusat Koperasi Jawa", tier=Tier.SEKUNDER, individual_members=None)
    CooperativeFactory(name="Koperasi Menunggu", verification=Verification.PENDING)
    bank = PartnerFactory(name="PT Bank Contoh")
    PartnerFactory(name="Universitas Contoh", country="JP", province=None)
    # Two regencies of the factories' province (32), one a record's, one of none.
    Regency.objects.create(code="32.04", province_id="32", name="Kabupaten Bandung")
    Regency.objects.create(code="32.73", province_id="32", name="Kota Bandung")
    Cooperative.objects.filter(pk=fishing.pk).update(regency_place_id="32.04")
    Partner.objects.filter(pk=bank.pk).update(regency_place_id="32.04")
    PartnershipFactory(initiator=farming, parties=[farming, fishing], title="Kerjasama pupuk")
    PartnershipFactory(initiator=farming, parties=[farming, bank], title="Kredit usaha")
    PartnershipFactory(initiator=fishing, parties=[fishing, federation], direction="vertikal")


@pytest.fixture
def readers(records, curator_user):
    curator = Client()
    curator.force_login(curator_user)
    return {"visitor": Client(), "curator": curator}


def get(client, url):
    """The answer to a GET, its streamed content read; in a savepoint, so that on
    PostgreSQL a failed query does not poison the test's transaction and every later
    request with it."""
    with transaction.atomic():
        response = client.get(url)
        if response.streaming:
            response.content_read = b"".join(response.streaming_content)  # a CSV may fail while it streams
    return response


def list_settings(max_examples):
    return settings(
        max_examples=max_examples,
        deadline=None,
        database=None,  # no examples kept between runs: a failure prints its query string
        phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],  # no slow "explain"
        # One set of records for all the examples of a list: each example only reads.
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


def answers_without_500(readers, path, data, csv):
    query = data.draw(query_strings(LISTS[path], csv), label="query")
    reader = data.draw(st.sampled_from(["visitor", "curator"]), label="reader")
    page_cache = data.draw(st.booleans(), label="page_cache")  # production serves visitors from it
    cache.clear()  # every example counts afresh: a count cached by another changes the path taken

    with override_settings(KOPNET_PAGE_CACHE=page_cache):
        response = get(readers[reader], f"{path}?{query}")

    assert 200 <= response.status_code < 300 or 400 <= response.status_code < 500


@pytest.mark.parametrize("path", LISTS)
@list_settings(max_examples=80)  # about 1 in 12 examples searches on a page past any offset
@given(data=st.data())
def test_no_list_input_answers_500(readers, path, data):
    answers_without_500(readers, path, data, csv=False)


@pytest.mark.parametrize("path", LISTS)
@list_settings(max_examples=50)  # no pagination: fewer paths to explore
@given(data=st.data())
def test_no_csv_input_answers_500(readers, path, data):
    answers_without_500(readers, path, data, csv=True)


# Page numbers past the end of any list: past these few rows, about the largest row
# offset SQLite and PostgreSQL take (a signed 64-bit integer), and beyond.
MAX_OFFSET = 2**63 - 1
PAST_THE_END = [
    "3", "0", "-1", "200000000000000000", str(MAX_OFFSET // PAGE_SIZE), str(MAX_OFFSET // PAGE_SIZE + 1),
    str(2**64), "9" * 40,
]  # fmt: skip


@pytest.mark.parametrize("search", ["", "a"], ids=["all", "search"])
@pytest.mark.parametrize("path", LISTS)
def test_a_page_past_the_end_is_404_with_a_search_as_without(records, visitor, path, search):
    # With a search, an uncounted list gets its count with the page's rows
    # (CachedCountPaginator.page_with_count): the cache is emptied before each request.
    assert get(visitor, f"{path}?q={search}").context["paginator"].count > 0
    statuses = {}
    for number in PAST_THE_END:
        cache.clear()
        statuses[number] = get(visitor, f"{path}?q={search}&page={number}").status_code

    assert statuses == {number: 404 for number in PAST_THE_END}


@pytest.mark.parametrize("search", ["", "a"], ids=["all", "search"])
@pytest.mark.parametrize("path", LISTS)
def test_the_last_page_is_the_last_with_a_search_as_without(records, visitor, path, search):
    first = get(visitor, f"{path}?q={search}")
    cache.clear()

    last = get(visitor, f"{path}?q={search}&page=last")

    assert last.status_code == 200
    assert list(last.context["page_obj"]) == list(first.context["page_obj"])  # these few rows are one page
