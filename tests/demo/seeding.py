"""What the demo tests compare: `seed_demo`'s output, and counts of what it created."""

from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Max

from partnerships.models import Partnership, PartnershipParty, ReferenceSequence
from registry.models import Cooperative, Membership, Partner, Representation


def seed():
    out, err = StringIO(), StringIO()
    call_command("seed_demo", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def registry_snapshot():
    """How many of everything there is, and when anything last changed."""
    return {
        "cooperatives": Cooperative.objects.count(),
        "memberships": Membership.objects.count(),
        "partners": Partner.objects.count(),
        "users": get_user_model().objects.count(),
        "sector links": Cooperative.sectors.through.objects.count(),
        "representations": Representation.objects.count(),
        "history rows": Cooperative.history.count()
        + Membership.history.count()
        + Partner.history.count()
        + Representation.history.count(),
        "last change": (
            Cooperative.objects.aggregate(last=Max("updated_at"))["last"],
            Partner.objects.aggregate(last=Max("updated_at"))["last"],
        ),
    }


def partnerships_snapshot():
    return {
        "partnerships": Partnership.objects.count(),
        "parties": PartnershipParty.objects.count(),
        "objective links": Partnership.objectives.through.objects.count(),
        "field links": Partnership.fields.through.objects.count(),
        "history rows": Partnership.history.count() + PartnershipParty.history.count(),
        "sequence": list(ReferenceSequence.objects.values_list("year", "last_number")),
    }
