"""The database holds a proposal's decision: decided_at exactly when it no longer waits."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from registry.models import MembershipProposal, ProposalState, Tier
from tests.factories import CooperativeFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("state", "decided"),
    [(ProposalState.CONFIRMED, False), (ProposalState.WITHDRAWN, False), (ProposalState.PROPOSED, True)],
)
def test_a_decision_and_its_time_go_together(state, decided):
    proposal = MembershipProposal.objects.create(
        member=CooperativeFactory(), federation=CooperativeFactory(tier=Tier.SEKUNDER, individual_members=None),
        start_date=datetime.date(2020, 1, 1),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipProposal.objects.filter(pk=proposal.pk).update(
            state=state, decided_at=timezone.now() if decided else None
        )
