from django import template
from django.conf import settings
from django.contrib.auth.models import AnonymousUser

from kopnet import notifications, policy
from kopnet.html import format_html
from kopnet.links import url_of

register = template.Library()

# The licence of the registry's data.
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"


# Tags rather than a context processor: the footer is on the error pages too, which
# are rendered without a request's context.
@register.simple_tag
def licence_url():
    return LICENCE_URL


@register.simple_tag
def contact_email():
    """Where people write to the people behind KopNet (settings.KOPNET_CONTACT_EMAIL)."""
    return settings.KOPNET_CONTACT_EMAIL


@register.simple_tag(takes_context=True)
def page_url(context, number, param="page"):
    """This page's address with another page number: every filter stays in the link.

    Like Django's {% querystring %}, but the parameter's name can be a variable, so
    one pager serves both ?page= and the dashboard's ?awaiting_page=, and the path is
    written out, so the links still lead here from a page that fetched this one's
    section (a federation's members on its profile).
    """
    request = context["request"]
    query = request.GET.copy()
    query[param] = number
    return f"{request.path}?{query.urlencode()}"


@register.simple_tag(takes_context=True)
def may(context, action, obj):
    """What kopnet.policy answers for the reader: {% may "name" party as named %}."""
    request = context.get("request")
    return policy.may(getattr(request, "user", None) or AnonymousUser(), action, obj)


@register.simple_tag
def link_to(name, argument):
    """{% url name argument %} for the pages of records, without reverse() for each
    (kopnet.links): {% link_to "registry:cooperative_detail" coop.slug %}."""
    return url_of(name, argument)


# A record's verification state as a badge of its colour.
BADGE_CLASSES = {"verified": "text-bg-success", "rejected": "text-bg-danger"}


@register.simple_tag
def verification_badge(record):
    """{% verification_badge record %}: verified green, rejected red, pending yellow."""
    return format_html(
        '<span class="badge {}">{}</span>',
        BADGE_CLASSES.get(record.verification, "text-bg-warning"),
        record.get_verification_display(),
    )


@register.inclusion_tag("_follow.html", takes_context=True)
def follow_button(context, record):
    """Follow or stop following a record, for a signed-in reader (kopnet.notifications);
    nothing for a visitor, whose page is the cached one every visitor shares."""
    request = context.get("request")
    user = getattr(request, "user", None)
    address = notifications.follow_address(record)
    if user is None or not user.is_authenticated or address is None:
        return {"shown": False}
    return {
        "shown": True,
        "kind": address[0],
        "key": address[1],
        "following": notifications.is_following(user, record),
        "csrf_token": context.get("csrf_token"),
        "name": str(record),
    }
