"""'Data as of' (issue 12): the home, statistics, profile and partnership pages say
when what they show last changed, in Jakarta time, and the time moves (past the
page cache) when a record is verified or changed."""

import datetime
import re

import pytest

from kopnet.models import Verification
from partnerships import selectors
from partnerships.models import Partnership
from registry import services as registry_services
from registry.models import Cooperative, Partner
from tests.factories import CooperativeFactory, PartnerFactory
from tests.partnerships.public_data import partnership

pytestmark = pytest.mark.django_db

# 01:02 UTC is 08:02 in Jakarta (WIB, UTC+7).
BEFORE = datetime.datetime(2026, 3, 5, 1, 2, tzinfo=datetime.timezone.utc)
SAID = {"id": "Data per 5 Maret 2026, 08.02 WIB", "en": "Data as of 5 March 2026, 08:02 WIB"}


@pytest.fixture
def records():
    coop, other = CooperativeFactory(), CooperativeFactory()
    partner = PartnerFactory()
    record = partnership(coop, other, partner)
    for model in (Cooperative, Partner, Partnership):
        # update() leaves auto_now alone: every record last changed at BEFORE.
        model.objects.update(updated_at=BEFORE)
    return {"coop": coop, "partner": partner, "partnership": record}


def pages(records):
    return {
        "home": "/",
        "statistics": "/statistik/",
        "cooperative": f"/koperasi/{records['coop'].slug}/",
        "partner": f"/mitra/{records['partner'].slug}/",
        "partnership": f"/kerjasama/{records['partnership'].reference}/",
    }


def as_of(response):
    """The 'data as of' line's text, whitespace folded."""
    found = re.search(r'<p[^>]*id="data-as-of"[^>]*>(.*?)</p>', response.content.decode(), re.S)
    assert found, "no 'data as of' on the page"
    return " ".join(re.sub(r"<[^>]+>", "", found.group(1)).split())


@pytest.mark.parametrize("page", ["home", "statistics", "cooperative", "partner", "partnership"])
@pytest.mark.parametrize("language", ["id", "en"])
def test_each_page_says_when_its_data_last_changed(visitor, records, page, language):
    if language == "en":
        visitor.cookies["django_language"] = "en"
    response = visitor.get(pages(records)[page])
    assert response.status_code == 200
    assert as_of(response) == SAID[language]
    assert '<time datetime="2026-03-05T08:02:00+07:00">' in response.content.decode()


def test_the_time_is_the_latest_change_of_a_verified_record(records):
    later = BEFORE + datetime.timedelta(days=3)
    # Waiting and rejected records are not shown: their changes do not count.
    CooperativeFactory(verification=Verification.PENDING)
    Partner.objects.filter(pk=PartnerFactory(verification=Verification.PENDING).pk).update(updated_at=later)
    Cooperative.objects.exclude(verification=Verification.VERIFIED).update(updated_at=later)
    assert selectors.data_as_of(Cooperative, Partner, Partnership) == BEFORE
    Partnership.objects.update(updated_at=later)
    assert selectors.data_as_of(Cooperative, Partner, Partnership) == later
    # The statistics page counts no partners.
    Partner.objects.update(updated_at=later + datetime.timedelta(days=1))
    assert selectors.data_as_of(Cooperative, Partnership) == later


def test_no_time_without_verified_records(visitor):
    assert selectors.data_as_of(Cooperative, Partner, Partnership) is None
    assert 'id="data-as-of"' not in visitor.get("/").content.decode()


@pytest.mark.parametrize("page", ["home", "statistics"])
def test_the_summaries_time_moves_when_a_record_is_verified(visitor, records, page_cache, curator_user, page):
    url = pages(records)[page]
    waiting = CooperativeFactory(verification=Verification.PENDING)
    page_cache.warm(url)
    assert as_of(visitor.get(url)) == SAID["id"]

    registry_services.cooperative_verify(curator=curator_user, pk=waiting.pk)

    waiting.refresh_from_db()
    assert waiting.updated_at > BEFORE
    assert as_of(visitor.get(url)) != SAID["id"]


@pytest.mark.parametrize("page", ["cooperative", "partner", "partnership"])
def test_a_records_time_moves_when_it_changes(visitor, records, page_cache, page):
    url = pages(records)[page]
    page_cache.warm(url)
    assert as_of(visitor.get(url)) == SAID["id"]

    record = records[{"cooperative": "coop"}.get(page, page)]
    record.address = record.description = "Diperbarui."  # a shown field, saved as a form would
    record.save()

    assert as_of(visitor.get(url)) != SAID["id"]
