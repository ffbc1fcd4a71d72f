"""Issue 13 §2: each partnership's corroboration level, derived (never typed) from its
cooperative parties' answers and its published documents, kept right after every
state change, shown as a badge with what it means, filterable, in the CSV and counted
on the statistics page."""

import datetime

import pytest
from django.core.files.base import ContentFile

from kopnet.models import Verification
from partnerships import services
from partnerships.models import (
    Corroboration,
    Direction,
    Partnership,
    PartnershipDocument,
    PartnershipParty,
    corroboration_of,
)
from tests.factories import CooperativeFactory, CuratorFactory, PartnerFactory, PartnershipFactory, RepresentationFactory, UserFactory
from tests.partnerships.registration_data import PDF

pytestmark = pytest.mark.django_db


def derived(partnership):
    """The level worked out afresh from the rows, to compare with the stored one."""
    parties = list(partnership.parties.all())
    documented = partnership.documents.filter(published=True).exists()
    return corroboration_of(parties, documented)


def stored(partnership):
    return Partnership.objects.values_list("corroboration", flat=True).get(pk=partnership.pk)


def official_of(cooperative, name):
    user = UserFactory(username=name)
    RepresentationFactory(user=user, cooperative=cooperative)
    return user


def test_the_level_follows_every_state_change():
    alfa, beta = CooperativeFactory(name="Koperasi Alfa"), CooperativeFactory(name="Koperasi Beta")
    user_a, user_b = official_of(alfa, "pengurus_alfa"), official_of(beta, "pengurus_beta")
    partnership = services.partnership_register(
        user=user_a,
        partnership=Partnership(title="Gabah bersama", start_date=datetime.date(2026, 1, 5),
                                direction=Direction.HORIZONTAL, initiator=alfa),
        parties=[PartnershipParty(cooperative=alfa), PartnershipParty(cooperative=beta)],
    )  # fmt: skip
    steps = [(stored(partnership), derived(partnership))]
    assert stored(partnership) == Corroboration.DECLARED  # Beta has not answered

    beta_party = partnership.parties.get(cooperative=beta)
    services.party_confirm(user=user_b, party_id=beta_party.pk)
    steps.append((stored(partnership), derived(partnership)))
    assert stored(partnership) == Corroboration.CONFIRMED

    document = PartnershipDocument(partnership=partnership, title="Perjanjian", file=ContentFile(PDF, name="p.pdf"))
    document.save()
    steps.append((stored(partnership), derived(partnership)))
    assert stored(partnership) == Corroboration.DOCUMENTED

    services.partnership_verify(curator=CuratorFactory(), pk=partnership.pk)
    steps.append((stored(partnership), derived(partnership)))
    assert stored(partnership) == Corroboration.DOCUMENTED

    document.delete()
    steps.append((stored(partnership), derived(partnership)))
    assert stored(partnership) == Corroboration.CONFIRMED
    assert all(kept == fresh for kept, fresh in steps), steps


def test_a_decline_leaves_it_declared():
    alfa, beta = CooperativeFactory(), CooperativeFactory()
    user_b = official_of(beta, "pengurus_tolak")
    partnership = services.partnership_register(
        user=official_of(alfa, "pengurus_daftar"),
        partnership=Partnership(title="Ditolak", start_date=datetime.date(2026, 1, 5),
                                direction=Direction.HORIZONTAL, initiator=alfa),
        parties=[PartnershipParty(cooperative=alfa), PartnershipParty(cooperative=beta)],
    )  # fmt: skip
    services.party_decline(user=user_b, party_id=partnership.parties.get(cooperative=beta).pk, reason="Belum dibahas")
    assert stored(partnership) == derived(partnership) == Corroboration.DECLARED


def test_a_partnership_verified_over_a_missing_answer_stays_declared():
    alfa, beta = CooperativeFactory(), CooperativeFactory()
    user_a = official_of(alfa, "pengurus_satu")
    partnership = services.partnership_register(
        user=user_a,
        partnership=Partnership(title="Tanpa jawaban", start_date=datetime.date(2026, 1, 5),
                                direction=Direction.HORIZONTAL, initiator=alfa),
        parties=[PartnershipParty(cooperative=alfa), PartnershipParty(cooperative=beta)],
    )  # fmt: skip
    services.partnership_verify(curator=CuratorFactory(), pk=partnership.pk, override_note="Ditelepon, setuju")
    partnership.refresh_from_db()
    assert (partnership.verification, partnership.corroboration) == (Verification.VERIFIED, Corroboration.DECLARED)


def test_a_partner_has_no_answer_to_give():
    alfa = CooperativeFactory()
    partnership = services.partnership_register(
        user=official_of(alfa, "pengurus_dua"),
        partnership=Partnership(title="Dengan bank", start_date=datetime.date(2026, 1, 5), initiator=alfa),
        parties=[PartnershipParty(cooperative=alfa), PartnershipParty(partner=PartnerFactory(), role="funder")],
    )  # fmt: skip
    assert stored(partnership) == Corroboration.CONFIRMED


@pytest.fixture
def levels():
    declared = PartnershipFactory(title="Hanya dinyatakan")
    PartnershipParty.objects.filter(partnership=declared).exclude(cooperative=declared.initiator).update(confirmation="pending")
    declared.refresh_derived()
    confirmed = PartnershipFactory(title="Dikonfirmasi semua")
    documented = PartnershipFactory(title="Dengan dokumen")
    PartnershipDocument(partnership=documented, title="Perjanjian", file=ContentFile(PDF, name="p.pdf")).save()
    return {"declared": declared, "confirmed": confirmed, "documented": documented}


def test_the_badge_says_what_the_level_means(client, levels, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    page = client.get(f"/kerjasama/{levels['documented'].reference}/").content.decode()
    assert 'id="corroboration"' in page
    assert "Terdokumentasi" in page and "dokumen perjanjian yang diperiksa kurator Dekopin" in page
    page = client.get(f"/kerjasama/{levels['declared'].reference}/").content.decode()
    assert "Dinyatakan" in page and "belum semua koperasi yang disebut mengonfirmasinya" in page


@pytest.mark.parametrize("level", ["declared", "confirmed", "documented"])
def test_the_list_filters_by_level(client, levels, level):
    response = client.get("/kerjasama/", {"corroboration": level})
    assert response.status_code == 200
    assert [p.pk for p in response.context["page_obj"].object_list] == [levels[level].pk]


def test_a_level_that_does_not_exist_is_a_400(client, levels):
    response = client.get("/kerjasama/", {"corroboration": "sangat-yakin"})
    assert response.status_code == 400


def test_the_csv_and_the_statistics_tell_the_levels(client, levels):
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(b"".join(client.get("/kerjasama/?format=csv").streaming_content).decode("utf-8-sig"))))
    assert {row["title"]: row["corroboration"] for row in rows} == {
        "Hanya dinyatakan": "declared", "Dikonfirmasi semua": "confirmed", "Dengan dokumen": "documented",
    }  # fmt: skip
    statistics = client.get("/statistik/")
    section = next(s for s in statistics.context["sections"] if s["id"] == "partnerships-corroboration")
    assert [(row["label"], row["count"]) for row in section["rows"]] == [
        ("Dinyatakan", 1), ("Dikonfirmasi", 1), ("Terdokumentasi", 1),
    ]  # fmt: skip
    assert section["rows"][2]["url"] == "/kerjasama/?corroboration=documented"
