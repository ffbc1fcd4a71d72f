"""Who may open the public partnership pages: every URL × every actor × the status.

Visitors see verified partnerships; the officials of a party also the unverified
ones that concern them; curators everything. Documents follow their partnership.
Anything a reader may not see answers 404, never 403.
"""

import pytest

from kopnet.models import Verification
from tests.factories import CooperativeFactory
from tests.partnerships.public_data import document, partnership, pending

ACTORS = ["visitor", "official", "other_official", "curator"]

PUBLIC = {actor: 200 for actor in ACTORS}
NOBODY = {actor: 404 for actor in ACTORS}
PARTIES_AND_CURATORS = {"visitor": 404, "official": 200, "other_official": 404, "curator": 200}
CURATORS_ONLY = {"visitor": 404, "official": 404, "other_official": 404, "curator": 200}


@pytest.fixture
def records(settings, tmp_path, cooperative_a, cooperative_b):
    settings.MEDIA_ROOT = tmp_path
    verified = partnership(cooperative_a, CooperativeFactory())
    waiting_for_a = pending(cooperative_a, CooperativeFactory())
    waiting_elsewhere = pending(CooperativeFactory(), CooperativeFactory())
    rejected_of_a = partnership(
        CooperativeFactory(), cooperative_a, verification=Verification.REJECTED, verification_note="Ganda."
    )
    return {
        "verified": verified,
        "waiting_for_a": waiting_for_a,
        "waiting_elsewhere": waiting_elsewhere,
        "rejected_of_a": rejected_of_a,
        "verified_doc": document(verified),
        # Added by a change that waits for the curators: not published yet.
        "unpublished_doc": document(verified, published=False, title="Adendum menunggu"),
        "waiting_for_a_doc": document(waiting_for_a),
        "waiting_elsewhere_doc": document(waiting_elsewhere),
        "coop_a": cooperative_a,
    }


MATRIX = [
    ("/kerjasama/", PUBLIC),
    ("/kerjasama/?format=csv", PUBLIC),
    ("/kerjasama/?category=bukan", {actor: 400 for actor in ACTORS}),
    ("/kerjasama/{verified.reference}/", PUBLIC),
    ("/kerjasama/{waiting_for_a.reference}/", PARTIES_AND_CURATORS),
    ("/kerjasama/{rejected_of_a.reference}/", PARTIES_AND_CURATORS),
    ("/kerjasama/{waiting_elsewhere.reference}/", CURATORS_ONLY),
    ("/kerjasama/KS-1999-000001/", NOBODY),
    ("/kerjasama/{verified.reference}/dokumen/{verified_doc.pk}/", PUBLIC),
    ("/kerjasama/{waiting_for_a.reference}/dokumen/{waiting_for_a_doc.pk}/", PARTIES_AND_CURATORS),
    ("/kerjasama/{waiting_elsewhere.reference}/dokumen/{waiting_elsewhere_doc.pk}/", CURATORS_ONLY),
    ("/kerjasama/{verified.reference}/dokumen/{unpublished_doc.pk}/", PARTIES_AND_CURATORS),
    # A document asked for under another partnership's reference.
    ("/kerjasama/{verified.reference}/dokumen/{waiting_for_a_doc.pk}/", NOBODY),
    ("/kerjasama/{verified.reference}/dokumen/999999/", NOBODY),
    ("/media/{verified_doc.file.name}", NOBODY),
    ("/statistik/", PUBLIC),
    # Answers are sent, never opened (tests/partnerships/test_pending_changes.py).
    ("/kerjasama/perubahan/1/konfirmasi/", {actor: 405 for actor in ACTORS}),
    ("/kerjasama/perubahan/1/tolak/", {actor: 405 for actor in ACTORS}),
    ("/koperasi/{coop_a.slug}/", PUBLIC),
]


@pytest.mark.django_db
@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize(("url", "expected"), MATRIX, ids=[url for url, _ in MATRIX])
def test_permission_matrix(request, records, actor, url, expected, page_cache):
    client = request.getfixturevalue(actor)
    page_cache.warm(url.format(**records))
    response = client.get(url.format(**records))
    assert response.status_code == expected[actor]
    if page_cache.on and actor == "visitor" and expected[actor] == 200 and "X-KopNet-Cache" in response:
        assert response["X-KopNet-Cache"] == "hit"  # the warmed page: what production serves
    response.close()


@pytest.mark.django_db
@pytest.mark.parametrize("actor", ACTORS)
def test_lists_and_pages_hold_only_what_the_actor_may_see(request, records, actor):
    client = request.getfixturevalue(actor)
    may_see = {
        name
        for name in ("verified", "waiting_for_a", "waiting_elsewhere", "rejected_of_a")
        if client.get(f"/kerjasama/{records[name].reference}/").status_code == 200
    }

    listed = {row.reference for row in client.get("/kerjasama/").context["object_list"]}
    exported = b"".join(client.get("/kerjasama/", {"format": "csv"}).streaming_content).decode()
    on_profile = client.get(f"/koperasi/{records['coop_a'].slug}/").content.decode()

    assert listed == {records[name].reference for name in may_see}
    for name in ("verified", "waiting_for_a", "waiting_elsewhere", "rejected_of_a"):
        assert (records[name].reference in exported) == (name in may_see)
        if name != "waiting_elsewhere":  # the only one not involving cooperative A
            assert (records[name].reference in on_profile) == (name in may_see)
