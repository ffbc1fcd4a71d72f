"""What merging one organisation into another moves (issue 13 §5).

registry.services.record_merge() keeps the survivor and moves to it everything that
pointed to the duplicate. Some of those things belong to apps above the registry (a
partnership's parties, its initiator, the entity it founded), and the registry
imports no app above it: as with its profile sections (registry.sections), an app
adds a step for a model in its AppConfig.ready(). Each step is called twice, inside
the merge's transaction, with both records locked:

- `refuse(survivor, merged)` returns the reasons the merge cannot be done (a
  partnership that would have one organisation as a party twice), in words a curator
  reads; every step is asked before any moves, so a refused merge changes nothing;
- `move(survivor, merged)` moves the step's rows.

`handles` names the relations a step moves ("app_label.Model.field"): a test checks
that every relation to a mergeable model is someone's, so that a new one cannot be
forgotten.
"""

from dataclasses import dataclass
from typing import Callable

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from kopnet.models import Follow
from registry.models import Cooperative, Membership, MembershipProposal, Partner, ProposalState, Representation, RepresentationState

_steps = {}
# How many rows one UPDATE moves.
BATCH = 500


@dataclass(frozen=True)
class MergeStep:
    refuse: Callable
    move: Callable
    handles: tuple


def add_merge_step(model, refuse, move, handles):
    """Add a step to the merges of `model`'s records."""
    _steps.setdefault(model, []).append(MergeStep(refuse, move, tuple(handles)))


def merge_steps(model):
    return list(_steps.get(model, ()))


def handled_relations(model):
    return {name for step in merge_steps(model) for name in step.handles}


def require_unmerged(cooperative_ids=(), partner_ids=()):
    """Refuse a write that names an organisation merged into another: its rows would
    point to the duplicate the merge emptied. The named rows are locked until the
    write's transaction ends (on PostgreSQL FOR KEY SHARE, the lock the write's own
    foreign keys would take, taken before the answer is read): a merge under way
    (both records FOR UPDATE) is waited for and its result read here; a merge that
    starts later waits for the write, and then moves its rows."""
    for model, ids in ((Cooperative, cooperative_ids), (Partner, partner_ids)):
        ids = sorted({int(pk) for pk in ids if pk})
        if not ids:
            continue
        lock = " FOR KEY SHARE" if connection.vendor == "postgresql" else ""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, merged_into_id FROM {model._meta.db_table} WHERE id IN ({', '.join(['%s'] * len(ids))}){lock}",
                ids,
            )
            merged = [pk for pk, merged_into in cursor.fetchall() if merged_into is not None]
        if merged:
            refuse_merged(model.objects.filter(pk__in=merged).select_related("merged_into").order_by("name"))


def refuse_merged(records):
    """Refuse, naming each of `records` that was merged into another and its survivor
    (none of them merged: nothing to refuse)."""
    merged = [record for record in records if record.merged_into_id is not None]
    if merged:
        raise ValidationError(
            " ".join(
                _("%(name)s was merged into %(survivor)s: name %(survivor)s instead.")
                % {"name": record.name, "survivor": record.merged_into.name}
                for record in merged
            ),
            code="merged",
        )


# --- the registry's own steps --------------------------------------------------------


def between(survivor, merged, first, second):
    """A Q for rows whose `first` and `second` fields join the two records, either way."""
    return Q(**{first: survivor, second: merged}) | Q(**{first: merged, second: survivor})


def overlap(first, second):
    """Whether two memberships' periods share a day (an open end runs on)."""
    return (second.end_date is None or first.start_date <= second.end_date) and (
        first.end_date is None or second.start_date <= first.end_date
    )


def membership_refusals(survivor, merged):
    reasons = []
    names = {"survivor": survivor.name, "merged": merged.name}
    if Membership.objects.filter(between(survivor, merged, "member", "federation")).exists():
        reasons.append(
            _("%(merged)s and %(survivor)s are linked by a membership: one would become its own member. Take that membership out first.")
            % names
        )
    if survivor.tier != merged.tier:
        reasons.append(
            _("%(merged)s and %(survivor)s are of different tiers: the same cooperative has one tier. Correct the tier of one first.")
            % names
        )
    for side, other in (("member", "federation"), ("federation", "member")):
        # Both with the same cooperative on the other side over the same days: moved,
        # the survivor would be a member twice at once (Membership.clean's rule).
        kept = list(Membership.objects.filter(**{side: survivor}))
        for membership in Membership.objects.filter(**{side: merged}).select_related(other):
            if any(
                getattr(row, f"{other}_id") == getattr(membership, f"{other}_id") and overlap(row, membership)
                for row in kept
            ):
                reasons.append(
                    _("Both %(merged)s and %(survivor)s have a membership with %(other)s over the same days: end or correct one of the two first.")
                    % {**names, "other": getattr(membership, other).name}
                )
    if MembershipProposal.objects.filter(between(survivor, merged, "member", "federation")).exists():
        reasons.append(
            _("%(merged)s and %(survivor)s are linked by a proposal to join a federation: one would propose to itself.")
            % names
        )
    for side, other in (("member", "federation"), ("federation", "member")):
        waiting = MembershipProposal.objects.filter(state=ProposalState.PROPOSED)
        shared = waiting.filter(**{side: merged}).filter(
            **{f"{other}__in": waiting.filter(**{side: survivor}).values(other)}
        )
        if shared.exists():
            reasons.append(
                _("%(merged)s and %(survivor)s both have a proposal waiting with the same cooperative: let one be decided or withdrawn first.")
                % names
            )
    return reasons


def moved(queryset, field, survivor):
    """Point `field` of these rows to the survivor, with a history row for each, a
    BATCH of rows an UPDATE (a cooperative may be party to thousands): what every
    step that moves rows with a history does."""
    rows = list(queryset)
    for row in rows:
        setattr(row, field, survivor)
    if rows:
        bulk_update_with_history(rows, queryset.model, [field], batch_size=BATCH, default_change_reason="merged")


def move_memberships(survivor, merged):
    """The duplicate's memberships, on either side, become the survivor's (not one
    save each: record_merge refreshes both records' member counts after, and a
    federation above keeps its count, one member for another)."""
    for side in ("member", "federation"):
        moved(Membership.objects.filter(**{side: merged}), side, survivor)
        MembershipProposal.objects.filter(**{side: merged}).update(**{side: survivor})


def no_refusals(survivor, merged):
    return []


def move_representations(survivor, merged):
    """Each official's representation of the duplicate becomes one of the survivor,
    unless they already represent it or asked to (their request there stands; the
    duplicate's stays with the merged record, which no one sees)."""
    open_states = [RepresentationState.REQUESTED, RepresentationState.APPROVED]
    already = Representation.objects.filter(cooperative=survivor, state__in=open_states).values("user")
    Representation.objects.filter(cooperative=merged).exclude(user__in=already, state__in=open_states).update(
        cooperative=survivor
    )


def move_follows(survivor, merged):
    """The people who followed the duplicate follow the survivor."""
    content_type = ContentType.objects.get_for_model(type(merged))
    following = Follow.objects.filter(content_type=content_type, object_id=survivor.pk).values("user")
    Follow.objects.filter(content_type=content_type, object_id=merged.pk).exclude(user__in=following).update(
        object_id=survivor.pk
    )


def add_registry_steps():
    add_merge_step(
        Cooperative,
        membership_refusals,
        move_memberships,
        handles=(
            "registry.Membership.member", "registry.Membership.federation",
            "registry.MembershipProposal.member", "registry.MembershipProposal.federation",
        ),
    )  # fmt: skip
    add_merge_step(Cooperative, no_refusals, move_representations, handles=("registry.Representation.cooperative",))
    for model in (Cooperative, Partner):
        add_merge_step(model, no_refusals, move_follows, handles=())


add_registry_steps()
