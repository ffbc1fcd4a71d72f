"""Access rules for partnerships, their parties and documents (see kopnet.policy)."""

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from kopnet import policy
from kopnet.models import Verification
from partnerships.models import ChangeAnswer, Partnership, PartnershipDocument, PartnershipParty
from registry.policy import acting_for_ids, acts_for, acts_for_cooperative


def is_party_official(user, partnership):
    """Whether the user acts for one of the partnership's cooperative parties.

    Lists and detail pages have prefetched the parties: then no query is made."""
    mine = acting_for_ids(user)
    if not mine:
        return False
    prefetched = getattr(partnership, "_prefetched_objects_cache", {}).get("parties")
    if prefetched is not None:
        return any(party.cooperative_id in mine for party in prefetched)
    return PartnershipParty.objects.filter(partnership=partnership, cooperative_id__in=mine).exists()


# What a reader who may not see an organisation's name reads in its place.
UNNAMED = _("An organisation awaiting verification")


def party_name(user, party):
    """The name of a party's organisation as this reader may read it."""
    return party.organisation.name if policy.may(user, "name", party) else str(UNNAMED)


# Which partnerships a reader sees (PartnershipRules.reach()).
VERIFIED_ONLY, EVERYTHING, VERIFIED_AND_OWN = "verified", "everything", "verified_and_own"


def partnership_reach(user):
    return policy.rules_for(Partnership).reach(user)


@policy.register
class PartnershipRules(policy.Rules):
    """Visitors see verified partnerships; the officials of a party and curators
    also the unverified ones that concern them."""

    model = Partnership

    def reach(self, user):
        """Which partnerships this user sees: VERIFIED_ONLY (visitors), EVERYTHING
        (curators), or VERIFIED_AND_OWN (officials: their cooperatives' too)."""
        if not (user and user.is_authenticated):
            return VERIFIED_ONLY
        if policy.sees_everything(user, Partnership):
            return EVERYTHING
        return VERIFIED_AND_OWN

    def visible(self, user, queryset):
        reach = self.reach(user)
        if reach == EVERYTHING:
            return queryset
        verified = Q(verification=Verification.VERIFIED)
        if reach == VERIFIED_ONLY:
            return queryset.filter(verified)
        mine = PartnershipParty.objects.filter(partnership=OuterRef("pk"), cooperative__in=acts_for(user))
        return queryset.filter(verified | Q(Exists(mine)))

    def view(self, user, obj):
        return (
            obj.verification == Verification.VERIFIED
            or policy.sees_everything(user, Partnership)
            or is_party_official(user, obj)
        )

    def edit(self, user, obj):
        """Officials of the initiating cooperative."""
        return acts_for_cooperative(user, obj.initiator_id)

    def reason(self, user, obj):
        """What concerns its parties only: a pending change and the answers to it
        (the parties' officials and curators)."""
        return policy.sees_everything(user, Partnership) or is_party_official(user, obj)


@policy.register
class PartyRules(policy.Rules):
    model = PartnershipParty

    def visible(self, user, queryset):
        return queryset.filter(partnership__in=Partnership.objects.visible_to(user))

    def view(self, user, obj):
        return policy.may(user, "view", obj.partnership)

    def answer(self, user, obj):
        """The officials of the party's cooperative (partners have no accounts)."""
        return acts_for_cooperative(user, obj.cooperative_id)

    def verify(self, user, obj):
        return policy.is_curator(user, Partnership)

    def name(self, user, obj):
        """A party's organisation is named to whoever may see that organisation, and,
        while the partnership is not verified, to those it concerns (its parties'
        officials and curators): a verified partnership names verified ones only."""
        if policy.may(user, "name", obj.organisation):
            return True
        return obj.partnership.verification != Verification.VERIFIED and (
            policy.sees_everything(user, Partnership) or is_party_official(user, obj.partnership)
        )

    def reason(self, user, obj):
        """Why a party declined: for the partnership's parties and the curators only."""
        return policy.sees_everything(user, Partnership) or is_party_official(user, obj.partnership)


@policy.register
class DocumentRules(policy.Rules):
    """Documents follow their partnership; one that came with a change still waiting
    for the curators (unpublished) only its parties' officials and curators see."""

    model = PartnershipDocument

    def visible(self, user, queryset):
        queryset = queryset.filter(partnership__in=Partnership.objects.visible_to(user))
        if policy.sees_everything(user, Partnership):
            return queryset
        if not (user and user.is_authenticated):
            return queryset.filter(published=True)
        mine = PartnershipParty.objects.filter(partnership=OuterRef("partnership_id"), cooperative__in=acts_for(user))
        return queryset.filter(Q(published=True) | Q(Exists(mine)))

    def view(self, user, obj):
        if not policy.may(user, "view", obj.partnership):
            return False
        return obj.published or policy.sees_everything(user, Partnership) or is_party_official(user, obj.partnership)


@policy.register
class ChangeAnswerRules(policy.Rules):
    """A cooperative's answer to a change: its officials give it; curators read it."""

    model = ChangeAnswer

    def visible(self, user, queryset):
        if policy.sees_everything(user, Partnership):
            return queryset
        if not (user and user.is_authenticated):
            return queryset.none()
        return queryset.filter(cooperative__in=acts_for(user))

    def view(self, user, obj):
        return policy.sees_everything(user, Partnership) or acts_for_cooperative(user, obj.cooperative_id)

    def answer(self, user, obj):
        return acts_for_cooperative(user, obj.cooperative_id)
