"""{% partnership_rows %} writes, in Python, the rows a template loop around
organisation_link and partnership_badges wrote (kept below as the oracle), for
visitors, officials and curators, in both languages."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import engines
from django.test import RequestFactory
from django.utils import translation

from kopnet.models import Verification
from partnerships.models import Partnership
from partnerships.selectors import partnerships_for_list
from tests.factories import CooperativeFactory, CuratorFactory, PartnerFactory
from tests.partnerships.public_data import day, partnership, pending

pytestmark = pytest.mark.django_db

ORACLE = """{% load i18n kopnet_tags partnerships_tags %}{% for partnership in partnerships %}
<tr>
  <th scope="row" class="fw-normal kn-name">
    <a href="{% link_to 'partnerships:partnership_detail' partnership.reference %}">{{ partnership.title }}</a>
    <br><small class="font-monospace text-body-secondary">{{ partnership.reference }}</small>
    {% if not show_verification and partnership.verification != "verified" %}{% verification_badge partnership %}{% endif %}
  </th>
  <td class="kn-parties" data-label="{% if hide %}{% translate "With" %}{% else %}{% translate "Parties" %}{% endif %}"><ul class="list-unstyled mb-0 small">{% for party in partnership.parties.all %}{% with org=party.organisation %}{% if org != hide %}<li>{% organisation_link party org %}</li>{% endif %}{% endwith %}{% endfor %}</ul></td>
  <td data-label="{% translate "Kind" %}">{% partnership_badges partnership %}</td>
  <td class="small kn-period" data-label="{% translate "Period" %}"><time datetime="{{ partnership.start_date|date:'Y-m-d' }}">{{ partnership.start_date|date:"SHORT_DATE_FORMAT" }}</time> – {% if partnership.end_date %}<time datetime="{{ partnership.end_date|date:'Y-m-d' }}">{{ partnership.end_date|date:"SHORT_DATE_FORMAT" }}</time>{% else %}<span class="text-body-secondary">{% translate "open-ended" %}</span>{% endif %}</td>
  <td data-label="{% translate "Status" %}">{{ partnership.get_status_display }}</td>
  {% if show_verification %}<td data-label="{% translate "Verification" %}">{% verification_badge partnership %}</td>{% endif %}
</tr>
{% endfor %}"""
ROWS = "{% load partnerships_tags %}{% partnership_rows partnerships hide %}"


def normalised(html):
    """Whitespace as a browser shows it: runs of it as one space, none between tags."""
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", str(html))).strip()


@pytest.fixture
def records():
    coop = CooperativeFactory(name="Koperasi <Tani> & Makmur")
    pending_coop = CooperativeFactory(name="Koperasi Belum Diverifikasi", verification=Verification.PENDING)
    bank = PartnerFactory(name="Bank Rakyat")
    partnership(coop, CooperativeFactory(), bank, title='Gabah "premium" <2024>', start_date=day(2020, 3, 9))
    partnership(coop, bank, start_date=day(2019), end_date=day(2024, 12, 31), international=True)
    pending(coop, pending_coop, start_date=day(2023, 7, 1))
    rows = list(partnerships_for_list(Partnership.objects.order_by("start_date", "id")))
    return coop, rows


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("reader", ["visitor", "curator"])
@pytest.mark.parametrize("on_its_page", [False, True])
def test_the_rows_are_the_template_loops_rows(records, language, reader, on_its_page):
    coop, rows = records
    request = RequestFactory().get("/")
    request.user = CuratorFactory() if reader == "curator" else AnonymousUser()
    curator = reader == "curator"
    context = {
        "partnerships": rows,
        "hide": coop if on_its_page else None,
        "show_verification": curator,
        "request": request,
    }
    with translation.override(language):
        expected = engines["django"].from_string(ORACLE).render(context, request)
        written = engines["django"].from_string(ROWS).render(context, request)

    assert normalised(written) == normalised(expected)
    assert written.count("<tr>") == 3
    assert "Gabah &quot;premium&quot; &lt;2024&gt;" in written
    # On its own page, the cooperative is not among the parties of its rows.
    assert ("Koperasi &lt;Tani&gt; &amp; Makmur" in written) is not on_its_page
    # Visitors never see an unverified organisation's name; curators do, linked.
    assert ("Koperasi Belum Diverifikasi" in written) is curator
