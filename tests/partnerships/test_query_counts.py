"""The partnership pages cost the same number of queries with 1 row as with many.

Every expected count names its queries, in the order the page makes them.
"""

import pytest
from django.db import connection

from kopnet.models import Verification
from partnerships import selectors
from tests.factories import CooperativeFactory, PartnerFactory, RepresentationFactory, UserFactory, sector
from tests.partnerships.public_data import document, federation, foreign_partner, partnership, pending

pytestmark = pytest.mark.django_db

PAGE = 50
# The data version is one query. Inside a test's transaction, PostgreSQL first runs
# the deferred version triggers and resets their flag (kopnet.cache.data_version):
# two more statements that a request in autocommit, as in production, never makes.
VERSION_QUERIES = 3 if connection.vendor == "postgresql" else 1


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def partnerships(count, coop=None):
    """`count` partnerships of three parties each (two cooperatives and a partner)."""
    return [
        partnership(
            coop or CooperativeFactory(),
            CooperativeFactory(),
            PartnerFactory(),
            objectives=["daya-tawar", "akses-pasar"],
            fields=["perdagangan"],
        )
        for _ in range(count)
    ]


@pytest.mark.parametrize("rows", [1, PAGE])
def test_list_queries_do_not_grow_with_rows(visitor, django_assert_num_queries, rows):
    partnerships(rows)
    # 1 the data version, 2 count for the pager, 3 objective, 4 field and 5 province
    # choices of the filter form, 6 the page of partnerships, 7 their parties with
    # cooperative or partner.
    with django_assert_num_queries(6 + VERSION_QUERIES):
        response = visitor.get("/kerjasama/")
    assert len(response.context["object_list"]) == rows


@pytest.mark.parametrize("rows", [1, PAGE])
def test_filtered_list_queries_do_not_grow_with_rows(visitor, django_assert_num_queries, rows):
    coop = CooperativeFactory()
    partnerships(rows, coop=coop)
    # 1 the objective and 2 the cooperative named in the URL (validation), 3 the
    # data version, 4 count, 5 objective, 6 field and 7 province choices, 8 the
    # page, 9 its parties.
    with django_assert_num_queries(8 + VERSION_QUERIES):
        response = visitor.get("/kerjasama/", {"cooperative": coop.slug, "objective": "daya-tawar", "international": "false"})
    assert len(response.context["object_list"]) == rows


@pytest.mark.parametrize("rows", [1, PAGE + 20])
def test_csv_queries_do_not_grow_with_rows(visitor, django_assert_num_queries, rows):
    partnerships(rows)
    # 1 the partnerships, 2 their parties, 3 objectives, 4 fields (one chunk of 2000).
    with django_assert_num_queries(4):
        response = visitor.get("/kerjasama/", {"format": "csv"})
        lines = b"".join(response.streaming_content).decode().splitlines()
    assert len(lines) == rows + 1


@pytest.mark.parametrize(("parties", "documents"), [(1, 1), (12, 10)])
def test_detail_queries_do_not_grow_with_parties_or_documents(visitor, django_assert_num_queries, parties, documents):
    record = partnership(CooperativeFactory(), *[foreign_partner() for _ in range(parties)], objectives=["daya-tawar"])
    for _ in range(documents):
        document(record)
    # 1 the partnership with its initiator and new entity, 2 its parties with their
    # organisations, provinces and who answered, 3 objectives, 4 fields, 5 documents.
    with django_assert_num_queries(5):
        response = visitor.get(f"/kerjasama/{record.reference}/")
    assert response.status_code == 200
    assert len(response.context["partnership"].parties.all()) == parties + 1


@pytest.mark.parametrize(("parties", "documents"), [(1, 1), (12, 10)])
def test_detail_queries_for_a_party_official(client, django_assert_num_queries, parties, documents):
    coop = CooperativeFactory()
    official = UserFactory()
    RepresentationFactory(user=official, cooperative=coop)
    client.force_login(official)
    record = partnership(coop, *[PartnerFactory() for _ in range(parties)])
    for _ in range(documents):
        document(record)
    # 1 session, 2 user, 3 user and 4 group permissions (visible_to), 5 the
    # partnership, 6 parties, 7 objectives, 8 fields, 9 documents, 10 whether the
    # reader acts for the initiator (the Edit link), 11 whether they act for a party,
    # 12 the latest change proposed (what concerns the parties) and 13 whether they
    # follow it (the Follow button).
    with django_assert_num_queries(13):
        response = client.get(f"/kerjasama/{record.reference}/")
    assert response.context["may_edit"] is True


@pytest.mark.parametrize("rows", [1, 70])
def test_cooperative_page_queries_do_not_grow_with_partnerships(visitor, django_assert_num_queries, rows):
    coop = CooperativeFactory(sectors=[sector("pertanian")])
    partnerships(rows, coop=coop)
    # 1 the cooperative with its province (and whether the reader acts for it), 2 its
    # sectors, 3 its federations (none), 4 how many partnerships it has, 5 its latest
    # partnerships, 6 their parties, 7 the partnership that founded it (none; issue
    # 13, under its name). On PostgreSQL 4 to 6 read the network it keeps
    # for visitors (partnerships/migrations/0012), 5 and 6 in one query; inside a
    # test's transaction, the deferred trigger that applies this transaction's writes
    # to it runs before 4: one statement more that a request in autocommit, as in
    # production, never makes. Its network and suggestions are pages of their own
    # (below).
    with django_assert_num_queries(7):
        response = visitor.get(f"/koperasi/{coop.slug}/")
    assert response.context["partnership_count"] == rows
    assert len(response.context["partnerships"]) == min(rows, selectors.PROFILE_PARTNERSHIPS)


@pytest.mark.parametrize("rows", [1, 70])
def test_network_page_queries_do_not_grow_with_partnerships(visitor, django_assert_num_queries, rows):
    coop = CooperativeFactory()
    partnerships(rows, coop=coop)
    # 1 the cooperative, 2 partnership and partner totals, 3 the party rows of the
    # network (on PostgreSQL: what it keeps, after the deferred trigger, as above).
    with django_assert_num_queries(3 + (connection.vendor == "postgresql")):
        response = visitor.get(f"/koperasi/{coop.slug}/jaringan/")
    # Every partner is new, so the picture stops at 60 of them.
    assert len(response.context["network"]["graph"]["edges"]) == min(2 * rows, 60)
    assert response.context["network"]["more"] == max(2 * rows - 60, 0)


@pytest.mark.parametrize("rows", [1, 8])
def test_suggestion_page_queries_do_not_grow_with_suggestions(visitor, django_assert_num_queries, rows):
    coop = CooperativeFactory(sectors=[sector("pertanian")])
    for _ in range(rows):
        CooperativeFactory(sectors=[sector("pertanian")])
        federation(sectors=[sector("pertanian")])
    partnerships(3, coop=coop)
    # 1 the cooperative with its province, 2 its sectors, 3 horizontal suggestions,
    # 4 vertical suggestions (leaving out the federations above it, found in the same
    # query), 5 the sectors both kinds share with it.
    with django_assert_num_queries(5):
        response = visitor.get(f"/koperasi/{coop.slug}/saran/")
    assert len(response.context["suggested_horizontal"]) == min(rows, selectors.SUGGESTIONS)
    assert len(response.context["suggested_vertical"]) == min(rows, selectors.SUGGESTIONS)


@pytest.mark.parametrize("rows", [1, 30])
def test_partner_page_queries_do_not_grow_with_partnerships(visitor, django_assert_num_queries, rows):
    bank = PartnerFactory()
    for _ in range(rows):
        partnership(CooperativeFactory(), bank)
    # 1 the partner with its province, 2 the partnership that founded it (none), 3
    # count of its partnerships, 4 the latest ones, 5 their parties.
    with django_assert_num_queries(5):
        response = visitor.get(f"/mitra/{bank.slug}/")
    assert response.context["partnership_count"] == rows


@pytest.mark.parametrize("rows", [1, 40])
def test_statistics_queries_do_not_grow_with_rows(visitor, django_assert_num_queries, rows):
    partnerships(rows)
    if connection.vendor == "postgresql":
        # 1 the counts PostgreSQL keeps, after (in a test's transaction only) the
        # deferred trigger that applies this transaction's writes to them;
        # 2 the provinces' names, 3 the fields of cooperation, 4 "data as of": the
        # latest change of a verified partnership or cooperative (issue 12), 5 the
        # partnerships at the rarer corroboration levels (issue 13).
        expected = 5 + 1
    else:
        # Counted from the tables: 1 partnerships by category, direction and
        # international (one aggregate), 2 by start year, 3 by end year (issue 13),
        # 4 by field, 5 by province of a party, 6 cooperatives by tier and type (one
        # aggregate), 7 by province; then 8 the provinces' names, 9 the fields of
        # cooperation, 10 "data as of": the latest change of a verified partnership or
        # cooperative (issue 12), 11 the partnerships at the rarer corroboration levels
        # (issue 13). The maps of the provinces ask nothing more.
        expected = 11
    with django_assert_num_queries(expected):
        response = visitor.get("/statistik/")
    assert response.context["partnerships"]["total"] == rows


# --- readers who see organisations awaiting verification ------------------------------
# The policy names an unverified organisation to curators (their permissions) and to
# the officials it concerns (what they registered or proposed, read once a request):
# never a query for each organisation.


def waiting_partnerships(count, coop=None, proposer=None):
    """`count` partnerships awaiting verification, each with `coop` (or a new
    cooperative), a cooperative and two partners awaiting verification, one of them
    proposed by `proposer`."""
    return [
        pending(
            coop or CooperativeFactory(),
            CooperativeFactory(verification=Verification.PENDING),
            PartnerFactory(verification=Verification.PENDING, proposed_by=proposer),
            PartnerFactory(verification=Verification.PENDING),
        )
        for _ in range(count)
    ]


@pytest.mark.parametrize("rows", [1, PAGE])
def test_list_queries_for_a_curator_do_not_grow_with_unverified_organisations(
    curator, django_assert_num_queries, rows
):
    waiting_partnerships(rows)
    # 1 session, 2 user, 3 user and 4 group permissions (visible_to), then as for a
    # visitor: 5 data version, 6 count, 7 objective, 8 field and 9 province choices,
    # 10 the page, 11 its parties.
    with django_assert_num_queries(10 + VERSION_QUERIES):
        response = curator.get("/kerjasama/")
    assert len(response.context["object_list"]) == rows
    assert response.content.decode().count("PT Mitra Contoh") == 2 * rows


@pytest.mark.parametrize("rows", [1, PAGE])
def test_list_queries_for_an_official_do_not_grow_with_unverified_organisations(
    client, django_assert_num_queries, rows
):
    coop = CooperativeFactory()
    official = UserFactory()
    RepresentationFactory(user=official, cooperative=coop)
    client.force_login(official)
    waiting_partnerships(rows, coop=coop, proposer=official)
    # 1 session, 2 user, 3 user and 4 group permissions (visible_to), 5 data version,
    # 6 count, 7 objective, 8 field and 9 province choices, 10 the page, 11 its
    # parties, 12 the cooperatives the official registered or asked to represent,
    # 13 the partners they proposed, 14 the cooperatives they act for.
    with django_assert_num_queries(13 + VERSION_QUERIES):
        response = client.get("/kerjasama/")
    assert len(response.context["object_list"]) == rows
    content = response.content.decode()
    # Every organisation is named to the official of a party of a waiting partnership.
    assert content.count("PT Mitra Contoh") == 2 * rows


@pytest.mark.parametrize("rows", [1, 25])
def test_cooperative_page_queries_for_a_curator_do_not_grow_with_unverified_organisations(
    curator, django_assert_num_queries, rows
):
    coop = CooperativeFactory()
    waiting_partnerships(rows, coop=coop)
    # 1 session, 2 user, 3 user and 4 group permissions, 5 the cooperative, 6 its
    # sectors, 7 its federations, 8 how many partnerships it has, 9 its latest
    # partnerships, 10 their parties, 11 whether the curator follows it, 12 the
    # partnership that founded it (none).
    with django_assert_num_queries(12):
        response = curator.get(f"/koperasi/{coop.slug}/")
    assert response.context["partnership_count"] == rows
    # Its network: 1-4 the curator, 5 the cooperative, 6 partnership and partner
    # totals, 7 the party rows.
    with django_assert_num_queries(7):
        network = curator.get(f"/koperasi/{coop.slug}/jaringan/")
    assert network.context["network"]["totals"]["partnerships"] == rows
