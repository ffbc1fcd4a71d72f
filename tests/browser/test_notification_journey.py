"""An official told of what concerns them, and a follower (issue 12): a partnership of
theirs confirmed by the other cooperative and verified by a curator is on their
dashboard and in their email (the test outbox), each notification leading to the
record; a visitor-turned-member follows a cooperative from its page and is told of
its new verified partnership; the notification settings turn one kind's email off.
axe finds no serious problem on the dashboard nor on the settings page."""

from datetime import date

from django.core import mail
from playwright.sync_api import expect

from kopnet.models import NotificationKind
from kopnet.notifications import settings_of
from partnerships import services
from partnerships.models import Direction, Partnership, PartnershipParty
from tests.browser.official_data import cooperatives, curator, database, migrated_data, official, open_as
from tests.browser.test_accessibility import axe_violations
from tests.factories import UserFactory

__all__ = ["cooperatives", "curator", "database", "migrated_data", "official", "open_as"]


def test_an_official_is_told_and_a_follower_too(live_server, open_as, cooperatives, official, curator, screen):
    own, other = cooperatives["own"], cooperatives["other"]
    follower = UserFactory(username="pengikut", email="pengikut@example.org")

    # Someone follows the official's cooperative from its page.
    reader = open_as(follower)
    reader.goto(f"{live_server.url}/koperasi/{own.slug}/")
    reader.locator("form.kn-follow button").click()
    expect(reader.locator(".alert-success, .messages, [role=status]").first).to_contain_text("Anda mengikuti")
    expect(reader.locator("form.kn-follow button")).to_contain_text("Diikuti")

    # The official registers a partnership; the other cooperative confirms; a curator verifies.
    partnership = services.partnership_register(
        user=official,
        partnership=Partnership(title="Pemasaran bersama gabah", start_date=date(2026, 2, 1),
                                direction=Direction.HORIZONTAL, initiator=own),
        parties=[PartnershipParty(cooperative=own), PartnershipParty(cooperative=other)],
    )  # fmt: skip
    mail.outbox.clear()
    services.party_confirm(user=cooperatives["pengurus2"], party_id=partnership.parties.get(cooperative=other).pk)
    services.partnership_verify(curator=curator, pk=partnership.pk)

    # Both by email to the official, each with the record's address...
    to_official = [message for message in mail.outbox if official.email in message.to]
    assert [message.subject for message in to_official] == [
        f"KopNet: {other.name} mengonfirmasi kerjasama {partnership.reference}",
        f"KopNet: Kerjasama {partnership.reference} sudah diverifikasi",
    ]
    assert all(f"/kerjasama/{partnership.reference}/" in message.body for message in to_official)

    # ...and on the dashboard, newest first, unread; one opened leads to the record.
    page = open_as(official)
    page.goto(live_server.url + "/akun/")
    notifications = page.locator("#notifications")
    expect(notifications.get_by_text("2 belum dibaca")).to_be_visible()
    expect(notifications.locator("li").first).to_contain_text(f"Kerjasama {partnership.reference} sudah diverifikasi")
    assert axe_violations(page) == []
    screen(page, "dashboard-notifications")
    notifications.get_by_role("link", name=f"{other.name} mengonfirmasi kerjasama").click()
    page.wait_for_url(f"**/kerjasama/{partnership.reference}/")
    page.goto(live_server.url + "/akun/")
    expect(page.locator("#notifications").get_by_text("1 belum dibaca")).to_be_visible()

    # The follower is told of the cooperative's new verified partnership.
    reader.goto(live_server.url + "/akun/")
    expect(reader.locator("#notifications")).to_contain_text("Kerjasama baru terverifikasi: Pemasaran bersama gabah")

    # The official turns off the email of answers by other cooperatives.
    page.goto(live_server.url + "/akun/")
    page.get_by_role("link", name="Pengaturan pemberitahuan").click()
    page.get_by_label("Koperasi lain mengonfirmasi atau menolak kerjasama Anda").uncheck()
    assert axe_violations(page) == []
    screen(page, "notification-settings")
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_text("Pengaturan pemberitahuan Anda tersimpan.")).to_be_visible()
    assert settings_of([official])[official.pk].email_off == [NotificationKind.PARTY_ANSWERED]
