"""Who may open what: every URL × every actor × the expected status.

Visitors and officials see verified records only (an official's own pending
records come with the partnerships issue); curators see everything and work in
the admin; anything a user may not see answers 404, never 403.
"""

import json
from datetime import date

import pytest

from kopnet.models import Verification
from registry import services
from registry.models import Cooperative, MembershipProposal, Regency, Tier
from tests.factories import CooperativeFactory, PartnerFactory, RepresentationFactory, UserFactory

ACTORS = ["visitor", "official", "other_official", "curator"]


def federation(**fields):
    return CooperativeFactory(tier=Tier.SEKUNDER, individual_members=None, **fields)


def listed_snapshot(folder):
    """A snapshot as /data/ lists it (its manifest, zip and checksum file), written
    without exporting one: the matrix opens its files, tests/api/test_open_data.py
    tests what an export writes."""
    folder.mkdir()
    name = "kopnet-open-data-2026-05-01T020000Z"
    (folder / f"{name}.zip").write_bytes(b"PK\x05\x06" + bytes(18))  # an empty zip
    (folder / f"{name}.sha256").write_text(f"{'0' * 64}  {name}.zip\n")
    manifest = {"name": f"{name}.zip", "checksum_file": f"{name}.sha256", "created": "2026-05-01T02:00:00Z",
                "size": 22, "sha256": "0" * 64, "previous": None, "rows": {}, "changes": None}  # fmt: skip
    (folder / f"{name}.json").write_text(json.dumps(manifest))
    return name


@pytest.fixture
def records(db, settings, tmp_path):
    settings.KOPNET_OPEN_DATA_DIR = tmp_path / "open-data"
    found = {
        "snapshot": listed_snapshot(settings.KOPNET_OPEN_DATA_DIR),
        "coop_verified": CooperativeFactory(name="Koperasi Terverifikasi"),
        "coop_pending": CooperativeFactory(name="Koperasi Menunggu", verification=Verification.PENDING),
        "coop_rejected": CooperativeFactory(
            name="Koperasi Ditolak", verification=Verification.REJECTED, verification_note="Data palsu."
        ),
        "fed_verified": federation(name="Puskop Terverifikasi"),
        "fed_pending": federation(name="Puskop Menunggu", verification=Verification.PENDING),
        "fed_rejected": federation(
            name="Puskop Ditolak", verification=Verification.REJECTED, verification_note="Data palsu."
        ),
        "partner_verified": PartnerFactory(name="PT Terverifikasi"),
        "partner_pending": PartnerFactory(name="PT Menunggu", verification=Verification.PENDING),
        "partner_rejected": PartnerFactory(
            name="PT Ditolak", verification=Verification.REJECTED, verification_note="Tidak ada."
        ),
    }
    # A duplicate merged into the verified cooperative (issue 13 §5).
    found["coop_merged"] = CooperativeFactory(name="Koperasi Terverifikasi Ganda")
    services.record_merge(
        curator=UserFactory(is_staff=True, is_superuser=True), model=Cooperative,
        survivor_pk=found["coop_verified"].pk, merged_pk=found["coop_merged"].pk,
    )  # fmt: skip
    # A regency/city with its code (issue 13 §3), the pending cooperative placed in it.
    found["regency"] = Regency.objects.create(code="32.04", province_id="32", name="Kabupaten Bandung")
    Cooperative.objects.filter(pk=found["coop_pending"].pk).update(province_id="32", regency_place_id="32.04")
    found["proposal_pending"] = MembershipProposal.objects.create(
        member=found["coop_pending"], federation=found["fed_verified"], start_date=date(2020, 1, 1)
    )
    return found


PUBLIC = {actor: 200 for actor in ACTORS}
CURATORS_ONLY = {"visitor": 404, "official": 404, "other_official": 404, "curator": 200}
ADMIN = {"visitor": 302, "official": 302, "other_official": 302, "curator": 200}

MATRIX = [
    ("/", PUBLIC),
    ("/healthz", PUBLIC),
    ("/koperasi/", PUBLIC),
    ("/koperasi/?format=csv", PUBLIC),
    ("/koperasi/{coop_verified.slug}/", PUBLIC),
    ("/koperasi/{coop_pending.slug}/", CURATORS_ONLY),
    ("/koperasi/{coop_rejected.slug}/", CURATORS_ONLY),
    ("/koperasi/tidak-ada/", {actor: 404 for actor in ACTORS}),
    # Parts of a profile that are pages of their own follow the profile.
    ("/koperasi/{coop_verified.slug}/jaringan/", PUBLIC),
    ("/koperasi/{coop_pending.slug}/jaringan/", CURATORS_ONLY),
    ("/koperasi/{coop_rejected.slug}/jaringan/", CURATORS_ONLY),
    ("/koperasi/tidak-ada/jaringan/", {actor: 404 for actor in ACTORS}),
    ("/koperasi/{coop_verified.slug}/saran/", PUBLIC),
    ("/koperasi/{coop_pending.slug}/saran/", CURATORS_ONLY),
    ("/koperasi/{coop_rejected.slug}/saran/", CURATORS_ONLY),
    ("/koperasi/tidak-ada/saran/", {actor: 404 for actor in ACTORS}),
    ("/koperasi/{fed_verified.slug}/anggota/", PUBLIC),
    ("/koperasi/{fed_pending.slug}/anggota/", CURATORS_ONLY),
    ("/koperasi/{fed_rejected.slug}/anggota/", CURATORS_ONLY),
    ("/koperasi/{coop_verified.slug}/anggota/", {actor: 404 for actor in ACTORS}),  # a primary has none
    ("/koperasi/tidak-ada/anggota/", {actor: 404 for actor in ACTORS}),
    # Read as on a past day (issue 13 §4): the same readers; a wrong day is a 400 for
    # those who may see the record, a 404 still for the others.
    ("/koperasi/{coop_verified.slug}/?as_of=2020-01-01", PUBLIC),
    ("/koperasi/{coop_pending.slug}/?as_of=2020-01-01", CURATORS_ONLY),
    ("/koperasi/{coop_verified.slug}/?as_of=2999-01-01", {actor: 400 for actor in ACTORS}),
    ("/koperasi/{coop_pending.slug}/?as_of=2999-01-01", {**CURATORS_ONLY, "curator": 400}),
    ("/koperasi/{coop_verified.slug}/jaringan/?as_of=2020-01-01", PUBLIC),
    ("/koperasi/{coop_rejected.slug}/jaringan/?as_of=2020-01-01", CURATORS_ONLY),
    ("/koperasi/{fed_verified.slug}/anggota/?as_of=2020-01-01", PUBLIC),
    ("/koperasi/{fed_pending.slug}/anggota/?as_of=2020-01-01", CURATORS_ONLY),
    ("/koperasi/{fed_verified.slug}/anggota/?as_of=kemarin", {actor: 400 for actor in ACTORS}),
    ("/mitra/{partner_verified.slug}/?as_of=2020-01-01", PUBLIC),
    ("/mitra/{partner_pending.slug}/?as_of=2020-01-01", CURATORS_ONLY),
    ("/mitra/{partner_verified.slug}/jaringan/?as_of=2999-01-01", {actor: 400 for actor in ACTORS}),
    ("/kerjasama/?active_on=2020-01-01", PUBLIC),
    ("/kerjasama/?active_on=2999-01-01", {actor: 400 for actor in ACTORS}),
    ("/kerjasama/?started=2020", PUBLIC),
    # A merged duplicate's addresses lead everyone to the record kept (issue 13 §5).
    ("/koperasi/{coop_merged.slug}/", {actor: 301 for actor in ACTORS}),
    ("/koperasi/{coop_merged.slug}/jaringan/", {actor: 301 for actor in ACTORS}),
    ("/admin/registry/cooperative/duplicates/", ADMIN),
    ("/admin/registry/partner/duplicates/", ADMIN),
    ("/mitra/", PUBLIC),
    # The places (issue 13 §3): the pickers' lists, the lists by regency, a province's statistics.
    ("/wilayah/?within=32", PUBLIC),
    ("/wilayah/?within=32.04", PUBLIC),
    ("/wilayah/", {actor: 400 for actor in ACTORS}),
    ("/wilayah/?within=x", {actor: 400 for actor in ACTORS}),
    ("/koperasi/?province=32&regency=32.04", PUBLIC),
    ("/koperasi/?regency=32.04&format=csv", PUBLIC),
    ("/koperasi/?province=31&regency=32.04", {actor: 400 for actor in ACTORS}),
    ("/mitra/?regency=32.04", PUBLIC),
    ("/mitra/?regency=99.99", {actor: 400 for actor in ACTORS}),
    ("/statistik/wilayah/?province=32", PUBLIC),
    ("/statistik/wilayah/", PUBLIC),
    ("/statistik/wilayah/?province=00", {actor: 400 for actor in ACTORS}),
    ("/admin/registry/cooperative/?regency_code=to_code", ADMIN),
    # The registry's search: everyone may search; what each finds is tests/test_search.py's.
    ("/cari/", PUBLIC),
    ("/cari/?q=menunggu", PUBLIC),
    ("/cari/?q=KS-1999-000001", PUBLIC),
    ("/mitra/?format=csv", PUBLIC),
    ("/mitra/{partner_verified.slug}/", PUBLIC),
    # A partner's network, a page its profile fetches, follows the profile.
    ("/mitra/{partner_verified.slug}/jaringan/", PUBLIC),
    ("/mitra/{partner_pending.slug}/jaringan/", CURATORS_ONLY),
    ("/mitra/{partner_rejected.slug}/jaringan/", CURATORS_ONLY),
    ("/mitra/tidak-ada/jaringan/", {actor: 404 for actor in ACTORS}),
    ("/mitra/{partner_pending.slug}/", CURATORS_ONLY),
    ("/mitra/{partner_rejected.slug}/", CURATORS_ONLY),
    ("/admin/", ADMIN),
    ("/admin/registry/cooperative/", ADMIN),
    ("/admin/registry/cooperative/{coop_pending.pk}/change/", ADMIN),
    ("/admin/registry/cooperative/{coop_pending.pk}/history/", ADMIN),
    ("/admin/registry/cooperative/import/", ADMIN),
    ("/admin/registry/cooperative/import/template.csv/", ADMIN),
    ("/admin/registry/cooperative/import/template.xlsx/", ADMIN),
    ("/admin/registry/cooperative/export/", ADMIN),
    ("/admin/registry/membership/", ADMIN),
    ("/admin/registry/partner/", ADMIN),
    ("/admin/registry/partner/{partner_pending.pk}/change/", ADMIN),
    ("/admin/registry/partner/import/", ADMIN),
    ("/admin/registry/partner/import/template.csv/", ADMIN),
    ("/admin/registry/representation/", ADMIN),
    ("/admin/registry/membershipproposal/", ADMIN),
    ("/admin/registry/membershipproposal/{proposal_pending.pk}/change/", ADMIN),
    ("/admin/registry/membershipproposal/{proposal_pending.pk}/history/", ADMIN),
    ("/admin/registry/sector/", ADMIN),
    ("/admin/registry/province/", ADMIN),
    # The API (issue 14): the same readers as the pages; a record not yours is a 404.
    ("/api/v1/cooperatives/", PUBLIC),
    ("/api/v1/cooperatives/?tier=raksasa", {actor: 400 for actor in ACTORS}),
    ("/api/v1/cooperatives/{coop_verified.slug}/", PUBLIC),
    ("/api/v1/cooperatives/{coop_pending.slug}/", CURATORS_ONLY),
    ("/api/v1/cooperatives/{coop_rejected.slug}/", CURATORS_ONLY),
    ("/api/v1/cooperatives/{coop_merged.slug}/", {actor: 301 for actor in ACTORS}),
    ("/api/v1/partners/{partner_verified.slug}/", PUBLIC),
    ("/api/v1/partners/{partner_pending.slug}/", CURATORS_ONLY),
    ("/api/v1/partnerships/", PUBLIC),
    ("/api/v1/partnerships/KS-1999-000001/", {actor: 404 for actor in ACTORS}),
    ("/api/v1/provinces/", PUBLIC),
    ("/api/v1/regencies/?province=32", PUBLIC),
    ("/api/v1/memberships/?federation={fed_verified.slug}", PUBLIC),
    # A federation the reader may not see is as unknown as a made-up slug: a wrong filter.
    ("/api/v1/memberships/?federation={fed_pending.slug}", {**{actor: 400 for actor in ACTORS}, "curator": 200}),
    ("/api/v1/statistics/", PUBLIC),
    # What changed, and the feeds of newly verified partnerships: what a visitor sees, for everyone.
    ("/api/v1/changes/", PUBLIC),
    ("/api/v1/changes/?after=not-a-cursor", {actor: 400 for actor in ACTORS}),
    ("/kerjasama/terbaru.atom", PUBLIC),
    ("/koperasi/{coop_verified.slug}/kerjasama.atom", PUBLIC),
    ("/koperasi/{coop_pending.slug}/kerjasama.atom", {actor: 404 for actor in ACTORS}),
    ("/koperasi/{coop_rejected.slug}/kerjasama.atom", {actor: 404 for actor in ACTORS}),
    ("/kerjasama/provinsi/32.atom", PUBLIC),
    ("/kerjasama/provinsi/99.atom", {actor: 404 for actor in ACTORS}),
    ("/api/v1/schema/", PUBLIC),
    ("/api/v1/docs/", PUBLIC),
    ("/admin/kopnet/apitoken/", ADMIN),
    # The open data snapshots (issue 14 §2): public; a name that is no listed file's is a 404.
    ("/data/", PUBLIC),
    ("/data/{snapshot}.zip", PUBLIC),
    ("/data/{snapshot}.sha256", PUBLIC),
    ("/data/{snapshot}.json", {actor: 404 for actor in ACTORS}),
    ("/data/..%2Fsettings.py", {actor: 404 for actor in ACTORS}),
]


# Each URL is asked by every actor in one test: the records are made once for the
# four (GETs change nothing another actor would see), and a failure names them all.
@pytest.mark.parametrize(("url", "expected"), MATRIX, ids=[url for url, _ in MATRIX])
def test_permission_matrix(request, records, url, expected, page_cache):
    address = url.format(**records)
    page_cache.warm(address)
    answers = {actor: request.getfixturevalue(actor).get(address) for actor in ACTORS}
    for response in answers.values():
        response.close()  # a download's file
    assert {actor: response.status_code for actor, response in answers.items()} == expected
    visitor = answers["visitor"]
    if page_cache.on and expected["visitor"] == 200 and "X-KopNet-Cache" in visitor:
        assert visitor["X-KopNet-Cache"] == "hit"  # the warmed page: what production serves
    for actor, response in answers.items():
        if expected[actor] == 302:
            assert response["Location"].startswith("/admin/login/"), actor


# The admin's sign-in address: the one sign-in page for whoever the admin does not
# let in (with ?next= back), the admin for a curator already in it.
SIGN_IN_FOR_THE_ADMIN = "/akun/masuk/?next=%2Fadmin%2F"
ADMIN_SIGN_IN = {"visitor": SIGN_IN_FOR_THE_ADMIN, "official": SIGN_IN_FOR_THE_ADMIN,
                 "other_official": SIGN_IN_FOR_THE_ADMIN, "curator": "/admin/"}  # fmt: skip


@pytest.mark.parametrize("actor", ACTORS)
def test_the_admins_sign_in_sends_to_the_one_sign_in_page(request, db, actor):
    response = request.getfixturevalue(actor).get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"] == ADMIN_SIGN_IN[actor]


@pytest.mark.parametrize("actor", ACTORS)
def test_csv_exports_hold_only_what_the_actor_may_see(request, records, actor):
    client = request.getfixturevalue(actor)
    cooperatives = b"".join(client.get("/koperasi/?format=csv").streaming_content).decode()
    partners = b"".join(client.get("/mitra/?format=csv").streaming_content).decode()
    sees_all = actor == "curator"
    assert records["coop_verified"].slug in cooperatives
    assert (records["coop_pending"].slug in cooperatives) is sees_all
    assert (records["coop_rejected"].slug in cooperatives) is sees_all
    assert records["partner_verified"].slug in partners
    assert (records["partner_pending"].slug in partners) is sees_all


def test_curators_cannot_delete_registry_records(curator, records):
    response = curator.get(f"/admin/registry/cooperative/{records['coop_pending'].pk}/delete/")
    assert response.status_code == 403


# --- the pages of signed-in people --------------------------------------------------

SIGNED_IN = {"visitor": 302, "official": 200, "other_official": 200, "curator": 200}
OFFICIAL_A = {"visitor": 302, "official": 200, "other_official": 404, "curator": 404}
OFFICIAL_B = {"visitor": 302, "official": 404, "other_official": 200, "curator": 404}

OFFICIAL_MATRIX = [
    ("/akun/", SIGNED_IN),
    ("/akun/wakili/", SIGNED_IN),
    ("/akun/sandi/", SIGNED_IN),
    ("/koperasi/baru/", SIGNED_IN),
    ("/kerjasama/baru/", SIGNED_IN),
    ("/koperasi/{coop_a.slug}/ubah/", OFFICIAL_A),
    ("/koperasi/{coop_b.slug}/ubah/", OFFICIAL_B),
    ("/koperasi/{coop_pending.slug}/ubah/", {**OFFICIAL_A, "official": 404}),
    ("/kerjasama/{of_a.reference}/ubah/", OFFICIAL_A),
    ("/kerjasama/{of_b.reference}/ubah/", OFFICIAL_B),
    ("/kerjasama/KS-1999-000001/ubah/", {**OFFICIAL_A, "official": 404}),
    # Notifications: one's own settings; nobody opens a notification that is not theirs.
    ("/akun/pemberitahuan/", SIGNED_IN),
    ("/akun/pemberitahuan/999999/", {**SIGNED_IN, "official": 404, "other_official": 404, "curator": 404}),
    # Proposing to join a federation: an official, for their own cooperative. A proposal's
    # page: the officials of both cooperatives and the curators, nobody else.
    ("/koperasi/{coop_a.slug}/gabung/", OFFICIAL_A),
    ("/koperasi/{coop_b.slug}/gabung/", OFFICIAL_B),
    ("/koperasi/{coop_a.slug}/gabung/?q=Puskop", OFFICIAL_A),
    ("/koperasi/{coop_pending.slug}/gabung/", {**OFFICIAL_A, "official": 404}),
    ("/keanggotaan/usulan/{proposal_of_a.pk}/", {**OFFICIAL_A, "curator": 200}),
    ("/keanggotaan/usulan/{proposal_to_b.pk}/", {**OFFICIAL_B, "curator": 200}),
    ("/keanggotaan/usulan/{proposal_of_others.pk}/", {**OFFICIAL_A, "official": 404, "curator": 200}),
    ("/keanggotaan/usulan/999999/", {**SIGNED_IN, "official": 404, "other_official": 404, "curator": 404}),
]

# Following is a POST: anyone signed in may follow what they may see (302 back to its
# page); visitors are sent to sign in; a record one may not see is a 404.
FOLLOWED = {"visitor": "login", "official": 302, "other_official": 302, "curator": 302}
FOLLOW_MATRIX = [
    ("/ikuti/koperasi/{coop_verified.slug}/", FOLLOWED),
    ("/ikuti/koperasi/{coop_pending.slug}/", {**FOLLOWED, "official": 404, "other_official": 404}),
    ("/ikuti/mitra/{partner_verified.slug}/", FOLLOWED),
    ("/ikuti/mitra/{partner_rejected.slug}/", {**FOLLOWED, "official": 404, "other_official": 404}),
    ("/ikuti/kerjasama/{of_a.reference}/", FOLLOWED),
    ("/ikuti/kerjasama/{of_b.reference}/", {**FOLLOWED, "official": 404}),
    ("/ikuti/kerjasama/KS-1999-000001/", {**FOLLOWED, "official": 404, "other_official": 404, "curator": 404}),
    ("/ikuti/lainnya/x/", {**FOLLOWED, "official": 404, "other_official": 404, "curator": 404}),
]


@pytest.fixture
def official_records(records, cooperative_a, cooperative_b):
    from tests.factories import PartnershipFactory

    federation_b = federation(name="Puskop Pihak B")
    RepresentationFactory(user=UserFactory(username="official_b"), cooperative=federation_b)
    proposed = {"start_date": date(2020, 1, 1), "proposed_by": None}
    return {
        **records,
        "proposal_of_a": MembershipProposal.objects.create(member=cooperative_a, federation=records["fed_verified"], **proposed),
        "proposal_to_b": MembershipProposal.objects.create(member=records["coop_verified"], federation=federation_b, **proposed),
        "proposal_of_others": records["proposal_pending"],
        "coop_a": cooperative_a,
        "coop_b": cooperative_b,
        "of_a": PartnershipFactory(initiator=cooperative_a),
        "of_b": PartnershipFactory(initiator=cooperative_b, verification=Verification.PENDING),
    }


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize(("url", "expected"), FOLLOW_MATRIX, ids=[url for url, _ in FOLLOW_MATRIX])
def test_follow_matrix(request, official_records, actor, url, expected):
    client = request.getfixturevalue(actor)
    response = client.post(url.format(**official_records))
    if expected[actor] == "login":
        assert response.status_code == 302 and response["Location"].startswith("/akun/masuk/")
    else:
        assert response.status_code == expected[actor]
        if expected[actor] == 302:
            assert not response["Location"].startswith("/akun/masuk/")


@pytest.mark.parametrize(("url", "expected"), OFFICIAL_MATRIX, ids=[url for url, _ in OFFICIAL_MATRIX])
def test_official_pages_matrix(request, official_records, url, expected):
    address = url.format(**official_records)
    answers = {actor: request.getfixturevalue(actor).get(address) for actor in ACTORS}
    assert {actor: response.status_code for actor, response in answers.items()} == expected
    for actor, response in answers.items():
        if expected[actor] == 302:
            assert response["Location"].startswith("/akun/masuk/"), actor


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("url", ["/akun/daftar/", "/akun/masuk/"])
def test_sign_up_and_sign_in_send_signed_in_people_to_their_dashboard(request, actor, url, db):
    response = request.getfixturevalue(actor).get(url)
    if actor == "visitor":
        assert response.status_code == 200
    else:
        assert (response.status_code, response["Location"]) == (302, "/akun/")


@pytest.mark.parametrize("actor", ACTORS)
def test_password_reset_opens_for_everyone(request, actor, db):
    assert request.getfixturevalue(actor).get("/akun/sandi/reset/").status_code == 200
