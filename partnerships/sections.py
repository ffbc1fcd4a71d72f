"""What partnerships adds to the registry's profile pages, through the hook the
registry offers (registry.sections): under a cooperative's or partner's name, the
partnership that founded it as a new legal entity; a cooperative's partnerships, with the places
of its network and suggested partners (pages of their own, which the profile fetches
once it has loaded), a partner's partnerships; and the kept counts of cooperatives to
their list. Added by PartnershipsConfig.ready()."""

from partnerships import selectors
from registry.models import Cooperative, Partner
from registry.sections import add_list_count, add_profile_section


def cooperative_context(request, cooperative):
    # The profile may be read as on a past day (registry.views.AsOfMixin).
    return selectors.cooperative_partnerships(cooperative, request.user, on=cooperative.as_of)


def partner_context(request, partner):
    return selectors.partner_partnerships(partner, request.user, on=partner.as_of)


def founding_context(request, record):
    return selectors.founding(record, request.user)


def no_context(request, record):
    return {}


def add_to_profiles():
    # In the head: the feed of its newly verified partnerships (partnerships/feeds.py).
    add_profile_section(Cooperative, "partnerships/_cooperative_feed.html", no_context, place="head")
    # Under the name: the partnership that founded it, when one did.
    add_profile_section(Cooperative, "partnerships/_founded.html", founding_context, place="heading")
    add_profile_section(Partner, "partnerships/_founded.html", founding_context, place="heading")
    add_profile_section(Cooperative, "partnerships/_cooperative_profile.html", cooperative_context)
    add_profile_section(Partner, "partnerships/_partner_profile.html", partner_context)
    # The statistics keep the counts of verified cooperatives by tier, type and province.
    add_list_count(Cooperative, selectors.kept_cooperative_count)
