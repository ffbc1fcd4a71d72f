"""{% cooperative_rows %} writes, in Python, exactly the rows the list's template loop
wrote (kept below as the oracle, with the sectors prefetched as for_list() does; the
list reads their names with with_sector_labels()), and {% verification_badge %} what the badge
template wrote, in both languages."""

import datetime
import re

import pytest
from django.template import engines
from django.utils import translation

from kopnet.models import Verification
from registry.models import Cooperative, CooperativeStatus, Scope, Tier, with_sector_labels
from registry.templatetags.registry_tags import cooperative_rows
from tests.factories import CooperativeFactory, province, sector

pytestmark = pytest.mark.django_db

# registry/_cooperative_table.html's rows and templates/_verification_badge.html as
# they were before they were written in Python.
ORACLE = """{% load i18n humanize kopnet_tags %}{% for coop in cooperatives %}
<tr>
  <th scope="row" class="fw-normal kn-name">
    <a href="{% link_to 'registry:cooperative_detail' coop.slug %}">{{ coop.name }}</a>
    {% if coop.short_name %}<span class="text-body-secondary">({{ coop.short_name }})</span>{% endif %}
  </th>
  <td data-label="{% translate 'Tier' %}">{{ coop.get_tier_display }}</td>
  <td data-label="{% translate 'Type' %}">{{ coop.get_type_display }}</td>
  <td data-label="{% translate 'Location' %}">{% if coop.province %}{{ coop.province.name }}{% if coop.regency %}<br><small class="text-body-secondary">{{ coop.regency }}</small>{% endif %}{% else %}{{ coop.country.name }}{% endif %}</td>
  <td class="text-end" data-label="{% translate 'Members' %}">{{ coop.member_count|intcomma }}</td>
  <td data-label="{% translate 'Founded' %}">{{ coop.founded|date:"Y"|default:"–" }}</td>
  <td data-label="{% translate 'Sectors' %}">{% for sector in coop.sectors.all %}{{ sector.label }}{% if not forloop.last %}, {% endif %}{% empty %}–{% endfor %}</td>
  <td data-label="{% translate 'Status' %}">{{ coop.get_status_display }}</td>
  {% if show_verification %}<td data-label="{% translate 'Verification' %}">{% if coop.verification == "verified" %}<span class="badge text-bg-success">{{ coop.get_verification_display }}</span>{% elif coop.verification == "rejected" %}<span class="badge text-bg-danger">{{ coop.get_verification_display }}</span>{% else %}<span class="badge text-bg-warning">{{ coop.get_verification_display }}</span>{% endif %}</td>{% endif %}
</tr>
{% endfor %}"""


def normalised(html):
    """Whitespace as a browser shows it: runs of it as one space, none between tags."""
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", str(html))).strip()


@pytest.fixture
def cooperatives():
    CooperativeFactory(
        name='Koperasi "Tani" <Maju> & Jaya',
        short_name="KT&M",
        regency="Kabupaten <Garut>",
        founded=datetime.date(1987, 5, 1),
        individual_members=1234567,
        sectors=[sector("pertanian"), sector("perikanan")],
    )
    CooperativeFactory(name="Koperasi Tanpa Kabupaten", province=province("51"), founded=None, sectors=[])
    CooperativeFactory(
        name="ASEAN Cooperative Organisation",
        country="SG",
        province=None,
        tier=Tier.APEX,
        scope=Scope.INTERNASIONAL,
        individual_members=None,
        status=CooperativeStatus.DIBUBARKAN,
        verification=Verification.PENDING,
        sectors=[sector("pertanian")],
    )
    CooperativeFactory(
        name="Koperasi Ditolak", verification=Verification.REJECTED, verification_note="Dokumen kurang", founded=datetime.date(2001, 1, 1)
    )
    return Cooperative.objects.order_by("name")


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("show_verification", [False, True])
def test_the_rows_are_the_templates_rows(cooperatives, language, show_verification, django_assert_num_queries):
    context = {"cooperatives": list(cooperatives.for_list()), "show_verification": show_verification}
    with translation.override(language):
        expected = engines["django"].from_string(ORACLE).render(context)
        with django_assert_num_queries(2):  # the cooperatives with their provinces, their sectors' names
            rows = cooperative_rows(with_sector_labels(list(cooperatives.for_rows())), show_verification)

    assert normalised(rows) == normalised(expected)
    assert rows.count("<tr>") == 4
    # The sectors are joined in the page's language (ordered by their names); the short
    # name keeps its space.
    assert ("Perikanan, Pertanian" if language == "id" else "Fisheries, Agriculture") in rows
    assert '</a> <span class="text-body-secondary">(KT&amp;M)</span>' in rows
    assert "&lt;Maju&gt;" in rows and "<Maju>" not in rows
    assert ("text-bg-warning" in rows) is show_verification


def test_the_list_page_shows_the_rows_with_the_verification_only_for_curators(client, admin_client, cooperatives):
    visitor = client.get("/koperasi/").content.decode()
    curator = admin_client.get("/koperasi/").content.decode()

    verified = with_sector_labels(list(cooperatives.for_rows().filter(verification="verified")))
    assert normalised(cooperative_rows(verified)) in normalised(visitor)
    assert "text-bg-success" in curator and "text-bg-success" not in visitor
