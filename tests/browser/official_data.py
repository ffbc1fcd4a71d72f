"""People and data for the officials' and the curator's journeys in the browser.

Import the fixtures into a test module (`from tests.browser.official_data import ...`).
Data is created in a transaction the live server's thread can see (`database`).
"""

import pytest
from django.conf import settings
from django.test import Client

from partnerships.models import Partnership
from tests.browser.migrated_data import migrated_data
from tests.factories import CooperativeFactory, CuratorFactory, RepresentationFactory, UserFactory
from tests.partnerships.registration_data import PDF, stored_files

# What the journeys' people are called, and the cooperatives they act for.
OWN = "Koperasi Tani Subur"
OTHER = "Koperasi Tani Makmur"


@pytest.fixture
def media(settings, tmp_path):
    """Uploads go to a temporary MEDIA_ROOT, read back to prove what was (not) stored."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def files(tmp_path):
    """A small valid PDF, and a text file that only pretends to be one by its name."""
    folder = tmp_path / "upload"
    folder.mkdir()
    good = folder / "perjanjian-kerjasama.pdf"
    good.write_bytes(PDF)
    fake = folder / "bukan-pdf.pdf"
    fake.write_text("Ini hanya catatan rapat, bukan dokumen PDF.\n")
    return {"pdf": good, "fake": fake}


@pytest.fixture
def database(migrated_data, transactional_db, django_db_serialized_rollback):
    """The database as the live server's thread sees it, with the migrated data put
    back after an earlier browser test flushed it."""


@pytest.fixture
def cooperatives(database):
    """Two verified primary cooperatives; the second has an approved official, pengurus2."""
    own = CooperativeFactory(name=OWN)
    other = CooperativeFactory(name=OTHER)
    pengurus2 = UserFactory(username="pengurus2", email="pengurus2@example.org")
    RepresentationFactory(user=pengurus2, cooperative=other)
    return {"own": own, "other": other, "pengurus2": pengurus2}


@pytest.fixture
def official(cooperatives):
    """pengurus1, an approved official of the first cooperative."""
    user = UserFactory(username="pengurus1")
    RepresentationFactory(user=user, cooperative=cooperatives["own"])
    return user


@pytest.fixture
def curator(database):
    return CuratorFactory(username="kurator")


@pytest.fixture
def open_as(new_context, live_server):
    """A page in a browser context of its own, signed in as `user` (None: nobody yet).

    Used where signing in is not the point of the journey; journey 3 signs in through
    the forms instead.
    """

    def open_page(user=None):
        context = new_context()
        # A journey that waits longer than this for a page has found a defect.
        context.set_default_timeout(10_000)
        if user is not None:
            client = Client()
            client.force_login(user)
            cookie = client.cookies[settings.SESSION_COOKIE_NAME]
            context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
        return context.new_page()

    return open_page


def pick(page, field, name):
    """Choose an organisation in a picker with the keyboard: type, ArrowDown, Enter."""
    picker = page.locator(f'input[name="{field}"]')
    picker.focus()
    page.keyboard.type(name[:12])
    option = page.get_by_role("option", name=name)
    option.wait_for()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    return picker


def fill_registration(page, other, *, title, start, end="", document=None):
    """The registration form filled the way an official does: the other party chosen
    in its picker, the title and dates, and (optionally) a document to upload."""
    pick(page, "parties-0-organisation", other.name)
    page.locator('input[name="title"]').fill(title)
    page.locator('input[name="start_date"]').fill(start)
    if end:
        page.locator('input[name="end_date"]').fill(end)
    if document is not None:
        page.locator('input[name="documents-0-title"]').fill("Perjanjian kerjasama")
        page.locator('input[name="documents-0-file"]').set_input_files(document)


def nothing_saved(media_root, before=0):
    return Partnership.objects.count() == before and stored_files(media_root) == []


def field_container(page, name):
    """The block that holds one field of the form: its label, the widget and its error."""
    return page.locator(f'[name="{name}"]').locator("xpath=ancestor::div[contains(@class, 'mb-3')][1]")


__all__ = [
    "OTHER",
    "OWN",
    "cooperatives",
    "curator",
    "database",
    "field_container",
    "files",
    "fill_registration",
    "media",
    "migrated_data",
    "nothing_saved",
    "official",
    "open_as",
    "pick",
]
