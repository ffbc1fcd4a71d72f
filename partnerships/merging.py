"""What merging a duplicate cooperative or partner moves among partnerships (through the
hook the registry offers, registry.merging): its parties, the partnerships it
initiated, the entity links to it, its answers to pending changes. Refused: a
partnership to which both records are parties (the survivor would be a party twice).
Each moved row keeps its history (registry.merging.moved)."""

from django.utils.translation import gettext as _

from partnerships.models import ChangeAnswer, Partnership, PartnershipParty
from registry.merging import add_merge_step, moved
from registry.models import Cooperative, Partner


def party_refusals(survivor, merged):
    field = "cooperative" if isinstance(survivor, Cooperative) else "partner"
    both = (
        Partnership.objects.filter(parties__in=PartnershipParty.objects.filter(**{field: survivor}))
        .filter(parties__in=PartnershipParty.objects.filter(**{field: merged}))
        .order_by("reference")
        .values_list("reference", flat=True)
    )
    references = list(both[:6])
    if not references:
        return []
    return [
        _("%(merged)s and %(survivor)s are both parties to %(references)s: the survivor would be a party twice. Take one of the two parties out first.")
        % {"merged": merged.name, "survivor": survivor.name, "references": ", ".join(references[:5]) + (" …" if len(references) > 5 else "")}
    ]


def move_cooperative(survivor, merged):
    moved(PartnershipParty.objects.filter(cooperative=merged), "cooperative", survivor)
    moved(Partnership.objects.filter(initiator=merged), "initiator", survivor)
    moved(Partnership.objects.filter(new_entity_cooperative=merged), "new_entity_cooperative", survivor)
    ChangeAnswer.objects.filter(cooperative=merged).update(cooperative=survivor)


def move_partner(survivor, merged):
    moved(PartnershipParty.objects.filter(partner=merged), "partner", survivor)
    moved(Partnership.objects.filter(new_entity_partner=merged), "new_entity_partner", survivor)


def add_merge_steps():
    add_merge_step(
        Cooperative,
        party_refusals,
        move_cooperative,
        handles=(
            "partnerships.PartnershipParty.cooperative", "partnerships.Partnership.initiator",
            "partnerships.Partnership.new_entity_cooperative", "partnerships.ChangeAnswer.cooperative",
        ),
    )  # fmt: skip
    add_merge_step(
        Partner,
        party_refusals,
        move_partner,
        handles=("partnerships.PartnershipParty.partner", "partnerships.Partnership.new_entity_partner"),
    )
