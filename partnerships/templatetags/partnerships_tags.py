from django import template
from django.contrib.auth.models import AnonymousUser
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.translation import gettext as _

from kopnet import policy
from kopnet.links import url_of
from partnerships.policy import UNNAMED

register = template.Library()


@register.simple_tag(takes_context=True)
def organisation_link(context, party, org):
    """A party's organisation `org`, linked to its profile when the reader may open it:
    verified organisations for everyone, every organisation for curators
    (show_all_links). Its name only where kopnet.policy lets the reader see it (never
    an unverified organisation's name for visitors).
    """
    return linked_organisation(reader(context), party, org, context.get("show_all_links"))


@register.simple_tag(takes_context=True)
def partnership_parties(context, partnership, hide=None):
    """A list's parties cell: each party of `partnership` (its parties prefetched) as
    organisation_link writes it, one item each, but the organisation `hide` (the one
    whose page this is).

    Written in Python, not a template loop around organisation_link: a page of 50
    partnerships names about 170 parties, and the template engine resolved the loop's
    {% with %}, {% if %} and tag arguments for each one.
    """
    user, show_all = reader(context), context.get("show_all_links")
    items = []
    for party in partnership.parties.all():
        org = party.organisation
        if org != hide:
            items.append((linked_organisation(user, party, org, show_all),))
    return format_html(
        '<ul class="list-unstyled mb-0 small">{}</ul>', format_html_join("", "<li>{}</li>", items)
    )


def reader(context):
    request = context.get("request")
    return getattr(request, "user", None) or AnonymousUser()


def linked_organisation(user, party, org, show_all):
    cooperative = getattr(party, "cooperative_id", None)
    if not policy.may(user, "name", party):
        html = format_html('<span class="text-body-secondary">{}</span>', UNNAMED)
    elif org.is_verified or show_all:
        page = "registry:cooperative_detail" if cooperative else "registry:partner_detail"
        html = format_html('<a href="{}">{}</a>', url_of(page, org.slug), org.name)
    else:
        html = conditional_escape(org.name)
    if not cooperative:
        html += format_html(' <span class="badge text-bg-light border fw-normal">{}</span>', _("partner"))
    return html


@register.simple_tag
def partnership_period(partnership):
    """A partnership's start and end dates ("open-ended" without an end), each a
    <time> element; in Python, not an included template, as organisation_link."""

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
