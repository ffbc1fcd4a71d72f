"""Every state change of a partnership, each one locked service: registering,
editing, confirming and declining a party, verifying and rejecting. Views, the
admin, imports and commands call these; the rules stay in the models' clean() and
constraints, and who may act is kopnet.policy's answer. Every writer of a
partnership or its parties locks the partnership's row first, so they take turns."""

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kopnet import policy
from kopnet.models import NotificationKind, Revision, Verification
from kopnet.notifications import followers_of, notify
from kopnet.services import (
    VERIFICATION_FIELDS,
    RevisionKind,
    back_to_pending,
    lock,
    pending_revision,
    register_revision_kind,
    reject_record,
    require_pending,
    require_version,
    revision_changes,
    revision_propose,
    save_changes,
    stamp_verification,
)
from partnerships.models import (
    Category,
    ChangeAnswer,
    Confirmation,
    Partnership,
    PartnershipDocument,
    PartnershipParty,
    PartyRole,
    corroboration_of,
    derive_from_parties,
)
from registry.merging import require_unmerged
from registry.models import Cooperative, Partner, officials_of
from registry.policy import acts_for_cooperative
from registry.services import cooperative_verify, partner_verify

MIN_PARTIES = 2
# Agreement documents a partnership keeps, in all its submissions.
MAX_DOCUMENTS = 10


def require_named_unmerged(parties, partnership=None):
    """No party (nor the entity the partnership founded) names a merged record,
    whatever a merge did since the form was filled in (registry.merging)."""
    cooperative_ids = {party.cooperative_id for party in parties}
    partner_ids = {party.partner_id for party in parties}
    if partnership is not None:
        cooperative_ids.add(partnership.new_entity_cooperative_id)
        partner_ids.add(partnership.new_entity_partner_id)
    require_unmerged(cooperative_ids, partner_ids)


def check_parties(parties, initiator):
    """The party rules that span rows: at least two, each once, the initiator among them."""
    if len(parties) < MIN_PARTIES:
        raise ValidationError(_("A partnership has at least two parties."))
    keys = [(party.cooperative_id, party.partner_id) for party in parties]
    if len(set(keys)) != len(keys):
        raise ValidationError(_("Each organisation appears only once among the parties."))
    if initiator.pk not in {party.cooperative_id for party in parties}:
        raise ValidationError(_("The initiating cooperative must be one of the parties."))
    for party in parties:
        party.clean()


DIRECTION_REQUIRED = gettext_lazy("A partnership between cooperatives is vertical or horizontal: choose one.")


def apply_derived(partnership, parties, documented=False):
    """Set category, international and corroboration from the parties (and whether a
    document is published); require a direction between cooperatives."""
    category, international, _suggested = derive_from_parties(parties)
    partnership.category, partnership.international = category, international
    partnership.corroboration = corroboration_of(parties, documented)
    if category == Category.ANTAR_KOPERASI and not partnership.direction:
        raise ValidationError({"direction": DIRECTION_REQUIRED})


@transaction.atomic
def partnership_register(*, user, partnership, parties, objectives=(), fields=(), documents=(), new_partner=None):
    """Register a new partnership for one of the user's cooperatives.

    `partnership` is unsaved with its initiator set; `parties` are unsaved
    PartnershipParty objects (without partnership) including the initiator's;
    `documents` are unsaved PartnershipDocument objects (without partnership);
    `new_partner` an unsaved Partner the official proposes (one of the parties).
    The initiator's party is confirmed at once; the other cooperatives' officials
    are told by email.
    """
    initiator = partnership.initiator
    if not acts_for_cooperative(user, initiator.pk):
        raise ValidationError(_("You do not act for this cooperative."))
    propose_partner(user, new_partner, parties)
    check_parties(parties, initiator)
    require_named_unmerged(parties, partnership)
    apply_derived(partnership, parties)
    partnership.created_by = user
    partnership.verification = Verification.PENDING
    partnership.full_clean(exclude=["reference"])
    partnership._history_user = user
    partnership.save()
    direction = partnership.direction
    partnership.objectives.set(objectives)
    partnership.fields.set(fields)
    now = timezone.now()
    for party in parties:
        party.partnership = partnership
        if party.cooperative_id == initiator.pk:
            party.confirmation = Confirmation.CONFIRMED
            party.confirmed_by, party.confirmed_at = user, now
            if party.role == PartyRole.MEMBER:
                party.role = PartyRole.INITIATOR
        party.save()
    keep_direction(partnership, direction)
    attach_documents(partnership, documents, user)
    notify_parties(partnership, exclude_cooperative=initiator.pk)
    return partnership


# What a party agrees to when it confirms: changing any of these (or the parties,
# or adding a document) asks the other parties to confirm again. The description,
# status, direction, objectives and fields describe the same agreement (a typo
# fix, "running" becoming "completed") and keep the answers.
SUBSTANCE_FIELDS = (
    "title", "start_date", "end_date", "value", "currency",
    "new_entity", "new_entity_name", "new_entity_kind", "new_entity_cooperative_id", "new_entity_partner_id",
)  # fmt: skip
EDITABLE_FIELDS = (*SUBSTANCE_FIELDS, "description", "status", "direction")
# The same, by field name, as a pending change of a verified partnership keeps them;
# its parties and new documents are substance too.
REVISABLE_FIELDS = tuple(name.removesuffix("_id") for name in EDITABLE_FIELDS)
SUBSTANCE_CHANGES = {*(name.removesuffix("_id") for name in SUBSTANCE_FIELDS), "parties", "documents"}


def propose_partner(user, partner, parties):
    """Save a partner an official names for the first time (pending, theirs to see),
    and point its party at the saved row."""
    if partner is None:
        return None
    partner.proposed_by = user
    partner.verification = Verification.PENDING
    partner.full_clean()
    partner._history_user = user
    partner.save()
    for party in parties:
        if party.partner_id is None and party.partner is partner:
            party.partner = partner
    return partner


def party_key(party):
    return (party.cooperative_id, party.partner_id)


@transaction.atomic
def partnership_update(*, user, partnership, parties, objectives, fields, documents=(), new_partner=None, version=None):
    """Edit a partnership: only officials of the initiating cooperative.

    `partnership` carries the edited values and `version` the one the form was
    opened on: an edit of a version that has changed since (a party answered, a
    curator verified, another official edited) is refused. The parties are matched
    by organisation against the stored ones read under the lock, so an answer that
    arrived meanwhile is never undone by values loaded before it. A change to the
    substance asks every other party to confirm again; a verified partnership goes
    back to pending verification.
    """
    stored = lock(Partnership.objects.select_related("initiator"), partnership.pk)
    policy.require(user, "edit", stored, _("Only officials of the initiating cooperative may edit this partnership."))
    require_version(stored, version)
    propose_partner(user, new_partner, parties)
    check_parties(parties, stored.initiator)
    require_named_unmerged(parties, partnership)
    apply_derived(partnership, parties)
    partnership.version = stored.version
    partnership.full_clean(exclude=["reference"])
    if stored.verification == Verification.VERIFIED:
        partnership.pending_change = propose_change(
            user, stored, partnership, parties, {"objectives": objectives, "fields": fields}, documents
        )
        partnership.version = stored.version
        return stored
    changed = [name for name in EDITABLE_FIELDS if getattr(stored, name) != getattr(partnership, name)]
    current = {party_key(party): party for party in stored.parties.all()}
    wanted = {party_key(party): party for party in parties}
    roles_changed = any(
        key in current and current[key].role != party.role for key, party in wanted.items()
    )
    substance = (
        any(name in SUBSTANCE_FIELDS for name in changed)
        or set(current) != set(wanted)
        or roles_changed
        or bool(documents)
    )
    for name in changed:
        setattr(stored, name, getattr(partnership, name))
    back = back_to_pending(stored)
    if back:
        stored.verification_override = ""
        back.append("verification_override")
    save_changes(stored, [*(name.removesuffix("_id") for name in changed), *back], by=user,
                 reason="substance changed: parties asked again" if substance else None)
    stored.objectives.set(objectives)
    stored.fields.set(fields)
    for key, party in current.items():
        if key not in wanted:
            party.delete()
    newcomers = []
    for key, party in wanted.items():
        existing = current.get(key)
        if existing is None:
            party.pk = None
            party.partnership = stored
            party.confirmation = Confirmation.PENDING
            party.confirmed_by = party.confirmed_at = None
            party.decline_reason = ""
            party.save()
            newcomers.append(party)
            continue
        update = []
        if existing.role != party.role:
            existing.role = party.role
            update.append("role")
        if substance and existing.cooperative_id != stored.initiator_id and existing.confirmation != Confirmation.PENDING:
            existing.confirmation = Confirmation.PENDING
            existing.confirmed_by = existing.confirmed_at = None
            existing.decline_reason = ""
            update += ["confirmation", "confirmed_by", "confirmed_at", "decline_reason"]
        if update:
            existing._history_user = user
            existing.save(update_fields=update)
    stored.refresh_derived()
    keep_direction(stored, partnership.direction)
    attach_documents(stored, documents, user)
    asked = {party.cooperative_id for party in newcomers if party.cooperative_id}
    if substance:
        asked |= {key[0] for key in wanted if key[0] and key[0] != stored.initiator_id}
    if asked:
        notify_parties(stored, only_cooperatives=asked)
    for name in ("version", "verification", "category", "international", "direction"):
        setattr(partnership, name, getattr(stored, name))
    return stored


# --- changes to verified partnerships -------------------------------------------------


def party_row(party):
    """A party as a pending change keeps it: [cooperative id, partner id, role]."""
    return [party.cooperative_id, party.partner_id, party.role]


def party_rows(parties):
    return sorted((party_row(party) for party in parties), key=lambda row: (row[0] or 0, row[1] or 0, row[2]))


def parties_of_change(rows):
    """Unsaved PartnershipParty objects for a pending change's rows, with their
    organisations loaded (two queries)."""
    cooperatives = Cooperative.objects.in_bulk([row[0] for row in rows if row[0]])
    partners = Partner.objects.in_bulk([row[1] for row in rows if row[1]])
    return [
        PartnershipParty(
            cooperative=cooperatives.get(cooperative_id) if cooperative_id else None,
            partner=partners.get(partner_id) if partner_id else None,
            role=role,
        )
        for cooperative_id, partner_id, role in rows
    ]


def propose_change(user, stored, edited, parties, related, documents):
    """An initiator's edit of a verified partnership: it waits as the pending change
    (kopnet.models.Revision) beside the verified values, which visitors keep seeing.

    The change holds the fields, objectives and fields of cooperation, the parties
    (organisation and role) when they differ, and the documents added meanwhile
    (stored unpublished). A change of substance (SUBSTANCE_CHANGES) asks every other
    cooperative party to confirm it again (ChangeAnswer); a typo fix in the
    description, a new status, direction, objectives or fields do not.
    """
    earlier = pending_revision(stored, lock_it=True)
    changes = revision_changes(stored, edited, REVISABLE_FIELDS, related)
    rows = party_rows(parties)
    if rows != party_rows(stored.parties.all()):
        changes["parties"] = rows
    for document in documents:
        document.published = False
    attach_documents(stored, documents, user)
    document_ids = [*(earlier.changes.get("documents", []) if earlier else []), *(d.pk for d in documents)]
    if document_ids:
        changes["documents"] = document_ids
    revision = revision_propose(stored, changes, user=user)
    if revision is not None:
        ask_parties(stored, revision, substance(earlier.changes) if earlier else None)
    return revision


def substance(changes):
    return {name: value for name, value in changes.items() if name in SUBSTANCE_CHANGES}


def ask_parties(stored, revision, substance_before):
    """Ask the other cooperative parties (of the partnership as changed) to confirm a
    change of substance; answers given to the same substance stand."""
    wanted = substance(revision.changes)
    if wanted == substance_before:
        return
    asked = set()
    if wanted:
        rows = revision.changes.get("parties") or party_rows(stored.parties.all())
        asked = {row[0] for row in rows if row[0] and row[0] != stored.initiator_id}
    ChangeAnswer.objects.filter(revision=revision).exclude(cooperative_id__in=asked).delete()
    ChangeAnswer.objects.filter(revision=revision).update(
        confirmation=Confirmation.PENDING, answered_by=None, answered_at=None, decline_reason=""
    )
    known = set(ChangeAnswer.objects.filter(revision=revision).values_list("cooperative_id", flat=True))
    ChangeAnswer.objects.bulk_create(
        ChangeAnswer(revision=revision, cooperative_id=cooperative_id) for cooperative_id in sorted(asked - known)
    )
    if asked:
        notify_change(stored, asked)


def locked_answer(answer_id):
    """An answer to a pending change with its partnership and revision, all locked
    (the partnership first, as every writer of a partnership)."""
    found = ChangeAnswer.objects.filter(pk=answer_id).values_list("revision_id", "revision__object_id").first()
    if found is None:
        raise Http404(_("No such change."))
    revision_id, partnership_id = found
    partnership = lock(Partnership.objects.all(), partnership_id)
    revision = lock(Revision.objects.all(), revision_id)
    answer = lock(ChangeAnswer.objects.select_related("cooperative"), answer_id)
    return partnership, revision, answer


@transaction.atomic
def change_answer(*, user, answer_id, confirm, reason="", version=None):
    """A cooperative party confirms or declines a pending change of a verified
    partnership, at the version of the partnership it read."""
    reason = (reason or "").strip()
    if not confirm and not reason:
        raise ValidationError({"decline_reason": _("Say why you decline.")})
    partnership, revision, answer = locked_answer(answer_id)
    policy.require(user, "answer", answer, _("You do not act for this party."))
    require_version(
        partnership,
        version,
        _("The change to %(reference)s was changed after you opened it: review it again.")
        % {"reference": partnership.reference},
    )
    require_pending(revision)
    if answer.confirmation != Confirmation.PENDING:
        raise ValidationError(
            _("%(cooperative)s has already answered this change to %(reference)s.")
            % {"cooperative": answer.cooperative.name, "reference": partnership.reference},
            code="stale",
        )
    answer.confirmation = Confirmation.CONFIRMED if confirm else Confirmation.DECLINED
    answer.answered_by, answer.answered_at = user, timezone.now()
    answer.decline_reason = "" if confirm else reason
    answer.save(update_fields=["confirmation", "answered_by", "answered_at", "decline_reason"])
    return answer


def change_confirm(*, user, answer_id, version=None):
    return change_answer(user=user, answer_id=answer_id, confirm=True, version=version)


def change_decline(*, user, answer_id, reason, version=None):
    return change_answer(user=user, answer_id=answer_id, confirm=False, reason=reason, version=version)


def describe_parties(parties):
    return "; ".join(f"{party.organisation} ({party.get_role_display()})" for party in parties) or "-"


class PartnershipChanges(RevisionKind):
    """A pending change of a verified partnership beyond its fields: its parties,
    new documents and the other parties' answers (kopnet.services.RevisionKind)."""

    def differences(self, revision, record):
        rows = []
        if "parties" in revision.changes:
            now = record.parties.select_related("cooperative", "partner")
            rows.append((_("parties"), describe_parties(now), describe_parties(parties_of_change(revision.changes["parties"]))))
        if revision.changes.get("documents"):
            titles = PartnershipDocument.objects.filter(pk__in=revision.changes["documents"]).values_list("title", flat=True)
            rows.append((_("new documents"), "-", "; ".join(titles)))
        answers = list(revision.partnership_answers.select_related("cooperative"))
        if answers:
            said = "; ".join(
                f"{answer.cooperative.name}: {answer.get_confirmation_display()}"
                + (f" ({answer.decline_reason})" if answer.decline_reason else "")
                for answer in answers
            )
            rows.append((_("answers of the other parties"), "-", said))
        return rows

    def check(self, revision, record):
        answers = list(revision.partnership_answers.select_related("cooperative"))
        declined = [answer.cooperative for answer in answers if answer.confirmation == Confirmation.DECLINED]
        if declined:
            raise ValidationError(
                _("%(names)s declined this change to %(reference)s: reject it.")
                % {"names": names(declined), "reference": record.reference},
                code="declined",
            )
        waiting = [answer.cooperative for answer in answers if answer.confirmation == Confirmation.PENDING]
        if waiting:
            raise ValidationError(
                _("This change to %(reference)s waits for the answer of %(names)s.")
                % {"names": names(waiting), "reference": record.reference},
                code="pending",
            )
        if "parties" in revision.changes:
            unverified = [p.organisation for p in parties_of_change(revision.changes["parties"]) if not p.organisation.is_verified]
            if unverified:
                raise ValidationError(
                    _("This change names organisations that are not verified: %(names)s. Verify them first.")
                    % {"names": names(unverified)},
                    code="unverified",
                )

    def publish(self, revision, record, curator):
        direction = record.direction
        answers = {answer.cooperative_id: answer for answer in revision.partnership_answers.all()}
        if "parties" in revision.changes:
            replace_parties(record, revision.changes["parties"], answers, curator)
        PartnershipDocument.objects.filter(pk__in=revision.changes.get("documents", []), partnership=record).update(
            published=True
        )
        record.refresh_derived()
        keep_direction(record, direction)

    def discard(self, revision, record):
        documents = list(
            PartnershipDocument.objects.filter(
                pk__in=revision.changes.get("documents", []), partnership=record, published=False
            )
        )
        for document in documents:
            document.delete()
            transaction.on_commit(lambda file=document.file: file.delete(save=False))


def replace_parties(partnership, rows, answers, curator):
    """Make the partnership's parties those of a published change: a cooperative that
    confirmed the change is confirmed; a partner is checked by the curator now."""
    wanted = {(row[0], row[1]): row[2] for row in rows}
    require_unmerged({key[0] for key in wanted}, {key[1] for key in wanted})
    now = timezone.now()
    current = {party_key(party): party for party in partnership.parties.all()}
    for key, party in current.items():
        if key not in wanted:
            party._history_user = curator
            party.delete()
    for key, role in wanted.items():
        party = current.get(key) or PartnershipParty(partnership=partnership, cooperative_id=key[0], partner_id=key[1])
        party.role = role
        answer = answers.get(key[0])
        if answer is not None:
            party.confirmation, party.confirmed_by, party.confirmed_at = answer.confirmation, answer.answered_by, answer.answered_at
            party.decline_reason = ""
        elif party.pk is None:
            party.confirmation = Confirmation.CONFIRMED
            party.confirmed_by, party.confirmed_at = curator, now
        party._history_user = curator
        party.save()


register_revision_kind(Partnership, PartnershipChanges())


def stored_party_keys(parties):
    """{pk: (cooperative id, partner id)} as stored, of the rows of `parties` that have one."""
    return {
        pk: (cooperative_id, partner_id)
        for pk, cooperative_id, partner_id in PartnershipParty.objects.filter(
            pk__in=[party.pk for party in parties if party.pk]
        ).values_list("pk", "cooperative_id", "partner_id")
    }


def require_verified_organisations(partnership, parties, stored=None):
    """A verified partnership names verified organisations only: refuse the rows of
    `parties` that are new or now name another organisation when that organisation
    is not verified. Those organisations are locked (in the caller's transaction),
    so that the answer holds until it commits. The partnership's state is read as
    stored: the caller holds its lock (parties_curate, the admin's change form).

    The admin's party rows ask this in their formset's clean(), so that the refusal
    is a form error; an import asks it for each row, reported as a bad row; and
    parties_curate() asks it again under its lock, whoever calls it.
    """
    if partnership.pk is None:
        return  # a new partnership starts pending
    verified = Partnership.objects.filter(pk=partnership.pk, verification=Verification.VERIFIED).exists()
    if not verified:
        return
    stored = stored_party_keys(parties) if stored is None else stored
    naming = [party for party in parties if party.pk is None or stored.get(party.pk) != party_key(party)]
    cooperative_ids = sorted({party.cooperative_id for party in naming if party.cooperative_id})
    partner_ids = sorted({party.partner_id for party in naming if party.partner_id})
    unverified = [
        *Cooperative.objects.select_for_update().filter(pk__in=cooperative_ids).exclude(verification=Verification.VERIFIED),
        *Partner.objects.select_for_update().filter(pk__in=partner_ids).exclude(verification=Verification.VERIFIED),
    ]
    if unverified:
        raise ValidationError(
            ngettext(
                "%(reference)s is verified, and a verified partnership names verified organisations only: "
                "%(names)s is not verified yet. Verify it first.",
                "%(reference)s is verified, and a verified partnership names verified organisations only: "
                "%(names)s are not verified yet. Verify them first.",
                len(unverified),
            )
            % {"reference": partnership.reference, "names": names(unverified)},
            code="unverified",
        )


@transaction.atomic
def parties_curate(*, curator, partnership, parties, removed=()):
    """A curator's change of a partnership's parties (the admin's party rows, an
    import's parties column): `parties` are the new and changed rows, `removed` the
    ones taken out. A row that now names another organisation waits for that
    organisation's answer; on a verified partnership it must name a verified one
    (require_verified_organisations)."""
    lock(Partnership.objects.all(), partnership.pk)
    policy.require(curator, "verify", partnership)
    stored = stored_party_keys(parties)
    require_named_unmerged(parties)
    require_verified_organisations(partnership, parties, stored)
    for party in removed:
        party._history_user = curator
        party.delete()
    for party in parties:
        if party.pk is None or stored.get(party.pk) != party_key(party):
            party.confirmation = Confirmation.PENDING
            party.confirmed_by = party.confirmed_at = None
            party.decline_reason = ""
        party.partnership = partnership
        party.full_clean()
        party._history_user = curator
        party.save()
    partnership.refresh_derived()


def attach_documents(partnership, documents, user):
    """Store `documents` with the (locked) partnership: at most MAX_DOCUMENTS in all,
    the stored ones counted, whatever number each submission carries."""
    documents = list(documents)
    if not documents:
        return
    kept = PartnershipDocument.objects.filter(partnership=partnership).count() if partnership.pk else 0
    if kept + len(documents) > MAX_DOCUMENTS:
        raise ValidationError(
            _("A partnership keeps at most %(most)d agreement documents: it has %(kept)d, and %(sent)d more were sent.")
            % {"most": MAX_DOCUMENTS, "kept": kept, "sent": len(documents)},
            code="too_many_documents",
        )
    for document in documents:
        document.partnership = partnership
        document.uploaded_by = user
        document._history_user = user  # also outside a request (imports, commands)
        document.full_clean()
        document.save()


def keep_direction(partnership, direction):
    """Restore the direction validated by apply_derived after the parties are saved.

    Each party save recomputes the derived fields (refresh_derived), and a passing
    state (only cooperatives saved so far) fills in a missing direction: a business
    partnership registered without one would keep that guess.
    """
    if partnership.direction != direction:
        Partnership.objects.filter(pk=partnership.pk).update(direction=direction)
        partnership.direction = direction


def locked_party(party_id):
    """A party and its partnership, both locked: every writer of a partnership or
    its parties locks the partnership first, so they take turns."""
    partnership_id = (
        PartnershipParty.objects.filter(pk=party_id).values_list("partnership_id", flat=True).first()
    )
    if partnership_id is None:
        raise Http404(_("No such party."))
    partnership = lock(Partnership.objects.all(), partnership_id)
    party = lock(PartnershipParty.objects.select_related("cooperative"), party_id)
    party.partnership = partnership
    return party


def answer(*, user, party_id, version, confirmation, reason=""):
    party = locked_party(party_id)
    partnership = party.partnership
    policy.require(user, "answer", party, _("You do not act for this party."))
    require_version(
        partnership,
        version,
        _("%(reference)s was changed after you opened it: review it again.") % {"reference": partnership.reference},
    )
    if party.confirmation != Confirmation.PENDING:
        raise ValidationError(
            _("%(cooperative)s has already answered %(reference)s.")
            % {"cooperative": party.cooperative.name, "reference": partnership.reference},
            code="stale",
        )
    party.confirmation = confirmation
    party.confirmed_by, party.confirmed_at = user, timezone.now()
    party.decline_reason = reason
    party.full_clean()
    party._history_user = user
    party.save(update_fields=["confirmation", "confirmed_by", "confirmed_at", "decline_reason"])
    # The partnership the curators see has changed: a verification opened on the
    # earlier version is refused; a verified partnership that a party declines
    # goes back to the curators.
    back = back_to_pending(partnership) if confirmation == Confirmation.DECLINED else []
    save_changes(partnership, back, by=user, reason=f"party {confirmation}")
    others = partnership.parties.filter(cooperative__isnull=False).exclude(cooperative_id=party.cooperative_id)
    notify(
        officials_of(others.values("cooperative_id")),
        NotificationKind.PARTY_ANSWERED,
        *ANSWER_MESSAGES[confirmation],
        partnership_page(partnership),
        cooperative=party.cooperative.name,
        reference=partnership.reference,
        title=partnership.title,
        reason=reason,
    )
    return party


def partnership_page(partnership):
    return reverse("partnerships:partnership_detail", args=[partnership.reference])


# What the other parties' officials are told of an answer: (subject, body).
ANSWER_MESSAGES = {
    Confirmation.CONFIRMED: (
        gettext_lazy("%(cooperative)s confirmed partnership %(reference)s"),
        gettext_lazy("%(cooperative)s confirmed the partnership “%(title)s”."),
    ),
    Confirmation.DECLINED: (
        gettext_lazy("%(cooperative)s declined partnership %(reference)s"),
        gettext_lazy("%(cooperative)s declined the partnership “%(title)s”. Their reason: %(reason)s"),
    ),
}
# What the parties' officials are told of the curators' decision.
DECISION_MESSAGES = {
    Verification.VERIFIED: (
        gettext_lazy("Partnership %(reference)s was verified"),
        gettext_lazy("Dekopin's curators verified the partnership “%(title)s”: it is public in the registry."),
    ),
    Verification.REJECTED: (
        gettext_lazy("Partnership %(reference)s was rejected"),
        gettext_lazy("Dekopin's curators rejected the partnership “%(title)s”. Their reason: %(reason)s"),
    ),
}
FOLLOWED_PARTNERSHIP = (
    gettext_lazy("New verified partnership: %(title)s"),
    gettext_lazy("The partnership “%(title)s” (%(reference)s) of a record you follow was verified and is public."),
)


def tell_decision(partnership):
    """Tell the officials of a partnership's cooperatives that the curators verified
    or rejected it (with the reason); once verified, also the people who follow it or
    one of its organisations."""
    parties = list(partnership.parties.select_related("cooperative", "partner"))
    officials = list(officials_of([party.cooperative_id for party in parties if party.cooperative_id]))
    page = partnership_page(partnership)
    values = {"reference": partnership.reference, "title": partnership.title, "reason": partnership.verification_note}
    notify(officials, NotificationKind.PARTNERSHIP_DECIDED, *DECISION_MESSAGES[partnership.verification], page, **values)
    if partnership.verification == Verification.VERIFIED:
        told = {user.pk for user in officials}
        followers = followers_of(partnership, *(party.organisation for party in parties))
        notify([user for user in followers if user.pk not in told], NotificationKind.FOLLOWED, *FOLLOWED_PARTNERSHIP, page, **values)


@transaction.atomic
def party_confirm(*, user, party_id, version=None):
    return answer(user=user, party_id=party_id, version=version, confirmation=Confirmation.CONFIRMED)


@transaction.atomic
def party_decline(*, user, party_id, reason, version=None):
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"decline_reason": _("Say why you decline.")})
    return answer(user=user, party_id=party_id, version=version, confirmation=Confirmation.DECLINED, reason=reason)


def verification_blockers(partnership, parties):
    """What stands between a partnership and its verification, by kind:
    `declined` and `pending` cooperative parties, `unverified` organisations."""
    return {
        "declined": [p for p in parties if p.cooperative_id and p.confirmation == Confirmation.DECLINED],
        "pending": [p for p in parties if p.cooperative_id and p.confirmation == Confirmation.PENDING],
        "unverified": [p.organisation for p in parties if not p.organisation.is_verified],
    }


def names(organisations):
    return ", ".join(sorted(str(organisation) for organisation in organisations))


@transaction.atomic
def partnership_verify(
    *, curator, pk, version=None, override_note="", verify_organisations=False, organisation_versions=None
):
    """Verify a partnership, under its lock and at the version the curator saw.

    Refused while a cooperative party declines (a decline is an answer, which no
    note overrides: reject it, or the initiator removes that party); while a
    cooperative party has not answered, unless the curator records why (an
    override note); and while a party organisation is unverified, unless the
    curator verifies those in the same step (`verify_organisations`): a verified
    partnership names verified organisations only. `organisation_versions`
    ({(Cooperative or Partner, pk): version}) holds the versions of those
    organisations the curator saw: one changed since is refused, and so the
    partnership with it.
    """
    partnership = lock(Partnership.objects.all(), pk)
    policy.require(curator, "verify", partnership)
    require_version(partnership, version)
    if partnership.verification == Verification.VERIFIED:
        raise ValidationError(_("%(reference)s is already verified.") % {"reference": partnership.reference}, code="already")
    parties = list(partnership.parties.select_related("cooperative", "partner"))
    blockers = verification_blockers(partnership, parties)
    override_note = (override_note or "").strip()
    if blockers["declined"]:
        raise ValidationError(
            _("%(reference)s cannot be verified: %(names)s declined it. Reject it, or ask the initiator to remove that party.")
            % {"reference": partnership.reference, "names": names(p.cooperative for p in blockers["declined"])},
            code="declined",
        )
    if blockers["pending"] and not override_note:
        raise ValidationError(
            _("%(reference)s: a cooperative party has not confirmed; record an override note to verify anyway.")
            % {"reference": partnership.reference},
            code="pending",
        )
    if blockers["unverified"] and not verify_organisations:
        raise ValidationError(
            _("%(reference)s names organisations that are not verified: %(names)s. Verify them first, or with it.")
            % {"reference": partnership.reference, "names": names(blockers["unverified"])},
            code="unverified",
        )
    for organisation in blockers["unverified"]:
        model = Cooperative if isinstance(organisation, Cooperative) else Partner
        verify_organisation = cooperative_verify if model is Cooperative else partner_verify
        seen = (organisation_versions or {}).get((model, organisation.pk))
        verify_organisation(curator=curator, pk=organisation.pk, version=seen)
    partnership.verification_override = override_note if blockers["pending"] else ""
    stamp_verification(partnership, Verification.VERIFIED, curator)
    save_changes(partnership, [*VERIFICATION_FIELDS, "verification_override"], by=curator, reason="verified")
    # Partners have no accounts: the curator checks them at verification, and
    # that check is their confirmation.
    now = timezone.now()
    for party in parties:
        if party.partner_id and party.confirmation == Confirmation.PENDING:
            party.confirmation = Confirmation.CONFIRMED
            party.confirmed_by, party.confirmed_at = curator, now
            party._history_user = curator
            party.save(update_fields=["confirmation", "confirmed_by", "confirmed_at"])
    tell_decision(partnership)
    return partnership


@transaction.atomic
def partnership_reject(*, curator, pk, reason, version=None):
    partnership = lock(Partnership.objects.all(), pk)
    policy.require(curator, "verify", partnership)
    reject_record(partnership, curator=curator, reason=reason, version=version)
    tell_decision(partnership)
    return partnership


def notify_change(partnership, cooperative_ids):
    """Ask the officials of these cooperatives to confirm a change (kopnet.notifications)."""
    return ask_officials(partnership, cooperative_ids, CHANGE_ASKED)


def notify_parties(partnership, exclude_cooperative=None, only_cooperatives=None):
    """Ask the officials of the cooperative parties still to answer to confirm."""
    parties = partnership.parties.filter(cooperative__isnull=False, confirmation=Confirmation.PENDING)
    if exclude_cooperative:
        parties = parties.exclude(cooperative_id=exclude_cooperative)
    if only_cooperatives is not None:
        parties = parties.filter(cooperative_id__in=only_cooperatives)
    return ask_officials(partnership, parties.values("cooperative_id"), CONFIRMATION_ASKED)


def ask_officials(partnership, cooperative_ids, messages):
    """Tell the officials of these cooperatives that their answer is awaited: on their
    dashboard and by email, in each one's language, linking to the partnership.
    Inside the service's transaction: the rows and the mail queue (kopnet/mail.py)
    commit with the change. Returns the notifications made."""
    return notify(
        officials_of(cooperative_ids),
        NotificationKind.ANSWER_ASKED,
        *messages,
        partnership_page(partnership),
        initiator=partnership.initiator.name,
        title=partnership.title,
        reference=partnership.reference,
    )


# What the officials of a cooperative whose answer is awaited are told: (subject, body).
CONFIRMATION_ASKED = (
    gettext_lazy("Please confirm partnership %(reference)s"),
    gettext_lazy("%(initiator)s registered the partnership “%(title)s” (%(reference)s) naming your cooperative. Confirm or decline it on your dashboard."),
)
CHANGE_ASKED = (
    gettext_lazy("Please confirm the change to partnership %(reference)s"),
    gettext_lazy("%(initiator)s proposed a change to the partnership “%(title)s” (%(reference)s), which names your cooperative. Confirm or decline the change on your dashboard."),
)


def statistics_recount():
    """Count the statistics page's numbers afresh from the tables.

    PostgreSQL keeps them as the data changes, by triggers
    (partnerships/migrations/0008_statistics_counts.py); a write that went around
    the triggers (seed_scale disables them for its bulk load) calls this after, in
    its own transaction. SQLite counts the page from the tables anyway: nothing to do.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT partnerships_statistics_rebuild()")


def network_rebuild():
    """Build the cooperatives' kept networks afresh from the tables.

    PostgreSQL keeps, for the verified partnerships, each cooperative's party rows and
    totals as the data changes, by triggers
    (partnerships/migrations/0012_cooperative_network.py); a write that went around
    the triggers (seed_scale disables them for its bulk load) calls this after, in its
    own transaction. SQLite counts the profile's network from the tables: nothing to do.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT partnerships_network_rebuild()")


def province_rows_rebuild():
    """Make the partnership list's kept province rows and counts afresh from the tables.

    PostgreSQL keeps them as the data changes, by triggers
    (partnerships/migrations/0013_province_rows.py); a write that went around the
    triggers (seed_scale's bulk load) calls this after, in its own transaction.
    SQLite keeps none: nothing to do.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT partnerships_province_rebuild()")
