"""federation_levels() is one recursive query: held here to its definition, the walk
it replaced (one query a level), on random graphs of memberships with cycles, ended
memberships and federations the reader may not see."""

import datetime
import random

import pytest
from django.contrib.auth.models import AnonymousUser

from kopnet.models import Verification
from registry.models import MAX_FEDERATION_DEPTH, Cooperative, Membership, Tier, federation_levels
from tests.factories import CooperativeFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def walked_levels(cooperative, federations):
    """The definition: level by level from the cooperative, each federation walked
    from the level where it is first reached."""
    levels, frontier, seen = [], {cooperative.pk}, {cooperative.pk}
    for _level in range(MAX_FEDERATION_DEPTH):
        edges = list(
            Membership.objects.active()
            .filter(member_id__in=frontier, federation__in=federations)
            .order_by("federation__name", "federation_id", "member_id")
        )
        if not edges:
            break
        levels.append(edges)
        frontier = {edge.federation_id for edge in edges} - seen
        seen |= frontier
        if not frontier:
            break
    return levels


def pairs(levels):
    return [[(edge.member_id, edge.federation_id) for edge in level] for level in levels]


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_the_levels_are_the_walk_level_by_level(seed):
    rng = random.Random(seed)
    coops = [
        CooperativeFactory(
            name=f"Kop {rng.randrange(10)}",  # names repeat
            tier=Tier.SEKUNDER,
            verification=rng.choice([Verification.VERIFIED] * 4 + [Verification.PENDING]),
        )
        for _n in range(25)
    ]
    links = set()
    for _n in range(60):  # cycles and diamonds included
        member, federation = rng.sample(coops, 2)
        if (member.pk, federation.pk) not in links:
            links.add((member.pk, federation.pk))
            ended = rng.choice([None] * 4 + [datetime.date(2024, 6, 1)])
            MembershipFactory(member=member, federation=federation, start_date=datetime.date(2010, 1, 1), end_date=ended)
    visible = Cooperative.objects.visible_to(AnonymousUser())
    deep = 0
    for coop in coops:
        expected = walked_levels(coop, visible)
        got = federation_levels(coop, visible)
        assert pairs(got) == pairs(expected)
        for level in got:
            for edge in level:
                assert edge.federation.province is not None  # loaded with the edge
        deep += len(got) >= 3
    assert deep, "the graphs reach three levels"


def test_the_walk_stops_at_the_deepest_level():
    chain = [CooperativeFactory(tier=Tier.SEKUNDER) for _n in range(MAX_FEDERATION_DEPTH + 3)]
    for member, federation in zip(chain, chain[1:]):
        MembershipFactory(member=member, federation=federation)
    visible = Cooperative.objects.visible_to(AnonymousUser())

    levels = federation_levels(chain[0], visible)

    assert len(levels) == MAX_FEDERATION_DEPTH
    assert pairs(levels) == pairs(walked_levels(chain[0], visible))
