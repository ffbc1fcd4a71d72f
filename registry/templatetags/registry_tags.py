from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kopnet.html import conditional_escape, format_html, format_html_join
from kopnet.links import url_of
from kopnet.templatetags.kopnet_tags import verification_badge
from registry.models import Tier

register = template.Library()


@register.simple_tag
def member_rows(members, show_verification=False):
    """The rows of a federation's members table (registry/cooperative_members.html has
    its head): each member with its province, tier, members and the first of its own
    members (registry.models.with_member_previews()).

    Written in Python, as the list's rows are (cooperative_rows): a page lists 50
    members with up to 5 of theirs each.
    """
    # Each cell's heading, which a phone shows before it (static/css/kopnet.css, .kn-stack).
    labels = (_("Tier"), _("Members"), _("Its own member cooperatives"))
    return format_html_join("", "{}", ((member_row(member, show_verification, labels),) for member in members))


MEMBER_ROW = (
    '<tr><th scope="row" class="fw-normal kn-name"><a href="{}">{}</a>{}{}</th>'
    '<td data-label="{}">{}</td><td class="text-end" data-label="{}">{}</td><td data-label="{}">{}</td></tr>'
)


def member_row(member, show_verification, labels):
    url = url_of("registry:cooperative_detail", member.slug)
    province = ""
    if member.province:
        province = format_html('<br><small class="text-body-secondary">{}</small>', member.province.name)
    badge = ""
    if show_verification and not member.is_verified:
        badge = format_html(" {}", verification_badge(member))
    preview = "–"
    if member.member_preview:
        preview = member_preview(member.member_preview)
        if member.more_members:
            more = ngettext("and %(more)s more", "and %(more)s more", member.more_members) % {"more": intcomma(member.more_members)}
            members = url_of("registry:cooperative_members", member.slug)
            preview += format_html(' <a class="small ps-3" href="{}">{}</a>', members, more)
    return format_html(
        MEMBER_ROW, url, member.name, province, badge,
        labels[0], member.get_tier_display(), labels[1], intcomma(member.member_count), labels[2], preview,
    )  # fmt: skip


def member_preview(preview):
    """The first of a federation's own members (MemberPreviews), each with its tier
    and members."""
    items = []
    for member in preview:
        count = member.member_count
        details = ngettext("%(tier)s, %(members)s member", "%(tier)s, %(members)s members", count) % {
            "tier": Tier(member.tier).label,
            "members": intcomma(count),
        }
        items.append((url_of("registry:cooperative_detail", member.slug), member.name, details))
    html = '<li><a href="{}">{}</a> <span class="text-body-secondary">({})</span></li>'
    return format_html('<ul class="kn-preview">{}</ul>', format_html_join("", html, items))


@register.simple_tag
def cooperative_rows(cooperatives, show_verification=False):
    """The rows of a list of cooperatives (registry/_cooperative_table.html has the
    head): name and short name, tier, type, place, members, year founded, sectors
    (registry.models.with_sector_labels), status and, with `show_verification`, the verification.

    Written in Python, as Django's admin writes its change list's rows
    (items_for_result): the template engine resolved about 18 variables and filters
    for each of a page's 50 rows.
    """
    # Each cell's heading, which a phone shows before it (static/css/kopnet.css, .kn-stack).
    labels = cooperative_labels()
    return format_html_join("", "{}", ((cooperative_row(coop, show_verification, labels),) for coop in cooperatives))


def cooperative_labels():
    """The columns' names after the first, in the reader's language."""
    return [
        _("Tier"), _("Type"), _("Location"), _("Members"), _("Founded"), _("Sectors"), _("Status"), _("Verification"),
    ]  # fmt: skip


COOPERATIVE_ROW = (
    '<tr><th scope="row" class="fw-normal kn-name"><a href="{}">{}</a>{}</th>'
    '<td data-label="{}">{}</td><td data-label="{}">{}</td><td data-label="{}">{}</td>'
    '<td class="text-end" data-label="{}">{}</td><td data-label="{}">{}</td><td data-label="{}">{}</td>'
    '<td data-label="{}">{}</td>{}</tr>'
)


def cooperative_row(coop, show_verification, labels):
    short_name = ""
    if coop.short_name:
        short_name = format_html(' <span class="text-body-secondary">({})</span>', coop.short_name)
    if coop.province:
        place = conditional_escape(coop.province.name)
        if coop.regency:
            place += format_html('<br><small class="text-body-secondary">{}</small>', coop.regency)
    else:
        place = coop.country.name
    sectors = format_html_join(", ", "{}", ((label,) for label in coop.sector_labels))
    cells = (
        coop.get_tier_display(),
        coop.get_type_display(),
        place,
        intcomma(coop.member_count),
        coop.founded.year if coop.founded else "–",
        sectors or "–",
        coop.get_status_display(),
    )
    return format_html(
        COOPERATIVE_ROW,
        url_of("registry:cooperative_detail", coop.slug),
        coop.name,
        short_name,
        *(value for pair in zip(labels, cells) for value in pair),
        format_html('<td data-label="{}">{}</td>', labels[7], verification_badge(coop)) if show_verification else "",
    )
