"""Issue 13 §4: what was true on a day. A profile read with ?as_of=YYYY-MM-DD shows
the federations it belonged to, its members and its partnerships active on that day
(started on or before it, not ended before it), under a banner naming the day with a
link back to today; the partnership list takes active_on=YYYY-MM-DD (and started=YYYY);
a day in the future, before the record's founding or not a day is a 400 with the
form's message, never a 500."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from kopnet.models import Verification
from registry.models import Tier
from tests.factories import CooperativeFactory, MembershipFactory, PartnerFactory, PartnershipFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2020, 6, 15)
BEFORE, AFTER = DAY - datetime.timedelta(days=1), DAY + datetime.timedelta(days=1)


def profile(slug):
    return reverse("registry:cooperative_detail", args=[slug])


@pytest.fixture
def story():
    """A secondary cooperative whose memberships and partnerships begin and end
    around DAY: on each side of it, and exactly on it."""
    coop = CooperativeFactory(name="Koperasi Sekunder Riwayat", tier=Tier.SEKUNDER, founded=datetime.date(2001, 1, 1))
    apex = {
        name: CooperativeFactory(name=name, tier=Tier.INDUK)
        for name in ("Induk Lama Berakhir", "Induk Berakhir Hari Itu", "Induk Mulai Hari Itu", "Induk Baru")
    }
    MembershipFactory(member=coop, federation=apex["Induk Lama Berakhir"], start_date=datetime.date(2010, 1, 1), end_date=BEFORE)
    MembershipFactory(member=coop, federation=apex["Induk Berakhir Hari Itu"], start_date=datetime.date(2010, 1, 1), end_date=DAY)
    MembershipFactory(member=coop, federation=apex["Induk Mulai Hari Itu"], start_date=DAY)
    MembershipFactory(member=coop, federation=apex["Induk Baru"], start_date=AFTER)
    members = {
        name: CooperativeFactory(name=name)
        for name in ("Anggota Keluar Dulu", "Anggota Tetap", "Anggota Masuk Kemudian")
    }
    MembershipFactory(member=members["Anggota Keluar Dulu"], federation=coop, start_date=datetime.date(2012, 1, 1), end_date=BEFORE)
    MembershipFactory(member=members["Anggota Tetap"], federation=coop, start_date=datetime.date(2012, 1, 1))
    MembershipFactory(member=members["Anggota Masuk Kemudian"], federation=coop, start_date=AFTER)
    other = CooperativeFactory(name="Koperasi Mitra Kerja")
    partnerships = {
        "ended before": PartnershipFactory(title="Kerjasama Usai Sebelumnya", initiator=coop, parties=[coop, other], start_date=datetime.date(2015, 1, 1), end_date=BEFORE),
        "ends that day": PartnershipFactory(title="Kerjasama Usai Hari Itu", initiator=coop, parties=[coop, other], start_date=datetime.date(2015, 1, 1), end_date=DAY),
        "starts that day": PartnershipFactory(title="Kerjasama Mulai Hari Itu", initiator=coop, parties=[coop, other], start_date=DAY),
        "starts after": PartnershipFactory(title="Kerjasama Mulai Sesudahnya", initiator=coop, parties=[coop, other], start_date=AFTER),
        "unverified": PartnershipFactory(title="Kerjasama Belum Diverifikasi", initiator=coop, parties=[coop, other], start_date=DAY, verification=Verification.PENDING),
    }  # fmt: skip
    return coop, partnerships


def test_a_profile_on_a_day_shows_what_was_active_then_under_a_banner(client, story, page_cache):
    coop, _partnerships = story
    url = profile(coop.slug) + f"?as_of={DAY.isoformat()}"
    page_cache.warm(url)
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="as-of"' in page and "15 Juni 2020" in page
    assert f'href="{profile(coop.slug)}">Kembali ke hari ini</a>' in page
    # Federations: active on the day, the one ending on it included.
    for name in ("Induk Berakhir Hari Itu", "Induk Mulai Hari Itu"):
        assert name in page
    for name in ("Induk Lama Berakhir", "Induk Baru"):
        assert name not in page
    # Its members that day: one (the one who left before and the one who came after are not counted).
    assert "1 koperasi anggota" in page
    # Partnerships active that day; a visitor never sees an unverified one.
    for title in ("Kerjasama Usai Hari Itu", "Kerjasama Mulai Hari Itu"):
        assert title in page
    for title in ("Kerjasama Usai Sebelumnya", "Kerjasama Mulai Sesudahnya", "Kerjasama Belum Diverifikasi"):
        assert title not in page
    # Its parts keep the day; suggestions are for today.
    assert f'data-kn-deferred="{reverse("registry:cooperative_members", args=[coop.slug])}?as_of=2020-06-15"' in page
    assert f'data-kn-deferred="{reverse("partnerships:cooperative_network", args=[coop.slug])}?as_of=2020-06-15"' in page
    assert "cooperative_suggestions" not in page and 'id="suggestions"' not in page
    assert f"cooperative={coop.slug}&amp;active_on=2020-06-15" in page


def test_today_is_unchanged_and_the_cache_keeps_days_apart(client, story, page_cache):
    coop, _partnerships = story
    page_cache.warm(profile(coop.slug) + f"?as_of={DAY.isoformat()}")
    page_cache.warm(profile(coop.slug))
    page = client.get(profile(coop.slug)).content.decode()
    assert 'id="as-of"' not in page
    for name in ("Induk Mulai Hari Itu", "Induk Baru"):
        assert name in page
    for name in ("Induk Lama Berakhir", "Induk Berakhir Hari Itu"):
        assert name not in page
    assert "2 koperasi anggota" in page
    # Today's profile lists every partnership, the ended ones too.
    for title in ("Kerjasama Usai Sebelumnya", "Kerjasama Usai Hari Itu", "Kerjasama Mulai Sesudahnya"):
        assert title in page
    assert 'id="suggestions"' in page
    # The day before: the one that ended then is still there, the one starting on the day not yet.
    before = client.get(profile(coop.slug) + f"?as_of={BEFORE.isoformat()}").content.decode()
    assert "Induk Lama Berakhir" in before and "Induk Mulai Hari Itu" not in before
    assert "Kerjasama Usai Sebelumnya" in before and "Kerjasama Mulai Hari Itu" not in before


def test_its_members_and_network_pages_follow_the_day(client, story, page_cache):
    coop, _partnerships = story
    members = reverse("registry:cooperative_members", args=[coop.slug]) + f"?as_of={DAY.isoformat()}"
    page_cache.warm(members)
    page = client.get(members).content.decode()
    assert "Anggota Tetap" in page
    assert "Anggota Keluar Dulu" not in page and "Anggota Masuk Kemudian" not in page
    assert 'id="as-of"' in page
    network = reverse("partnerships:cooperative_network", args=[coop.slug]) + f"?as_of={DAY.isoformat()}"
    page_cache.warm(network)
    page = client.get(network).content.decode()
    assert "Kerjasama Usai Hari Itu" in page and "Kerjasama Mulai Hari Itu" in page
    assert "Kerjasama Mulai Sesudahnya" not in page and "Kerjasama Usai Sebelumnya" not in page
    today = client.get(reverse("registry:cooperative_members", args=[coop.slug])).content.decode()
    assert "Anggota Masuk Kemudian" in today and "Anggota Keluar Dulu" not in today


def test_a_partners_profile_and_network_follow_the_day(client, page_cache):
    partner = PartnerFactory(name="PT Mitra Riwayat")
    coop = CooperativeFactory()
    PartnershipFactory(title="Kemitraan Lama", initiator=coop, parties=[coop, partner], start_date=datetime.date(2010, 1, 1), end_date=BEFORE)
    PartnershipFactory(title="Kemitraan Berjalan", initiator=coop, parties=[coop, partner], start_date=datetime.date(2019, 1, 1))
    url = reverse("registry:partner_detail", args=[partner.slug]) + f"?as_of={DAY.isoformat()}"
    page_cache.warm(url)
    page = client.get(url).content.decode()
    assert 'id="as-of"' in page and "Kemitraan Berjalan" in page and "Kemitraan Lama" not in page
    network = reverse("partnerships:partner_network", args=[partner.slug]) + f"?as_of={BEFORE.isoformat()}"
    page = client.get(network).content.decode()
    assert "Kemitraan Lama" in page and "Kemitraan Berjalan" in page


@pytest.mark.parametrize(
    "value, message",
    [
        ("tomorrow", "Tanggal ini di masa depan"),
        ("2000-12-31", "didirikan pada 1 Januari 2001"),
        ("1899-12-31", "sebelum 1 Januari 1900"),
        ("2020-02-30", "Tulis tanggal sebagai YYYY-MM-DD"),
        ("15/06/2020", "Tulis tanggal sebagai YYYY-MM-DD"),
        ("2020-06-15\x00", "Tulis tanggal sebagai YYYY-MM-DD"),
    ],
)
def test_a_wrong_day_is_a_400_with_the_forms_message(client, story, value, message, page_cache):
    coop, _partnerships = story
    if value == "tomorrow":
        value = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    for name in ("registry:cooperative_detail", "registry:cooperative_members", "partnerships:cooperative_network"):
        url = reverse(name, args=[coop.slug])
        page_cache.warm(url + "?as_of=" + value)
        response = client.get(url, {"as_of": value})
        assert response.status_code == 400, name
        assert message in response.content.decode(), name
    # The profile says it at the field of its form, and shows today.
    page = client.get(profile(coop.slug), {"as_of": value}).content.decode()
    assert 'id="id_as_of_error"' in page and 'aria-invalid="true"' in page
    assert "Induk Baru" in page


def test_a_wrong_day_on_a_partners_pages_is_a_400_too(client):
    partner = PartnerFactory()
    for name in ("registry:partner_detail", "partnerships:partner_network"):
        response = client.get(reverse(name, args=[partner.slug]), {"as_of": "2999-01-01"})
        assert response.status_code == 400
        assert "Tanggal ini di masa depan" in response.content.decode()


def test_english_readers_read_the_banner_and_the_messages_in_english(client, story):
    coop, _partnerships = story
    client.cookies["django_language"] = "en"
    page = client.get(profile(coop.slug), {"as_of": DAY.isoformat()}).content.decode()
    assert "as they were on <strong>15 June 2020</strong>" in page and "Back to today" in page
    page = client.get(profile(coop.slug), {"as_of": "2000-01-01"}).content.decode()
    assert "was founded on 1 January 2001: choose that day or a later one." in page


def test_the_partnership_list_shows_those_active_on_a_day(client, story, page_cache):
    _coop, partnerships = story
    url = reverse("partnerships:partnership_list") + f"?active_on={DAY.isoformat()}"
    page_cache.warm(url)
    page = client.get(url).content.decode()
    titles = {key: partnership.title for key, partnership in partnerships.items()}
    assert titles["ends that day"] in page and titles["starts that day"] in page
    for key in ("ended before", "starts after", "unverified"):
        assert titles[key] not in page
    assert "Aktif pada: 15 Juni 2020" in page  # its chip
    started = client.get(reverse("partnerships:partnership_list"), {"started": "2015"}).content.decode()
    assert titles["ended before"] in started and titles["ends that day"] in started
    assert titles["starts that day"] not in started


@pytest.mark.parametrize("value", ["2999-01-01", "2020-13-01", "kemarin", "1850-01-01"])
def test_the_partnership_list_refuses_a_wrong_day(client, value):
    response = client.get(reverse("partnerships:partnership_list"), {"active_on": value})
    assert response.status_code == 400
    assert 'id="id_active_on_error"' in response.content.decode()
