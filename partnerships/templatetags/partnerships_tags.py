from django import template
from django.contrib.auth.models import AnonymousUser
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kopnet import policy
from kopnet.html import conditional_escape, format_html, format_html_join
from kopnet.links import url_of
from kopnet.models import Verification
from kopnet.templatetags.kopnet_tags import verification_badge
from partnerships.policy import UNNAMED

register = template.Library()


@register.simple_tag(takes_context=True)
def organisation_link(context, party, org):
    """A party's organisation `org`, linked to its profile when kopnet.policy lets the
    reader open it ("view": verified organisations for everyone, every organisation
    for curators, an official's own pending ones too). Its name only where the policy
    lets the reader see it (never an unverified organisation's name for visitors).
    """
    return linked_organisation(reader(context), party, org)


def parties_cell(partnership, hide, user):
    """A row's parties: each party of `partnership` (its parties prefetched) as
    organisation_link writes it, one item each, but the organisation `hide` (the one
    whose page this is)."""
    items = []
    for party in partnership.parties.all():
        org = party.organisation
        if org != hide:
            items.append((linked_organisation(user, party, org),))
    return format_html(
        '<ul class="list-unstyled mb-0 small">{}</ul>', format_html_join("", "<li>{}</li>", items)
    )


@register.simple_tag(takes_context=True)
def partnership_rows(context, partnerships, hide=None):
    """The rows of a list of partnerships (partnerships/_partnership_table.html has the
    head): title and reference, parties (but `hide`, the organisation whose page this
    is), kind, period, status and, for curators (show_verification), the verification;
    an official's own unverified partnership shows its state by its title.

    Written in Python, as Django's admin writes its change list's rows: the template
    engine resolved each row's tags, their arguments and the conditions around them.
    """
    user, show_verification = reader(context), context.get("show_verification")
    # Each cell's heading, which a phone shows before it (static/css/kopnet.css, .kn-stack).
    labels = (_("With") if hide else _("Parties"), _("Kind"), _("Period"), _("Status"), _("Verification"))
    rows = (partnership_row(partnership, hide, user, show_verification, labels) for partnership in partnerships)
    return format_html_join("", "{}", ((row,) for row in rows))


PARTNERSHIP_ROW = (
    '<tr><th scope="row" class="fw-normal kn-name"><a href="{}">{}</a>'
    '<br><small class="font-monospace text-body-secondary">{}</small>{}</th>'
    '<td class="kn-parties" data-label="{}">{}</td><td data-label="{}">{}</td>'
    '<td class="small kn-period" data-label="{}">{}</td><td data-label="{}">{}</td>{}</tr>'
)


def partnership_row(partnership, hide, user, show_verification, labels):
    verified = partnership.verification == Verification.VERIFIED
    return format_html(
        PARTNERSHIP_ROW,
        url_of("partnerships:partnership_detail", partnership.reference),
        partnership.title,
        partnership.reference,
        # An official's own, not yet verified.
        format_html(" {}", verification_badge(partnership)) if not show_verification and not verified else "",
        labels[0],
        parties_cell(partnership, hide, user),
        labels[1],
        partnership_badges(partnership),
        labels[2],
        partnership_period(partnership),
        labels[3],
        partnership.get_status_display(),
        format_html('<td data-label="{}">{}</td>', labels[4], verification_badge(partnership)) if show_verification else "",
    )


def reader(context):
    request = context.get("request")
    return getattr(request, "user", None) or AnonymousUser()


def linked_organisation(user, party, org):
    cooperative = getattr(party, "cooperative_id", None)
    if not policy.may(user, "name", party):
        html = format_html('<span class="text-body-secondary">{}</span>', UNNAMED)
    elif policy.may(user, "view", org):
        page = "registry:cooperative_detail" if cooperative else "registry:partner_detail"
        html = format_html('<a href="{}">{}</a>', url_of(page, org.slug), org.name)
    else:
        html = conditional_escape(org.name)
    if not cooperative:
        html += format_html(' <span class="badge text-bg-light border fw-normal">{}</span>', _("partner"))
    return html


@register.simple_tag
def partnership_period(partnership):
    """A row's period: the start and end dates ("open-ended" without an end), each a
    <time> element."""

    def time(day):
        return format_html('<time datetime="{}">{}</time>', day.isoformat(), date_format(day, "SHORT_DATE_FORMAT"))

    end = partnership.end_date
    until = time(end) if end else format_html('<span class="text-body-secondary">{}</span>', _("open-ended"))
    return format_html("{} – {}", time(partnership.start_date), until)


@register.simple_tag
def partnership_badges(partnership):
    """A partnership's kind as badges: category, direction, international, new entity."""
    badges = [format_html('<span class="badge kn-category-{}">{}</span>', partnership.category, partnership.get_category_display())]
    if partnership.direction:
        badges.append(format_html('<span class="badge text-bg-light border">{}</span>', partnership.get_direction_display()))
    if partnership.international:
        badges.append(format_html('<span class="badge text-bg-dark">{}</span>', _("International")))
    if partnership.new_entity:
        badges.append(format_html('<span class="badge text-bg-light border">{}</span>', _("New legal entity")))
    return format_html('<span class="d-inline-flex flex-wrap gap-1">{}</span>', format_html_join(" ", "{}", ((badge,) for badge in badges)))


NETWORK_LINK = '<li>{} <span class="text-body-secondary">({})</span><ul>{}</ul></li>'
NETWORK_EDGE = '<li><a href="{}">{}</a> <span class="font-monospace small">{}</span> · {}{}</li>'


@register.simple_tag
def network_list(links):
    """The network as a list (what screen readers and keyboards use): each
    organisation, linked when the reader may open its page, with its kind and each
    partnership it shares with the cooperative (partnership_network()'s `links`).

    Written in Python, as the lists' rows are: the busiest cooperatives' networks list
    some 200 partnerships, each resolved by the template engine tag by tag."""
    kinds = {"partner": _("partner"), "cooperative": _("cooperative")}
    international = format_html(" · {}", _("International"))

    def organisation(node):
        if node["url"]:
            return format_html('<a href="{}">{}</a>', node["url"], node["name"])
        return conditional_escape(node["name"])

    def edges(partnerships):
        return format_html_join(
            "",
            NETWORK_EDGE,
            (
                (edge["url"], edge["title"], edge["reference"], edge["category_label"], international if edge["international"] else "")
                for edge in partnerships
            ),
        )

    return format_html_join(
        "",
        NETWORK_LINK,
        (
            (organisation(link["node"]), kinds["partner" if link["node"]["kind"] == "partner" else "cooperative"], edges(link["partnerships"]))
            for link in links
        ),
    )
