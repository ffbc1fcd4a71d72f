"""The official's dashboard's repeated parts, written in Python as the lists' rows are
(partnerships_tags.partnership_rows): a card for each partnership or change waiting for
the reader's answer, with its two forms, and a row for each partnership the reader's
cooperatives registered, with every party's answer.

The busiest cooperative's official has a page of 20 of each: the template engine
resolved each card's and row's variables, tags and conditions, about half of the
page's server time (tests/partnerships/test_dashboard_parts.py compares these with the
template they replace, kept there)."""

from django import template
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.timezone import template_localtime
from django.utils.translation import gettext as _

from kopnet.html import conditional_escape, format_html, format_html_join
from kopnet.links import url_of
from kopnet.templatetags.kopnet_tags import verification_badge
from partnerships.templatetags.partnerships_tags import partnership_period

register = template.Library()


def translated(message, **values):
    """`message` in the active language with `values` escaped into it, as
    {% blocktranslate %} writes it (the message's own text is not escaped)."""
    return SafeString(_(message) % {name: conditional_escape(value) for name, value in values.items()})


class AnswerForms:
    """Confirm, or decline with a reason, at the partnership's version the page shows:
    the two forms of a card, posting back with the page's query (which page of each
    section the reader was on)."""

    FORMS = (
        '<div class="d-flex flex-wrap gap-3 align-items-start">'
        '<form method="post" action="{confirm}">{csrf}<input type="hidden" name="version" value="{version}">'
        '<button type="submit" class="btn btn-success">{confirm_label}<span class="visually-hidden">: {reference}</span></button>'
        "</form>"
        '<form method="post" action="{decline}" class="flex-grow-1 kn-decline" novalidate>'
        '{csrf}<input type="hidden" name="version" value="{version}">{fields}'
        '<button type="submit" class="btn btn-outline-danger">{decline_label}<span class="visually-hidden">: {reference}</span></button>'
        "</form></div>"
    )  # fmt: skip

    def __init__(self, context, confirm_label, decline_label):
        request = context.get("request")
        self.query = f"?{request.GET.urlencode()}" if request is not None and request.GET else ""
        # As {% csrf_token %} writes it.
        token = context.get("csrf_token")
        self.csrf = format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token) if token and token != "NOTPROVIDED" else ""
        self.confirm_label, self.decline_label = confirm_label, decline_label

    def html(self, confirm_url, decline_url, partnership, decline_fields):
        return format_html(
            self.FORMS,
            confirm=confirm_url + self.query,
            decline=decline_url + self.query,
            csrf=self.csrf,
            version=partnership.version,
            reference=partnership.reference,
            fields=decline_fields(),
            confirm_label=self.confirm_label,
            decline_label=self.decline_label,
        )


CARD = (
    '<li class="card mb-3"><div class="card-body">'
    '<h3 class="h5 card-title"><a href="{}">{}</a> <span class="text-body-secondary fs-6 font-monospace">{}</span></h3>'
    "{}{}</div></li>"
)


def card(partnership, text, forms):
    return format_html(
        CARD,
        url_of("partnerships:partnership_detail", partnership.reference),
        partnership.title,
        partnership.reference,
        text,
        forms,
    )


@register.simple_tag(takes_context=True)
def awaiting_cards(context, parties):
    """A card for each party (of the reader's cooperatives) waiting for its answer:
    the partnership, who named whom, when it starts, and the answer's two forms."""
    forms = AnswerForms(context, _("Confirm"), _("Decline"))

    def one(party):
        partnership = party.partnership
        named = translated(
            "%(initiator)s names %(cooperative)s as a party (%(role)s).",
            initiator=partnership.initiator.name, cooperative=party.cooperative.name, role=party.get_role_display(),
        )  # fmt: skip
        start = partnership.start_date
        if start:
            named = format_html("{} {}", named, translated("Starts %(start)s.", start=date_format(start, "DATE_FORMAT")))
        answer = forms.html(
            url_of("partnerships:party_confirm", party.pk),
            url_of("partnerships:party_decline", party.pk),
            partnership,
            party.decline_fields,
        )
        return card(partnership, format_html('<p class="card-text">{}</p>{}', named, facts(party, labels)), answer)

    # What the official decides on, besides who named them: the other parties, the
    # period, the value and the documents (kept by the view: party.others, party.documents).
    labels = (_("Other parties"), _("Period"), _("Value"), _("Agreement documents"), _("not recorded"))

    return format_html_join("", "{}", ((one(party),) for party in parties))


FACTS = (
    '<dl class="kn-card-facts small">'
    "<dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd></dl>"
)


def facts(party, labels):
    partnership = party.partnership
    value = labels[4]
    if partnership.value is not None:
        value = format_html("{} {}", partnership.currency, floatformat(partnership.value, "0g"))
    documents = format_html_join(
        ", ",
        '<a href="{}">{}</a>',
        ((reverse("partnerships:document_download", args=[partnership.reference, pk]), title) for pk, title in party.documents),
    )
    return format_html(
        FACTS,
        labels[0], ", ".join(party.others) or "–",
        labels[1], partnership_period(partnership),
        labels[2], value,
        labels[3], documents or "–",
    )  # fmt: skip


@register.simple_tag(takes_context=True)
def change_cards(context, answers):
    """A card for each change of a verified partnership waiting for the answer of one
    of the reader's cooperatives: who proposed it and when, what it changes, a link to
    read it, and the answer's two forms."""
    forms = AnswerForms(context, _("Confirm the change"), _("Decline the change"))

    def one(answer):
        partnership = answer.partnership
        proposed = translated(
            "%(initiator)s proposed on %(when)s a change to this verified partnership, which names %(cooperative)s. "
            "It is published only once every cooperative named has confirmed it and a curator has verified it.",
            initiator=partnership.initiator.name,
            # As the date filter takes a moment: in the current time zone.
            when=date_format(template_localtime(answer.revision.proposed_at), "DATE_FORMAT"),
            cooperative=answer.cooperative.name,
        )
        changes = format_html(
            '<p class="card-text">{}</p><p class="card-text">{} {}. <a href="{}#pending-change">{}<span class="visually-hidden">: {}</span></a></p>',
            proposed,
            _("It changes:"),
            format_html_join(", ", "{}", ((label,) for label in answer.revision.changed_labels())),
            url_of("partnerships:partnership_detail", partnership.reference),
            _("Read the change"),
            partnership.reference,
        )
        answer_forms = forms.html(
            url_of("partnerships:change_confirm", answer.pk),
            url_of("partnerships:change_decline", answer.pk),
            partnership,
            answer.decline_fields,
        )
        return card(partnership, changes, answer_forms)

    return format_html_join("", "{}", ((one(answer),) for answer in answers))


REGISTERED_ROW = (
    '<tr><th scope="row" class="fw-normal kn-name"><a href="{detail}">{title}</a>'
    '<br><small class="text-body-secondary"><span class="font-monospace">{reference}</span> · {registered_for}</small>'
    "{edit_link}</th>"
    '<td class="kn-parties" data-label="{parties_label}"><ul class="list-unstyled mb-0">{parties}</ul></td>'
    '<td data-label="{verification_label}">{verification}</td></tr>'
)
EDIT_LINK = (
    '<br><a class="small" href="{}">{}<span class="visually-hidden">: {}</span></a>'

)
ANSWER_BADGES = {"confirmed": "text-bg-success", "declined": "text-bg-danger"}


@register.simple_tag
def registered_rows(partnerships):
    """A row for each partnership of the reader's cooperatives: its title and
    reference, for whom it was registered, a link to edit it when one of them
    registered it (`partnership.editable`), each party's answer (partners are checked
    by the curators) and its verification, with a rejection's reason."""
    checked = format_html('<span class="text-body-secondary small">({})</span>', _("checked by the curators"))
    waiting = format_html('<br><span class="badge text-bg-info">{}</span>', _("Change waiting"))
    edit = _("Edit")
    parties_label, verification_label = _("Parties and their confirmation"), _("Verification")

    def party_line(party):
        if party["partner_id"]:
            answer = checked
        else:
            colour = ANSWER_BADGES.get(party["confirmation"], "text-bg-warning")
            answer = format_html('<span class="badge {}">{}</span>', colour, party["confirmation_label"])
            if party["confirmation"] == "declined":
                answer = format_html("{} <small>{}</small>", answer, party["decline_reason"])
        return format_html("<li>{} {}</li>", party["name"], answer)

    def one(partnership):
        verification = verification_badge(partnership)
        if partnership.pending_change:
            verification += waiting
        if partnership.verification == "rejected" and partnership.verification_note:
            verification = format_html("{}<br><small>{}</small>", verification, partnership.verification_note)
        return format_html(
            REGISTERED_ROW,
            detail=url_of("partnerships:partnership_detail", partnership.reference),
            title=partnership.title,
            reference=partnership.reference,
            registered_for=translated("registered for %(name)s", name=partnership.initiator.name),
            edit_link=format_html(EDIT_LINK, url_of("partnerships:partnership_update", partnership.reference), edit,
                                  partnership.reference) if partnership.editable else "",
            parties_label=parties_label,
            verification_label=verification_label,
            parties=format_html_join("", "{}", ((party_line(party),) for party in partnership.party_answers)),
            verification=verification,
        )

    return format_html_join("", "{}", ((one(partnership),) for partnership in partnerships))
