"""Atom feeds of newly verified partnerships: all of them, a cooperative's, a
province's (issue 14 §3). A feed reader follows them without signing in, so each is
what a visitor sees (kopnet.policy with an anonymous reader, whoever asks); the pages
they belong to link them in their head (`<link rel="alternate">`). Each feed is three
queries at any size: the record it follows, the latest verified partnerships (the
partial index ks_latest_verified, newest first), their parties."""

from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.cache import cache_control
from django.utils.translation import gettext as _

from kopnet import links, policy
from partnerships.models import Partnership, PartnershipParty
from partnerships.policy import party_name
from partnerships.selectors import partnerships_for_list
from registry.models import Cooperative, Province
from registry.views import PROVINCE_CODE

ITEMS = 50
VISITOR = AnonymousUser()
# A feed is the same for every reader: shared caches may keep it this long (a reader
# polls hourly; a province's feed costs some 90 ms at 1,000,000 partnerships).
MAX_AGE = 300


def public(feed):
    """The feed's view, marked for shared caches (with Last-Modified: the newest entry)."""
    return cache_control(public=True, max_age=MAX_AGE)(feed)


class VerifiedPartnershipsFeed(Feed):
    """The latest verified partnerships, newest first."""

    feed_type = Atom1Feed
    author_name = "KopNet"  # Atom asks for an author: the registry (its curators verify)

    def title(self, obj):
        return _("KopNet: newly verified partnerships")

    def subtitle(self, obj):
        return _("Partnerships of Indonesian cooperatives, as Dekopin's curators verify them.")

    def link(self, obj):
        return reverse("partnerships:partnership_list")

    def narrowed(self, partnerships, obj):
        return partnerships

    def items(self, obj):
        visible = policy.visible(VISITOR, Partnership.objects.all())
        latest = self.narrowed(visible, obj).order_by("-verification_at", "-id")[:ITEMS]
        return partnerships_for_list(latest)

    def item_title(self, partnership):
        return partnership.title

    def item_link(self, partnership):
        return links.url_of("partnerships:partnership_detail", partnership.reference)

    def item_description(self, partnership):
        parties = ", ".join(party_name(VISITOR, party) for party in partnership.parties.all())
        return _("%(category)s. Parties: %(parties)s.") % {
            "category": partnership.get_category_display(),
            "parties": parties,
        }

    def item_pubdate(self, partnership):
        return partnership.verification_at

    def item_updateddate(self, partnership):
        return partnership.updated_at


class CooperativePartnershipsFeed(VerifiedPartnershipsFeed):
    """A verified cooperative's newly verified partnerships."""

    def get_object(self, request, slug):
        return get_object_or_404(policy.visible(VISITOR, Cooperative.objects.all()), slug=slug)

    def title(self, obj):
        return _("KopNet: newly verified partnerships of %(name)s") % {"name": obj.name}

    def link(self, obj):
        return links.url_of("registry:cooperative_detail", obj.slug)

    def narrowed(self, partnerships, obj):
        return partnerships.filter(Exists(PartnershipParty.objects.filter(partnership=OuterRef("pk"), cooperative=obj)))


class ProvincePartnershipsFeed(VerifiedPartnershipsFeed):
    """The newly verified partnerships with a party in a province."""

    def get_object(self, request, code):
        if not PROVINCE_CODE.fullmatch(code):
            raise Http404
        return get_object_or_404(Province, code=code)

    def title(self, obj):
        return _("KopNet: newly verified partnerships in %(province)s") % {"province": obj.name}

    def link(self, obj):
        return reverse("partnerships:partnership_list") + f"?province={obj.code}"

    def narrowed(self, partnerships, obj):
        in_province = Q(cooperative__province=obj) | Q(partner__province=obj)
        return partnerships.filter(Exists(PartnershipParty.objects.filter(in_province, partnership=OuterRef("pk"))))
