"""One small registry that shows every page type with something on it, shared by the
HTML-validity, accessibility and screenshot tests: a federation chain with members,
partnerships with a partner, a document and a waiting answer, and an official whose
dashboard has work in it."""

import datetime
from dataclasses import dataclass

from django.core.files.base import ContentFile

from api import opendata
from kopnet.lists import RegistryListView
from kopnet.models import Verification
from partnerships.models import (
    Confirmation,
    CooperationField,
    Objective,
    PartnershipDocument,
    PartnershipParty,
)
from registry.models import CooperativeType, MembershipProposal, PartnerKind, Scope, Tier
from tests.factories import (
    CooperativeFactory,
    MembershipFactory,
    PartnerFactory,
    PartnershipFactory,
    RepresentationFactory,
    UserFactory,
    province,
    sector,
)

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
# Small enough that the lists have several pages with a handful of rows, so that the
# pager is on the page that is checked.
PAGE_SIZE = 4


@dataclass
class Pages:
    official: object
    paths: dict  # page name -> path, in the order people meet them

    def items(self):
        return self.paths.items()


def build_pages(monkeypatch, settings, tmp_path):
    """The data and the path of each page type; lists paginate by PAGE_SIZE."""
    monkeypatch.setattr(RegistryListView, "paginate_by", PAGE_SIZE)
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KOPNET_OPEN_DATA_DIR = tmp_path / "open-data"

    apex = CooperativeFactory(
        name="Induk Koperasi Unit Desa", tier=Tier.INDUK, scope=Scope.NASIONAL,
        individual_members=None, province=province("31"),
    )  # fmt: skip
    federation = CooperativeFactory(
        name="Pusat Koperasi Tani Jawa Barat", tier=Tier.SEKUNDER, scope=Scope.PROVINSI,
        individual_members=None, type=CooperativeType.PRODUSEN, sectors=[sector("pertanian")],
    )  # fmt: skip
    MembershipFactory(member=federation, federation=apex)
    members = [
        CooperativeFactory(name=name, sectors=[sector("pertanian")])
        for name in ("Koperasi Tani Makmur", "Koperasi Tani Subur", "Koperasi Petani Kopi Priangan")
    ]
    for member in members:
        MembershipFactory(member=member, federation=federation)
    fishers = CooperativeFactory(name="Koperasi Nelayan Sejahtera", province=province("35"))
    bank = PartnerFactory(name="PT Bank Rakyat Contoh", kind=PartnerKind.BANK, province=province("31"))
    university = PartnerFactory(name="Universitas Padjadjaran Contoh", kind=PartnerKind.UNIVERSITAS)
    for name, kind in (("Dinas Koperasi Provinsi", PartnerKind.PEMERINTAH), ("PT Pupuk Nusantara", PartnerKind.BUMN),
                       ("Yayasan Petani Mandiri", PartnerKind.LSM)):
        PartnerFactory(name=name, kind=kind)
    CooperativeFactory(name="Koperasi Pedagang Pasar", tier=Tier.PRIMER, verification=Verification.PENDING)

    record = PartnershipFactory(
        title="Pembiayaan pupuk dan benih untuk anggota",
        description="Pusat koperasi menyalurkan kredit usaha tani bersama bank kepada koperasi anggotanya.",
        initiator=federation,
        parties=[federation, bank, members[0]],
        direction="vertikal",
        start_date=datetime.date(2024, 3, 1),
        end_date=datetime.date(2027, 2, 28),
        value=1_500_000_000,
        status="berjalan",
    )
    record.objectives.set(Objective.objects.all()[:2])
    record.fields.set(CooperationField.objects.all()[:2])
    PartnershipDocument(
        partnership=record, title="Perjanjian kerjasama", date=datetime.date(2024, 2, 20),
        file=ContentFile(PDF, name="perjanjian.pdf"),
    ).save()  # fmt: skip
    PartnershipFactory(
        title="Pemasaran bersama gabah", initiator=members[1], parties=[members[1], members[2]],
        start_date=datetime.date(2023, 6, 1),
    )  # fmt: skip
    PartnershipFactory(
        title="Pelatihan manajemen koperasi", initiator=federation, parties=[federation, university],
        direction="vertikal", start_date=datetime.date(2022, 1, 10),
    )  # fmt: skip
    PartnershipFactory(
        title="Rantai pasok ikan ke pasar kota", initiator=fishers, parties=[fishers, federation],
        start_date=datetime.date(2025, 8, 17),
    )  # fmt: skip
    for number in range(4):
        PartnershipFactory(title=f"Kerjasama antar koperasi {number + 1}", start_date=datetime.date(2021 + number, 5, 1))

    official = UserFactory(username="pengurus_pusat")
    RepresentationFactory(user=official, cooperative=federation)
    # Waiting for the official's answer: registered by the fishers, not yet confirmed.
    waiting = PartnershipFactory(
        title="Pengolahan ikan asap bersama", initiator=fishers, parties=[fishers, federation],
        verification=Verification.PENDING, start_date=datetime.date(2026, 1, 5),
    )  # fmt: skip
    PartnershipParty.objects.filter(partnership=waiting, cooperative=federation).update(
        confirmation=Confirmation.PENDING
    )

    # Waiting for the official's answer too: the fishers propose to join the federation.
    proposal = MembershipProposal.objects.create(
        member=fishers, federation=federation, start_date=datetime.date(2025, 1, 2),
        note="Keputusan rapat anggota tahunan 2024.",
    )  # fmt: skip

    paths = {
        "home": "/",
        "cooperative-list": "/koperasi/",
        "cooperative-detail": f"/koperasi/{federation.slug}/",
        # Parts of its profile that are pages of their own, which the profile fetches.
        "cooperative-members": f"/koperasi/{federation.slug}/anggota/",
        "cooperative-network": f"/koperasi/{federation.slug}/jaringan/",
        "cooperative-suggestions": f"/koperasi/{federation.slug}/saran/",
        # Read as on a past day (issue 13 §4), with the banner and the form.
        "cooperative-as-of": f"/koperasi/{federation.slug}/?as_of=2025-09-01",
        "partner-list": "/mitra/",
        "partner-detail": f"/mitra/{bank.slug}/",
        "partner-network": f"/mitra/{bank.slug}/jaringan/",
        "partnership-list": "/kerjasama/",
        "partnership-detail": f"/kerjasama/{record.reference}/",
        "statistics": "/statistik/",
        "about": "/tentang/",
        "open-data": "/data/",
        "search": "/cari/?q=koperasi",
        "dashboard": "/akun/",
        "notification-settings": "/akun/pemberitahuan/",
        "proposal-form": f"/koperasi/{federation.slug}/gabung/?q=Induk",
        "proposal-detail": f"/keanggotaan/usulan/{proposal.pk}/",
        "registration": "/kerjasama/baru/",
        "signup": "/akun/daftar/",
        "login": "/akun/masuk/",
    }
    opendata.export()  # /data/ lists it
    return Pages(official=official, paths=paths)


# Pages that only a signed-in official sees; the others are seen as a visitor.
SIGNED_IN = {"dashboard", "notification-settings", "registration", "proposal-form", "proposal-detail"}
