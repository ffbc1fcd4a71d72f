"""Access rules for the registry's records (see kopnet.policy, the one door)."""

from django.db.models import Exists, OuterRef, Q

from kopnet import policy
from kopnet.models import Verification
from registry.models import Cooperative, CooperativeSearchRow, Membership, MembershipProposal, Partner, Representation


def acts_for(user):
    """The cooperatives this user acts for: approved representations only."""
    if not (user and user.is_authenticated):
        return Cooperative.objects.none()
    return Cooperative.objects.filter(
        Exists(Representation.objects.approved().filter(user=user, cooperative=OuterRef("pk")))
    )


def remembered(user, key, load):
    """`load()`, read once for this user object and kept on it.

    A request's user lives for that request only, so what is kept is as fresh as
    Django's own permission cache on the same object (`_perm_cache`): lists and
    network data then ask a question of each row without a query for each.
    Writes decide under their locks without it (acts_for_cooperative)."""
    memo = getattr(user, "_kopnet_policy_memo", None)
    if memo is None:
        memo = {}
        user._kopnet_policy_memo = memo
    if key not in memo:
        memo[key] = load()
    return memo[key]


def acting_for_ids(user):
    """The ids of acts_for(user), read once for this user object (see remembered)."""
    if not (user and user.is_authenticated):
        return frozenset()
    return remembered(user, "acts_for", lambda: frozenset(acts_for(user).order_by().values_list("pk", flat=True)))


def acts_for_cooperative(user, cooperative_id):
    return bool(cooperative_id) and acts_for(user).filter(pk=cooperative_id).exists()


class VerifiedRules(policy.Rules):
    """Verified records for everyone; every record for whoever may view the model
    (curators); a signed-in user also the unverified records that are theirs."""

    def owned(self, user):
        """A Q for the records this (signed-in) user sees before verification."""
        return Q(pk__in=[])

    @staticmethod
    def sees_only_verified(user):
        """Whether visible() is the verified records and no other for this reader (a
        visitor's): rows PostgreSQL keeps of the verified records alone can then
        answer for it."""
        return not (user and user.is_authenticated)

    def visible(self, user, queryset):
        verified = queryset.filter(verification=Verification.VERIFIED)
        if self.sees_only_verified(user):
            return verified
        if policy.sees_everything(user, queryset.model):
            return queryset
        return queryset.filter(Q(verification=Verification.VERIFIED) | self.owned(user))

    def owned_ids(self, user):
        """The ids of the records owned() covers, read once for this user object."""
        return remembered(
            user,
            ("owned", self.model._meta.label),
            lambda: frozenset(self.model.objects.filter(self.owned(user)).order_by().values_list("pk", flat=True)),
        )

    def view(self, user, obj):
        # What visible() says of one record, without a query for each: lists name
        # many unverified organisations to curators and the officials they concern.
        if obj.verification == Verification.VERIFIED:
            return True
        if not (user and user.is_authenticated):
            return False
        if policy.sees_everything(user, type(obj)):
            return True
        return obj.pk in self.owned_ids(user)

    def name(self, user, obj):
        # Visitors never read the name of an organisation the curators have not
        # verified; those who may open it (its officials, curators) do.
        return self.view(user, obj)

    def nameable(self, user, prefix=""):
        """A Q of the records whose names this reader may read (what name() answers
        of each), reached through `prefix` ("cooperative__" from a party): verified
        for visitors, every one for curators, verified or their own for a signed-in
        user. A search over names asks it instead of deciding who reads which."""
        verified = Q(**{f"{prefix}verification": Verification.VERIFIED})
        if self.sees_only_verified(user):
            return verified
        if policy.sees_everything(user, self.model):
            return Q()
        # A subquery, not owned_ids(): the condition goes into the search's own query.
        return verified | Q(**{f"{prefix}pk__in": self.model.objects.filter(self.owned(user)).values("pk")})


class MergeableRules(VerifiedRules):
    """VerifiedRules for organisations that may be merged into another: a merged record
    is no one's to see where records are listed or opened, curators' included; its
    successor answers at its address (registry.views.MovedMixin) and the admin keeps
    it, with its history."""

    def visible(self, user, queryset):
        shown = super().visible(user, queryset)
        if self.sees_only_verified(user):
            return shown  # a merged record is never verified (its constraint)
        return shown.filter(merged_into__isnull=True)

    def view(self, user, obj):
        # Read only when loaded: a record reached through a relation (a party, an
        # entity link) is never a merged one, whose relations all moved to its
        # successor, and lists load their rows with only() the columns they show.
        merged = obj.__dict__.get("merged_into_id") is not None
        return not merged and super().view(user, obj)


@policy.register
class CooperativeRules(MergeableRules):
    model = Cooperative

    def owned(self, user):
        # Whoever asked to represent a cooperative, or registered it, sees it while
        # it waits for verification.
        return Q(Exists(Representation.objects.open().filter(user=user, cooperative=OuterRef("pk"))))

    def edit(self, user, obj):
        return acts_for_cooperative(user, obj.pk)


@policy.register
class CooperativeSearchRowRules(policy.Rules):
    """Every search row is a verified cooperative's (PostgreSQL keeps no other), which
    everyone sees: the reader's own rule (who also sees their pending cooperatives)
    decides whether their search reads these rows (sees_only_verified, asked
    by the cooperatives' list before search_rows_serve)."""

    model = CooperativeSearchRow

    def visible(self, user, queryset):
        return queryset

    def view(self, user, obj):
        return True


@policy.register
class PartnerRules(MergeableRules):
    model = Partner

    def owned(self, user):
        return Q(proposed_by=user)


@policy.register
class RepresentationRules(policy.Rules):
    model = Representation

    def visible(self, user, queryset):
        if policy.sees_everything(user, Representation):
            return queryset
        if not (user and user.is_authenticated):
            return queryset.none()
        return queryset.filter(user=user)

    def view(self, user, obj):
        return policy.sees_everything(user, Representation) or obj.user_id == getattr(user, "pk", None)


@policy.register
class MembershipRules(policy.Rules):
    model = Membership

    def visible(self, user, queryset):
        cooperatives = Cooperative.objects.visible_to(user)
        return queryset.filter(member__in=cooperatives, federation__in=cooperatives)

    def view(self, user, obj):
        return policy.may(user, "view", obj.member) and policy.may(user, "view", obj.federation)


@policy.register
class MembershipProposalRules(policy.Rules):
    """A proposal to join a federation concerns the officials of both cooperatives and
    the curators, no one else: visitors never learn of one.

    answer  confirm or refuse it: the federation's officials, or a curator
    edit    withdraw it: the proposing cooperative's officials
    """

    model = MembershipProposal

    def visible(self, user, queryset):
        if policy.sees_everything(user, MembershipProposal):
            return queryset
        mine = acting_for_ids(user)
        return queryset.filter(Q(member_id__in=mine) | Q(federation_id__in=mine))

    def view(self, user, obj):
        if policy.sees_everything(user, MembershipProposal):
            return True
        mine = acting_for_ids(user)
        return obj.member_id in mine or obj.federation_id in mine

    def answer(self, user, obj):
        return acts_for_cooperative(user, obj.federation_id) or policy.is_curator(user, obj)

    def edit(self, user, obj):
        return acts_for_cooperative(user, obj.member_id)
