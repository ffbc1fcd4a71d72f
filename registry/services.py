"""Every state change of the registry's records, each one locked service: registering
and editing a cooperative, verifying and rejecting cooperatives and partners,
asking to represent a cooperative and deciding that request, recording a membership
(added, changed or ended) and taking one out, and an official's proposal that their
cooperative join a federation (made, confirmed, refused, withdrawn). Views, the admin, imports and commands call these; the rules on a
single record stay in the models' clean() and constraints, and who may act is
kopnet.policy's answer."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.utils import timezone
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_update_with_history

from kopnet import policy
from kopnet.accounts import require_verified_email
from kopnet.models import NotificationKind, Verification
from kopnet.notifications import followers_of, notify
from kopnet.services import (
    VERIFICATION_FIELDS,
    back_to_pending,
    lock,
    reject_record,
    require_version,
    revision_changes,
    revision_propose,
    save_changes,
    stamp_verification,
    verify_record,
)
from registry.models import (
    INDONESIA,
    Cooperative,
    DismissedDuplicate,
    Membership,
    MembershipProposal,
    Partner,
    ProposalState,
    Representation,
    RepresentationState,
    officials_of,
    refresh_member_counts,
)
from registry import merging
from registry.merging import require_unmerged
from registry.places import RegencyMatcher

def saved_or_explained(record, save):
    """Run `save()`; a constraint another writer beat us to (a NIK Koperasi registered
    at the same moment) comes back as the form error full_clean() would have given."""
    try:
        with transaction.atomic():
            return save()
    except IntegrityError:
        record.validate_unique()
        record.validate_constraints()
        raise


# --- Representation -----------------------------------------------------------------


@transaction.atomic
def representation_request(*, user, cooperative):
    """Ask to represent a verified cooperative; one open request or approval per person."""
    require_verified_email(user)
    require_unmerged([cooperative.pk])
    existing = Representation.objects.open().filter(user=user, cooperative=cooperative).first()
    if existing is not None:
        if existing.state == RepresentationState.APPROVED:
            raise ValidationError(_("You already represent %(name)s.") % {"name": cooperative.name})
        raise ValidationError(
            _("You already asked to represent %(name)s: Dekopin's curators will decide.") % {"name": cooperative.name}
        )
    if not cooperative.is_verified:
        raise ValidationError(_("Only verified cooperatives can be chosen here."))
    try:
        with transaction.atomic():
            return Representation.objects.create(user=user, cooperative=cooperative)
    except IntegrityError as error:  # the same request sent twice at once
        raise ValidationError(
            _("You already asked to represent %(name)s: Dekopin's curators will decide.") % {"name": cooperative.name}
        ) from error


# The decisions a curator takes on a representation, from the state they saw.
DECISIONS = {
    "approve": (RepresentationState.REQUESTED, RepresentationState.APPROVED),
    "refuse": (RepresentationState.REQUESTED, RepresentationState.REVOKED),
    "revoke": (RepresentationState.APPROVED, RepresentationState.REVOKED),
}


def decision_for(state, target):
    """The decision that takes a representation from `state` to `target` (None if none)."""
    return next((name for name, (before, after) in DECISIONS.items() if (before, after) == (state, target)), None)


@transaction.atomic
def representation_decide(*, curator, pk, decision):
    """Approve or refuse a request, or revoke an approval.

    The decision names the state it starts from, so two curators deciding the same
    request at once cannot both win: the second finds it decided.
    """
    before, after = DECISIONS[decision]
    representation = lock(Representation.objects.select_related("cooperative"), pk)
    policy.require(curator, "verify", representation)
    if representation.state != before:
        raise ValidationError(
            _("The request of %(user)s for %(cooperative)s was already decided: it is now %(state)s.")
            % {
                "user": representation.user.get_username(),
                "cooperative": representation.cooperative.name,
                "state": representation.get_state_display().lower(),
            },
            code="stale",
        )
    representation.state = after
    representation.decided_by = curator
    representation.decided_at = timezone.now()
    representation._history_user = curator
    representation.save(update_fields=["state", "decided_by", "decided_at"])
    cooperative = representation.cooperative
    notify(
        [representation.user],
        NotificationKind.REPRESENTATION_DECIDED,
        *REPRESENTATION_MESSAGES[decision],
        reverse("registry:cooperative_detail", args=[cooperative.slug]),
        cooperative=cooperative.name,
    )
    return representation


# What the person is told of a decision on their representation: (subject, body).
REPRESENTATION_MESSAGES = {
    "approve": (
        gettext_lazy("You now act for %(cooperative)s"),
        gettext_lazy("Dekopin's curators approved your request: you can register and confirm the partnerships of %(cooperative)s."),
    ),
    "refuse": (
        gettext_lazy("Your request to act for %(cooperative)s was refused"),
        gettext_lazy("Dekopin's curators refused your request to act for %(cooperative)s. Write to them if you think this is a mistake."),
    ),
    "revoke": (
        gettext_lazy("You no longer act for %(cooperative)s"),
        gettext_lazy("Dekopin's curators ended your representation of %(cooperative)s."),
    ),
}


# --- Cooperatives and partners --------------------------------------------------------


@transaction.atomic
def cooperative_register(*, user, cooperative, sectors=()):
    """Register a new cooperative, pending verification, and ask to represent it.

    `cooperative` is unsaved. Its creator sees it at once (a requested
    representation counts for visibility); visitors see it once verified. Two
    cooperatives of the same name registered at once get distinct slugs.
    """
    require_verified_email(user)  # its creator asks to represent it
    cooperative.verification = Verification.PENDING
    cooperative.verification_by = None
    cooperative.verification_at = None
    cooperative.verification_note = ""
    cooperative.full_clean()
    cooperative._history_user = user
    saved_or_explained(cooperative, cooperative.save)
    cooperative.sectors.set(sectors)
    Representation.objects.create(user=user, cooperative=cooperative, state=RepresentationState.REQUESTED)
    return cooperative


# What cooperative_update did with an edit.
SAVED, PROPOSED, UNCHANGED = "saved", "proposed", "unchanged"


@transaction.atomic
def cooperative_update(*, user, cooperative, sectors, version=None):
    """Save an official's edit of their cooperative's profile.

    `cooperative` carries the edited values; `version` is the one the form was
    opened on: a change that landed meanwhile refuses the edit. A verified
    cooperative keeps the values the curators verified, which visitors see: the
    edit waits beside it as its pending revision until a curator verifies it
    (PROPOSED). An unverified one is edited in place, only the fields that differ
    (SAVED); a rejected one goes back to the curators.
    """
    stored = lock(Cooperative.objects, cooperative.pk)
    policy.require(user, "edit", stored, _("Only the officials of this cooperative may edit its profile."))
    require_version(stored, version)
    cooperative.version = stored.version
    cooperative.full_clean()
    editable = [field.name for field in Cooperative._meta.concrete_fields if field.editable and not field.primary_key]
    if stored.verification == Verification.VERIFIED:
        changes = revision_changes(stored, cooperative, editable, {"sectors": sectors})
        revision_propose(stored, changes, user=user)
        cooperative.version = stored.version
        return PROPOSED if changes else UNCHANGED
    fields = [name for name in editable if getattr(stored, name) != getattr(cooperative, name)]
    sectors_changed = set(stored.sectors.values_list("pk", flat=True)) != {sector.pk for sector in sectors}
    if not (fields or sectors_changed):
        return UNCHANGED
    for name in fields:
        setattr(stored, name, getattr(cooperative, name))
    back = back_to_pending(stored) if stored.verification == Verification.REJECTED else []
    save_changes(stored, [*fields, *stored.derived_fields(fields), *back], by=user)
    if sectors_changed:
        stored.sectors.set(sectors)
    cooperative.version = stored.version
    return SAVED


def _verify(model, *, curator, pk, version):
    record = lock(model.objects, pk)
    policy.require(curator, "verify", record)
    verify_record(record, curator=curator, version=version)
    tell_decision(record)
    return record


def _reject(model, *, curator, pk, reason, version):
    record = lock(model.objects, pk)
    policy.require(curator, "verify", record)
    reject_record(record, curator=curator, reason=reason, version=version)
    tell_decision(record)
    return record


def tell_decision(record):
    """Tell a cooperative's officials (those approved and those who asked) that its
    profile was verified or rejected, with the reason; and, once it is verified, the
    people who follow it."""
    verified = record.verification == Verification.VERIFIED
    if isinstance(record, Cooperative):
        page = reverse("registry:cooperative_detail", args=[record.slug])
        officials = [
            representation.user
            for representation in Representation.objects.filter(
                cooperative=record, state__in=[RepresentationState.REQUESTED, RepresentationState.APPROVED]
            ).select_related("user")
        ]
        subject, body = COOPERATIVE_MESSAGES[verified]
        notify(officials, NotificationKind.COOPERATIVE_DECIDED, subject, body, page, name=record.name, reason=record.verification_note)
    else:
        page = reverse("registry:partner_detail", args=[record.slug])
        officials = []
    if verified:
        told = {user.pk for user in officials}
        followers = [user for user in followers_of(record) if user.pk not in told]
        notify(followers, NotificationKind.FOLLOWED, *FOLLOWED_VERIFIED, page, name=record.name)


COOPERATIVE_MESSAGES = {
    True: (
        gettext_lazy("The profile of %(name)s was verified"),
        gettext_lazy("Dekopin's curators verified the profile of %(name)s: it is public in the registry."),
    ),
    False: (
        gettext_lazy("The profile of %(name)s was rejected"),
        gettext_lazy("Dekopin's curators rejected the profile of %(name)s. Their reason: %(reason)s"),
    ),
}
FOLLOWED_VERIFIED = (
    gettext_lazy("%(name)s was verified"),
    gettext_lazy("A change to %(name)s, which you follow, was verified and is public."),
)


@transaction.atomic
def cooperative_verify(*, curator, pk, version=None):
    return _verify(Cooperative, curator=curator, pk=pk, version=version)


@transaction.atomic
def cooperative_reject(*, curator, pk, reason, version=None):
    return _reject(Cooperative, curator=curator, pk=pk, reason=reason, version=version)


@transaction.atomic
def partner_verify(*, curator, pk, version=None):
    return _verify(Partner, curator=curator, pk=pk, version=version)


@transaction.atomic
def partner_reject(*, curator, pk, reason, version=None):
    return _reject(Partner, curator=curator, pk=pk, reason=reason, version=version)


# --- Memberships ----------------------------------------------------------------------


def lock_pair(federation_id, member_id):
    """Lock the federation's and the member's rows, in id order (every writer of a
    membership or a proposal takes them so); {id: cooperative}."""
    return {pk: lock(Cooperative.objects, pk) for pk in sorted({federation_id, member_id})}


def lock_membership_cooperatives(user, federation_id, member_id):
    """lock_pair(), and check that `user` (a curator) may keep them."""
    for cooperative in lock_pair(federation_id, member_id).values():
        policy.require(user, "verify", cooperative)


@transaction.atomic
def membership_save(*, user, membership):
    """Record a membership, new or changed: added, or ended with its end date (a
    curator's work, in the admin or an import). The federation's and
    the member's rows are locked, in id order, so that two memberships written at
    once cannot both pass clean()'s overlap and cycle checks."""
    lock_membership_cooperatives(user, membership.federation_id, membership.member_id)
    # A merge locks them too: one that went first is read here (its rows moved to the survivor).
    require_unmerged([membership.federation_id, membership.member_id])
    membership.full_clean()
    membership._history_user = user
    saved_or_explained(membership, membership.save)
    return membership


@transaction.atomic
def membership_delete(*, user, membership):
    """Take out a membership recorded by mistake (the admin's ticked delete, for
    those allowed to delete; a membership that ended is ended with its end date,
    membership_save). Locked as membership_save locks; the history keeps who took
    it out. A membership already gone is nothing to do."""
    # The cooperatives it joins as stored, whatever the form that ticked it holds.
    found = Membership.objects.filter(pk=membership.pk).values_list("federation_id", "member_id").first()
    if found is None:
        return None
    lock_membership_cooperatives(user, *found)
    stored = Membership.objects.select_for_update().filter(pk=membership.pk).first()
    if stored is None:
        return None  # taken out by another writer while we waited for the locks
    stored._history_user = user
    stored.delete()
    return stored


# --- Proposals to join a federation ----------------------------------------------------


def proposal_page(proposal):
    return reverse("registry:proposal_detail", args=[proposal.pk])


@transaction.atomic
def proposal_make(*, user, member_id, federation_id, start_date, note=""):
    """An official proposes that their cooperative (`member_id`) join a verified
    federation from `start_date`. The membership it would make must keep every rule
    of a membership now (tiers, no second active membership, no cycle), and one
    proposal of a pair waits at a time; both cooperatives are locked as a
    membership's writers lock them, so two proposals (or a proposal and a curator's
    membership) cannot both pass. The federation's officials are told."""
    require_verified_email(user)
    if federation_id is None:
        raise ValidationError({"federation": _("Choose the federation to join.")})
    pair = lock_pair(federation_id, member_id)
    member, federation = pair[member_id], pair[federation_id]
    policy.require(user, "edit", member, _("You may only propose memberships for a cooperative you act for."))
    if not federation.is_verified:
        raise ValidationError({"federation": _("Only a verified federation can be chosen here.")})
    if member.verification == Verification.REJECTED:
        raise ValidationError(_("%(name)s was rejected by the curators: correct its profile first.") % {"name": member.name})
    Membership(member=member, federation=federation, start_date=start_date).full_clean()
    proposal = MembershipProposal(
        member=member, federation=federation, start_date=start_date, note=note, proposed_by=user
    )
    proposal.full_clean()
    proposal._history_user = user
    saved_or_explained(proposal, proposal.save)
    notify(
        officials_of([federation.pk]),
        NotificationKind.MEMBERSHIP_PROPOSED,
        *PROPOSAL_MADE,
        proposal_page(proposal),
        member=member.name,
        federation=federation.name,
    )
    return proposal


def lock_waiting(pk):
    """The proposal `pk`, locked; refused unless it still waits (the second of two
    people deciding it at once finds it decided)."""
    proposal = lock(MembershipProposal.objects.select_related("member", "federation"), pk)
    if proposal.state != ProposalState.PROPOSED:
        raise ValidationError(
            _("The proposal that %(member)s join %(federation)s was already decided: it is now %(state)s.")
            % {
                "member": proposal.member.name,
                "federation": proposal.federation.name,
                "state": proposal.get_state_display().lower(),
            },
            code="stale",
        )
    return proposal


def decide(proposal, *, user, state, reason=""):
    proposal.state = state
    proposal.reason = reason
    proposal.decided_by = user
    proposal.decided_at = timezone.now()
    proposal._history_user = user
    proposal.full_clean()
    proposal.save()
    people = [proposal.proposed_by, *officials_of([proposal.member_id])]
    if state == ProposalState.WITHDRAWN:
        people = list(officials_of([proposal.federation_id]))
    notify(
        [person for person in people if person is not None and person.pk != user.pk],
        NotificationKind.MEMBERSHIP_DECIDED,
        *PROPOSAL_DECIDED[state],
        proposal_page(proposal),
        member=proposal.member.name,
        federation=proposal.federation.name,
        reason=reason,
    )
    return proposal


@transaction.atomic
def proposal_confirm(*, user, pk):
    """The federation's official (or a curator) confirms: the membership is recorded
    from the proposed date, under the rules and locks of membership_save."""
    found = MembershipProposal.objects.filter(pk=pk).values_list("federation_id", "member_id").first()
    if found is None:
        raise Http404(_("No such record."))
    lock_pair(*found)
    proposal = lock_waiting(pk)
    policy.require(user, "answer", proposal)
    membership = Membership(member=proposal.member, federation=proposal.federation, start_date=proposal.start_date)
    membership.full_clean()
    membership._history_user = user
    saved_or_explained(membership, membership.save)
    proposal.membership = membership
    return decide(proposal, user=user, state=ProposalState.CONFIRMED)


@transaction.atomic
def proposal_refuse(*, user, pk, reason):
    proposal = lock_waiting(pk)
    policy.require(user, "answer", proposal)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the proposal is refused.")})
    return decide(proposal, user=user, state=ProposalState.REFUSED, reason=reason)


@transaction.atomic
def proposal_withdraw(*, user, pk):
    proposal = lock_waiting(pk)
    policy.require(user, "edit", proposal)
    return decide(proposal, user=user, state=ProposalState.WITHDRAWN)


# What each side is told: (subject, body).
PROPOSAL_MADE = (
    gettext_lazy("%(member)s proposes to join %(federation)s"),
    gettext_lazy("An official of %(member)s proposes that it become a member of %(federation)s. Confirm or refuse the proposal on its page."),
)
PROPOSAL_DECIDED = {
    ProposalState.CONFIRMED: (
        gettext_lazy("%(member)s is now a member of %(federation)s"),
        gettext_lazy("%(federation)s confirmed the proposal: the membership of %(member)s is recorded in the registry."),
    ),
    ProposalState.REFUSED: (
        gettext_lazy("%(federation)s refused the membership of %(member)s"),
        gettext_lazy("The proposal that %(member)s join %(federation)s was refused. The reason: %(reason)s"),
    ),
    ProposalState.WITHDRAWN: (
        gettext_lazy("%(member)s withdrew its proposal to join %(federation)s"),
        gettext_lazy("%(member)s withdrew its proposal to become a member of %(federation)s: nothing waits for your answer."),
    ),
}


def kept_rows_rebuild():
    """Make afresh, in the caller's transaction, the rows PostgreSQL keeps of the
    verified cooperatives for visitors' reads: their search rows
    (registry.models.CooperativeSearchRow) and the federations' verified members by
    name (registry.models.kept_member_ids).

    PostgreSQL keeps them as the cooperatives and memberships change, by trigger
    (registry/migrations/0016_cooperative_search_rows.py, 0018_member_rows.py); a
    write that went around them (seed_scale's bulk load) calls this after. SQLite
    keeps none: nothing to do.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT registry_search_rows_rebuild()")
            cursor.execute("SELECT registry_member_rows_rebuild()")


# --- Merging duplicates ---------------------------------------------------------------


@transaction.atomic
def record_merge(*, curator, model, survivor_pk, merged_pk, note=""):
    """Merge the record `merged_pk` of `model` (a cooperative or partner) into its
    duplicate `survivor_pk`, which stays: everything that pointed to the duplicate
    points to the survivor (registry.merging's steps, the apps' above included); the
    duplicate is kept, marked with its successor and when, and no longer verified
    (its note says why), so that no list, count or export of verified records holds
    it and its address answers with the survivor's.

    Both rows locked in id order, as every writer of two cooperatives takes them
    (lock_pair): of two curators merging the same records at once, or one merging
    while another verifies, the second finds the first's result. Refused, changing
    nothing: a record merged into itself, either already merged, or what a step
    refuses (an organisation that would be a party to one partnership twice)."""
    if str(survivor_pk) == str(merged_pk):
        raise ValidationError(_("A record cannot be merged into itself."))
    locked = {pk: lock(model.objects, pk) for pk in sorted({int(survivor_pk), int(merged_pk)})}
    survivor, merged = locked[int(survivor_pk)], locked[int(merged_pk)]
    policy.require(curator, "verify", survivor)
    policy.require(curator, "verify", merged)
    for record in (merged, survivor):
        if record.merged_into_id is not None:
            raise ValidationError(
                _("%(name)s was already merged into another record.") % {"name": record.name}, code="stale"
            )
    steps = merging.merge_steps(model)
    reasons = [reason for step in steps for reason in step.refuse(survivor, merged)]
    if reasons:
        raise ValidationError(reasons)
    for step in steps:
        step.move(survivor, merged)
    merged.merged_into, merged.merged_at = survivor, timezone.now()
    reason = _("Merged into %(name)s (%(slug)s).") % {"name": survivor.name, "slug": survivor.slug}
    if note.strip():
        reason = f"{reason} {note.strip()}"
    stamp_verification(merged, Verification.REJECTED, curator, reason)
    save_changes(merged, ["merged_into", "merged_at", *VERIFICATION_FIELDS], by=curator, reason="merged")
    if model is Cooperative:
        refresh_member_counts({survivor.pk, merged.pk})
    # The survivor's pages show what it gained: its version moves with them.
    save_changes(survivor, [], by=curator, reason="merged")
    return survivor


@transaction.atomic
def duplicate_dismiss(*, curator, model, first_pk, second_pk):
    """A curator found the two records to be different organisations: the list of
    candidate duplicates stops offering the pair. Twice at once records it once."""
    first, second = sorted(int(pk) for pk in (first_pk, second_pk))
    if first == second:
        raise ValidationError(_("A record cannot be merged into itself."))
    for pk in (first, second):
        policy.require(curator, "verify", lock(model.objects, pk))
    dismissed, _created = DismissedDuplicate.objects.get_or_create(
        kind=model._meta.model_name, first_id=first, second_id=second, defaults={"dismissed_by": curator}
    )
    return dismissed


# --- Places -----------------------------------------------------------------------------

MATCH_BATCH = 2000


def regencies_match():
    """Give each Indonesian cooperative whose regency/city is free text only (typed
    before the codes) the code of the regency its text names in its province
    (registry.places.RegencyMatcher), with a history row each; the text becomes the
    regency's own name. The rest stay for a curator (the admin's "regency/city to
    code" list). (matched, left).

    One transaction per batch of MATCH_BATCH rows, each locked while it is coded: at
    national scale (250,000 cooperatives) one transaction held every row locked for
    the whole run, officials' edits waiting behind it. Coding that many takes about three
    minutes on PostgreSQL (`make bench` runs loadplaces on its seeded registry and says
    how long; a regency move skips the suggestion pools' page-version test there,
    registry/migrations/0032). Stopped, a run keeps the batches done; run again, it
    codes the rest (a coded row is no longer waiting)."""
    matcher = RegencyMatcher()
    waiting = Cooperative.objects.filter(country=INDONESIA, regency_place__isnull=True).exclude(regency="")
    matched = left = 0
    ids = list(waiting.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), MATCH_BATCH):
        with transaction.atomic():
            rows = waiting.filter(pk__in=ids[start : start + MATCH_BATCH]).order_by("pk").select_for_update()
            coded = []
            for row in rows:
                code = matcher(row.province_id, row.regency)
                if code is None:
                    left += 1
                    continue
                row.regency_place_id, row.regency = code, matcher.names[code]
                coded.append(row)
            bulk_update_with_history(
                coded, Cooperative, ["regency_place", "regency"], batch_size=MATCH_BATCH,
                default_change_reason="regency coded",
            )  # fmt: skip
        matched += len(coded)
    return matched, left
