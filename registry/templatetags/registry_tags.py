from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.html import format_html, format_html_join
from django.utils.translation import ngettext

from kopnet.links import url_of

register = template.Library()


@register.simple_tag
def member_preview(federation):
    """The first of a federation's own members, as the members table lists them:
    {% member_preview member %}.

    What a loop of {% blocktranslate count %} wrote, in Python: a federation's page
    lists 50 members with up to 5 of theirs each, so up to 250 previews a page.
    """
    items = []
    for membership in federation.member_preview:
        member = membership.member
        count = member.member_count
        details = ngettext("%(tier)s, %(members)s member", "%(tier)s, %(members)s members", count) % {
            "tier": member.get_tier_display(),
            "members": intcomma(count),
        }
        items.append((url_of("registry:cooperative_detail", member.slug), member.name, details))
    html = '<li><a href="{}">{}</a> <span class="text-body-secondary">({})</span></li>'
    return format_html('<ul class="kn-preview">{}</ul>', format_html_join("", html, items))
