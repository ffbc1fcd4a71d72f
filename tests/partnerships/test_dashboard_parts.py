"""The dashboard's cards and rows written in Python (partnerships/templatetags/
dashboard_tags.py) are the HTML the template loops wrote, kept below as the oracle and
rendered with the page's own context: a card for each party and each change waiting
for the reader's answer, with its forms, and a row for each partnership the reader's
cooperatives registered, in both languages."""

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import translation

from kopnet.models import Verification
from partnerships.models import Confirmation, Partnership, PartnershipParty
from tests.factories import PartnerFactory
from tests.markup import normalised
from tests.partnerships.test_dashboard import registered_by, waiting_for
from tests.partnerships.test_pending_changes import curator_user, media_root, official_b, partnership, propose  # noqa: F401

pytestmark = pytest.mark.django_db

# partnerships/_answer_forms.html, and the loops of partnerships/dashboard.html, as
# they were before they were written in Python.
ANSWER_FORMS = """<div class="d-flex flex-wrap gap-3 align-items-start">
  <form method="post" action="{{ confirm_url }}{% if request.GET %}?{{ request.GET.urlencode }}{% endif %}">
    {% csrf_token %}<input type="hidden" name="version" value="{{ partnership.version }}">
    <button type="submit" class="btn btn-success">{{ confirm_label }}<span class="visually-hidden">: {{ partnership.reference }}</span></button>
  </form>
  <form method="post" action="{{ decline_url }}{% if request.GET %}?{{ request.GET.urlencode }}{% endif %}" class="flex-grow-1 kn-decline" novalidate>
    {% csrf_token %}<input type="hidden" name="version" value="{{ partnership.version }}">
    {{ decline_fields }}
    <button type="submit" class="btn btn-outline-danger">{{ decline_label }}<span class="visually-hidden">: {{ partnership.reference }}</span></button>
  </form>
</div>"""
AWAITING = """{% load i18n kopnet_tags partnerships_tags %}{% translate "Confirm" as confirm_label %}{% translate "Decline" as decline_label %}
  <ul class="list-unstyled">
    {% for party in awaiting_page.object_list %}{% with partnership=party.partnership %}
    <li class="card mb-3">
      <div class="card-body">
        <h3 class="h5 card-title"><a href="{% link_to 'partnerships:partnership_detail' partnership.reference %}">{{ partnership.title }}</a> <span class="text-body-secondary fs-6 font-monospace">{{ partnership.reference }}</span></h3>
        <p class="card-text">{% blocktranslate trimmed with initiator=partnership.initiator.name cooperative=party.cooperative.name role=party.get_role_display %}
          {{ initiator }} names {{ cooperative }} as a party ({{ role }}).
        {% endblocktranslate %}
        {% if partnership.start_date %}{% blocktranslate with start=partnership.start_date|date:"DATE_FORMAT" %}Starts {{ start }}.{% endblocktranslate %}{% endif %}</p>
        <dl class="kn-card-facts small">
          <dt>{% translate "Other parties" %}</dt><dd>{{ party.others|join:", "|default:"–" }}</dd>
          <dt>{% translate "Period" %}</dt><dd>{% partnership_period partnership %}</dd>
          <dt>{% translate "Value" %}</dt><dd>{% if partnership.value is not None %}{{ partnership.currency }} {{ partnership.value|floatformat:"0g" }}{% else %}{% translate "not recorded" %}{% endif %}</dd>
          <dt>{% translate "Agreement documents" %}</dt><dd>{% for pk, title in party.documents %}<a href="{% url 'partnerships:document_download' partnership.reference pk %}">{{ title }}</a>{% if not forloop.last %}, {% endif %}{% empty %}–{% endfor %}</dd>
        </dl>
        {% link_to 'partnerships:party_confirm' party.pk as confirm_url %}{% link_to 'partnerships:party_decline' party.pk as decline_url %}
        {% include answer_forms with decline_fields=party.decline_fields %}
      </div>
    </li>
    {% endwith %}{% endfor %}
  </ul>"""
CHANGES = """{% load i18n kopnet_tags %}{% translate "Confirm the change" as confirm_label %}{% translate "Decline the change" as decline_label %}
  <ul class="list-unstyled">
    {% for answer in changes_page.object_list %}{% with partnership=answer.partnership %}
    <li class="card mb-3">
      <div class="card-body">
        <h3 class="h5 card-title"><a href="{% link_to 'partnerships:partnership_detail' partnership.reference %}">{{ partnership.title }}</a> <span class="text-body-secondary fs-6 font-monospace">{{ partnership.reference }}</span></h3>
        <p class="card-text">{% blocktranslate trimmed with initiator=partnership.initiator.name cooperative=answer.cooperative.name when=answer.revision.proposed_at|date:"DATE_FORMAT" %}
          {{ initiator }} proposed on {{ when }} a change to this verified partnership, which names {{ cooperative }}. It is published only once every cooperative named has confirmed it and a curator has verified it.
        {% endblocktranslate %}</p>
        <p class="card-text">{% translate "It changes:" %} {{ answer.revision.changed_labels|join:", " }}. <a href="{% link_to 'partnerships:partnership_detail' partnership.reference %}#pending-change">{% translate "Read the change" %}<span class="visually-hidden">: {{ partnership.reference }}</span></a></p>
        {% link_to 'partnerships:change_confirm' answer.pk as confirm_url %}{% link_to 'partnerships:change_decline' answer.pk as decline_url %}
        {% include answer_forms with decline_fields=answer.decline_fields %}
      </div>
    </li>
    {% endwith %}{% endfor %}
  </ul>"""
REGISTERED = """{% load i18n kopnet_tags %}<tbody>
        {% for partnership in registered_page.object_list %}
        <tr>
          <th scope="row" class="fw-normal kn-name">
            <a href="{% link_to 'partnerships:partnership_detail' partnership.reference %}">{{ partnership.title }}</a>
            <br><small class="text-body-secondary"><span class="font-monospace">{{ partnership.reference }}</span> · {% blocktranslate with name=partnership.initiator.name %}registered for {{ name }}{% endblocktranslate %}</small>
            {% if partnership.editable %}<br><a class="small" href="{% link_to 'partnerships:partnership_update' partnership.reference %}">{% translate "Edit" %}<span class="visually-hidden">: {{ partnership.reference }}</span></a>{% endif %}
          </th>
          <td class="kn-parties" data-label="{% translate 'Parties and their confirmation' %}">
            <ul class="list-unstyled mb-0">
              {% for party in partnership.party_answers %}
              <li>
                {{ party.name }}
                {% if party.partner_id %}<span class="text-body-secondary small">({% translate "checked by the curators" %})</span>
                {% elif party.confirmation == "confirmed" %}<span class="badge text-bg-success">{{ party.confirmation_label }}</span>
                {% elif party.confirmation == "declined" %}<span class="badge text-bg-danger">{{ party.confirmation_label }}</span> <small>{{ party.decline_reason }}</small>
                {% else %}<span class="badge text-bg-warning">{{ party.confirmation_label }}</span>{% endif %}
              </li>
              {% endfor %}
            </ul>
          </td>
          <td data-label="{% translate 'Verification' %}">
            {% verification_badge partnership %}{% if partnership.pending_change %}<br><span class="badge text-bg-info">{% translate "Change waiting" %}</span>{% endif %}
            {% if partnership.verification == "rejected" and partnership.verification_note %}<br><small>{{ partnership.verification_note }}</small>{% endif %}
          </td>
        </tr>
        {% endfor %}
      </tbody>"""


@pytest.fixture
def dashboard_records(official, official_b, partnership, cooperative_a, cooperative_b):
    """Official B's dashboard holds every kind of card and row: parties waiting for
    B's answer, a change of a verified partnership waiting for it, and B's own
    registrations with a partner, a confirmation, a decline and a rejection."""
    waiting_for(cooperative_b, title='Gabah "premium" <2025> & beras')
    waiting_for(cooperative_b, title="Kerjasama kedua")
    propose(official, partnership, [cooperative_b], title="Judul <baru> & lebih baik")
    declined = registered_by(cooperative_b, title="Ditolak <pihak>")
    PartnershipParty.objects.filter(partnership=declined).exclude(cooperative=cooperative_b).update(
        confirmation=Confirmation.DECLINED, decline_reason="Bukan <kami> & salah"
    )
    rejected = registered_by(cooperative_b, title="Ditolak kurator")
    Partnership.objects.filter(pk=rejected.pk).update(
        verification=Verification.REJECTED, verification_note="Dokumen <kurang> & tidak sah"
    )
    with_partner = registered_by(cooperative_b, title="Dengan mitra")
    PartnershipParty.objects.create(partnership=with_partner, partner=PartnerFactory(name="Bank <Rakyat>"))
    PartnershipParty.objects.filter(partnership=with_partner, cooperative=cooperative_b).update(
        confirmation=Confirmation.CONFIRMED
    )
    return official_b


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_cards_and_rows_are_the_template_loops(dashboard_records, language):
    dashboard_records.cookies["django_language"] = language
    response = dashboard_records.get(reverse("partnerships:dashboard"), {"registered_page": "1", "x": "<a&b>"})
    assert response.status_code == 200
    page = normalised(response.content.decode())
    context = {name: response.context[name] for name in ("awaiting_page", "changes_page", "registered_page", "csrf_token")}
    context |= {"request": response.wsgi_request, "answer_forms": engines["django"].from_string(ANSWER_FORMS)}
    with translation.override(language):
        for oracle, shown in ((AWAITING, 2), (CHANGES, 1), (REGISTERED, 6)):
            expected = normalised(engines["django"].from_string(oracle).render(context))
            assert expected in page
            assert expected.count('<li class="card') + expected.count("<tr>") == shown
    # What the oracles have to show, shown.
    assert "Gabah &quot;premium&quot; &lt;2025&gt; &amp; beras" in page and "Bukan &lt;kami&gt; &amp; salah" in page
    assert "Dokumen &lt;kurang&gt; &amp; tidak sah" in page and "Bank &lt;Rakyat&gt;" in page
    assert "?registered_page=1&amp;x=%3Ca%26b%3E" in page and 'name="csrfmiddlewaretoken"' in page
