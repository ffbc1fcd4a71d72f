"""Two people acting on the same record at the same moment: each race has exactly one
winner, the other is told why in words, and nothing is half-written.

Real threads with their own database connections, started together by a barrier,
on PostgreSQL (SQLite serialises writers, so it cannot show a race). Every round
builds fresh records, and each race runs several rounds: a service that checks and
then acts without its lock lets both threads pass in most of them.
"""

import threading
import time
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.forms import modelform_factory
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from kopnet import tokens, two_factor
from kopnet.admin import SecondFactorForm
from kopnet.models import ApiToken, Revision, RevisionState, Verification
from kopnet.services import curator_save, revision_verify
from partnerships import services as partnership_services
from partnerships.models import ChangeAnswer, Confirmation, Direction, Partnership, PartnershipParty, PartyRole
from registry import services as registry_services
from registry.models import (
    Cooperative,
    CooperativeType,
    Membership,
    ProposalState,
    Representation,
    RepresentationState,
    Scope,
    Tier,
)
from tests.factories import CooperativeFactory, PartnerFactory, PartnershipFactory, RepresentationFactory, UserFactory, province
from tests.registry.test_kept_member_rows import fresh_rows, kept_rows

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL; SQLite serialises writers"),
    pytest.mark.django_db(transaction=True),
]

ROUNDS = 4


def race(*actions):
    """Run the actions at once, each in its own thread and connection; returns, in
    order, what each returned or the exception it raised."""
    barrier = threading.Barrier(len(actions))
    outcomes = [None] * len(actions)

    def run(index, action):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = action()
        except Exception as error:  # noqa: BLE001 - the test reads it
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n, action)) for n, action in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def one_winner(outcomes):
    """Exactly one outcome is a success; the others are ValidationErrors. Returns
    (index of the winner, the losers' error codes): "stale" when the state moved
    under them (the message then says so in the person's language)."""
    failures = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    unexpected = [failure for failure in failures if not isinstance(failure, ValidationError)]
    assert unexpected == [], unexpected
    assert len(failures) == len(outcomes) - 1, f"{len(outcomes) - len(failures)} winners: {outcomes}"
    winner = next(n for n, outcome in enumerate(outcomes) if not isinstance(outcome, Exception))
    return winner, [getattr(failure, "code", None) for failure in failures]


def curator():
    # Superusers: the Dekopin group of the migrations is gone once a transactional
    # test has flushed the database.
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def curator_user():
    return curator()


def official_of(cooperative):
    user = UserFactory()
    RepresentationFactory(user=user, cooperative=cooperative)
    return user


def registered_partnership(number):
    """A partnership of A (confirmed, its initiator) and B (waiting), and B's official."""
    coop_a = CooperativeFactory(name=f"Koperasi Balapan A {number}")
    coop_b = CooperativeFactory(name=f"Koperasi Balapan B {number}")
    user_a, user_b = official_of(coop_a), official_of(coop_b)
    partnership = partnership_services.partnership_register(
        user=user_a,
        partnership=Partnership(
            title=f"Kerjasama balapan {number}", start_date=date(2026, 1, 15),
            direction=Direction.HORIZONTAL, initiator=coop_a,
        ),
        parties=[PartnershipParty(cooperative=coop_a), PartnershipParty(cooperative=coop_b, role=PartyRole.BUYER)],
    )  # fmt: skip
    party_b = partnership.parties.get(cooperative=coop_b)
    return partnership, user_a, user_b, party_b


@pytest.mark.parametrize("number", range(ROUNDS))
def test_confirm_and_decline_of_one_party_at_once_one_wins(number):
    partnership, _user_a, user_b, party_b = registered_partnership(number)

    outcomes = race(
        lambda: partnership_services.party_confirm(user=user_b, party_id=party_b.pk, version=partnership.version),
        lambda: partnership_services.party_decline(
            user=user_b, party_id=party_b.pk, reason="Bukan kami", version=partnership.version
        ),
    )

    winner, codes = one_winner(outcomes)
    party_b.refresh_from_db()
    assert party_b.confirmation == [Confirmation.CONFIRMED, Confirmation.DECLINED][winner]
    assert party_b.decline_reason == ["", "Bukan kami"][winner]
    assert codes == ["stale"]


@pytest.mark.parametrize("number", range(ROUNDS))
def test_verify_and_a_partys_decline_at_once_one_wins(number, curator_user):
    partnership, _user_a, user_b, party_b = registered_partnership(number)
    version = partnership.version

    outcomes = race(
        lambda: partnership_services.partnership_verify(
            curator=curator_user, pk=partnership.pk, version=version, override_note="Ditelepon"
        ),
        lambda: partnership_services.party_decline(user=user_b, party_id=party_b.pk, reason="Bukan kami", version=version),
    )

    winner, codes = one_winner(outcomes)
    partnership.refresh_from_db()
    party_b.refresh_from_db()
    if winner == 0:  # verified; the decline was of a version that no longer is
        assert (partnership.verification, party_b.confirmation) == (Verification.VERIFIED, Confirmation.PENDING)
    else:  # declined; a verification of the version before the decline is refused
        assert (partnership.verification, party_b.confirmation) == (Verification.PENDING, Confirmation.DECLINED)
    assert codes == ["stale"]


@pytest.mark.parametrize("number", range(ROUNDS))
def test_verify_and_a_curator_adding_an_unverified_partner_at_once_one_wins(number, curator_user):
    partnership, _user_a, _user_b, _party_b = registered_partnership(number)
    pending = PartnerFactory(name=f"PT Belum Diperiksa {number}", verification=Verification.PENDING)
    other_curator = curator()

    def add_partner():
        return partnership_services.parties_curate(
            curator=other_curator,
            partnership=Partnership.objects.get(pk=partnership.pk),
            parties=[PartnershipParty(partner=pending, role=PartyRole.SUPPLIER)],
        )

    outcomes = race(
        lambda: partnership_services.partnership_verify(
            curator=curator_user, pk=partnership.pk, override_note="Ditelepon"
        ),
        add_partner,
    )

    winner, codes = one_winner(outcomes)
    partnership.refresh_from_db()
    named = partnership.parties.filter(partner=pending).exists()
    if winner == 0:  # verified first: the partner that is not verified is refused
        assert (partnership.verification, named) == (Verification.VERIFIED, False)
    else:  # added first: a partnership naming it is not verified without it
        assert (partnership.verification, named) == (Verification.PENDING, True)
    assert codes == ["unverified"]


@pytest.mark.parametrize("number", range(ROUNDS))
def test_verify_and_the_initiators_edit_at_once_one_wins(number, curator_user):
    partnership, user_a, _user_b, _party_b = registered_partnership(number)
    version = partnership.version

    def edit():
        edited = Partnership.objects.get(pk=partnership.pk)
        edited.title = "Judul diubah saat diverifikasi"
        return partnership_services.partnership_update(
            user=user_a, partnership=edited, parties=list(edited.parties.all()),
            objectives=[], fields=[], version=version,
        )  # fmt: skip

    outcomes = race(
        lambda: partnership_services.partnership_verify(
            curator=curator_user, pk=partnership.pk, version=version, override_note="Ditelepon"
        ),
        edit,
    )

    winner, codes = one_winner(outcomes)
    partnership.refresh_from_db()
    if winner == 0:  # the curator verified the version they saw; the edit of it is refused
        assert (partnership.verification, partnership.title) == (Verification.VERIFIED, f"Kerjasama balapan {number}")
    else:  # the edit landed; the curator did not see it, so nothing is verified
        assert (partnership.verification, partnership.title) == (Verification.PENDING, "Judul diubah saat diverifikasi")
    assert codes == ["stale"]


@pytest.mark.parametrize("number", range(ROUNDS))
def test_two_cooperatives_of_one_name_registered_at_once_get_distinct_slugs(number):
    users = [UserFactory(), UserFactory()]
    name = f"Koperasi Serentak Jaya {number}"

    def register(user):
        cooperative = Cooperative(
            name=name, tier=Tier.PRIMER, type=CooperativeType.KONSUMEN, scope=Scope.KABUPATEN_KOTA,
            province=province(),
        )  # fmt: skip
        return registry_services.cooperative_register(user=user, cooperative=cooperative).slug

    outcomes = race(*(lambda user=user: register(user) for user in users))

    assert not any(isinstance(outcome, Exception) for outcome in outcomes), outcomes
    assert len(set(outcomes)) == 2
    assert Cooperative.objects.filter(name=name).count() == 2


@pytest.mark.parametrize("number", range(ROUNDS))
def test_two_curators_deciding_one_representation_at_once_one_wins(number, curator_user):
    representation = RepresentationFactory(
        cooperative=CooperativeFactory(name=f"Koperasi Wakil {number}"), state=RepresentationState.REQUESTED
    )
    other_curator = curator()

    outcomes = race(
        lambda: registry_services.representation_decide(curator=curator_user, pk=representation.pk, decision="approve"),
        lambda: registry_services.representation_decide(curator=other_curator, pk=representation.pk, decision="refuse"),
    )

    winner, codes = one_winner(outcomes)
    representation = Representation.objects.get(pk=representation.pk)
    assert representation.state == [RepresentationState.APPROVED, RepresentationState.REVOKED][winner]
    assert representation.decided_by == [curator_user, other_curator][winner]
    assert codes == ["stale"]


@pytest.mark.parametrize("number", range(ROUNDS))
def test_a_curators_edit_and_an_officials_proposed_change_at_once_one_wins(number, curator_user):
    cooperative = CooperativeFactory(
        name=f"Koperasi Sunting {number}", regency="Kabupaten Bogor", phone="+62 21 111111"
    )  # verified: the official's change waits for a curator as a pending revision
    official = official_of(cooperative)
    version = cooperative.version

    def curators_edit():
        # What the admin's save_model does with the change form the curator opened at `version`.
        edited = Cooperative.objects.get(pk=cooperative.pk)
        edited.regency = "Kota Bandung"
        return curator_save(curator=curator_user, record=edited, fields=["regency"], version=version)

    def officials_change():
        edited = Cooperative.objects.get(pk=cooperative.pk)
        edited.phone = "+62 21 999999"
        return registry_services.cooperative_update(user=official, cooperative=edited, sectors=[], version=version)

    outcomes = race(curators_edit, officials_change)

    winner, codes = one_winner(outcomes)
    cooperative.refresh_from_db()
    revisions = Revision.objects.filter(object_id=cooperative.pk, content_type__model="cooperative")
    if winner == 0:  # the curator's values, and no change waits: the official's was of a version gone
        assert (cooperative.regency, cooperative.phone) == ("Kota Bandung", "+62 21 111111")
        assert not revisions.exists()
    else:  # the official's change waits beside the verified values; the curator's edit is refused
        assert outcomes[1] == registry_services.PROPOSED
        assert (cooperative.regency, cooperative.phone) == ("Kabupaten Bogor", "+62 21 111111")
        assert list(revisions.values_list("changes", "base_version")) == [({"phone": "+62 21 999999"}, version + 1)]
    assert (cooperative.version, cooperative.verification) == (version + 1, Verification.VERIFIED)
    assert codes == ["stale"]


def verified_with_change(number, curator_user, **changes):
    """A verified partnership of A and B (B confirmed) whose initiator proposed `changes`."""
    partnership, user_a, user_b, party_b = registered_partnership(number)
    partnership_services.party_confirm(user=user_b, party_id=party_b.pk)
    partnership_services.partnership_verify(curator=curator_user, pk=partnership.pk)
    propose_change(user_a, partnership.pk, **changes)
    revision = Revision.objects.get(object_id=partnership.pk, state=RevisionState.PENDING)
    return Partnership.objects.get(pk=partnership.pk), user_a, user_b, revision


def propose_change(user, pk, version=None, **changes):
    edited = Partnership.objects.get(pk=pk)
    for name, value in changes.items():
        setattr(edited, name, value)
    return partnership_services.partnership_update(
        user=user, partnership=edited, parties=list(edited.parties.all()),
        objectives=[], fields=[], version=version or edited.version,
    )  # fmt: skip


@pytest.mark.parametrize("number", range(ROUNDS))
def test_publishing_a_change_and_the_initiator_replacing_it_at_once_one_wins(number, curator_user):
    partnership, user_a, _user_b, revision = verified_with_change(number, curator_user, description="Ejaan diperbaiki.")
    version = partnership.version

    outcomes = race(
        lambda: revision_verify(curator=curator_user, pk=revision.pk, seen=revision.base_version),
        lambda: propose_change(user_a, partnership.pk, version=version, description="Ejaan diperbaiki lagi."),
    )

    winner, codes = one_winner(outcomes)
    stored = Partnership.objects.get(pk=partnership.pk)
    revision.refresh_from_db()
    if winner == 0:  # published what the curator read; the replacement of it is refused
        assert (stored.description, revision.state) == ("Ejaan diperbaiki.", RevisionState.VERIFIED)
    else:  # replaced; the curator did not read the new one, so nothing is published
        assert stored.description != "Ejaan diperbaiki lagi."
        assert (revision.state, revision.changes["description"]) == (RevisionState.PENDING, "Ejaan diperbaiki lagi.")
    assert stored.verification == Verification.VERIFIED
    assert codes == ["stale"]


@pytest.mark.parametrize("number", range(ROUNDS))
def test_a_confirmation_never_holds_for_a_substance_replaced_at_the_same_moment(number, curator_user):
    partnership, user_a, user_b, revision = verified_with_change(number, curator_user, title=f"Judul baru {number}")
    answer = ChangeAnswer.objects.get(revision=revision)
    version = partnership.version

    outcomes = race(
        lambda: partnership_services.change_confirm(user=user_b, answer_id=answer.pk, version=version),
        lambda: propose_change(user_a, partnership.pk, version=version, title=f"Judul lain {number}"),
    )

    # Whichever came first, the other party's answer stands for the title now proposed
    # only if given to it: the confirmation of the earlier title is never kept.
    assert not isinstance(outcomes[1], Exception), outcomes
    answer.refresh_from_db()
    revision.refresh_from_db()
    assert revision.changes["title"] == f"Judul lain {number}"
    assert answer.confirmation == Confirmation.PENDING
    if isinstance(outcomes[0], Exception):
        assert outcomes[0].code == "stale"


@pytest.mark.parametrize("number", range(ROUNDS))
@pytest.mark.parametrize("version_row", ["kept", "missing"])
def test_writers_changing_the_same_pages_in_opposite_orders_both_commit(number, version_row):
    """Page versions (kopnet.models.PageVersion) are changed at commit, row by row:
    two writers reaching the same pages in opposite orders would deadlock without
    the commit turn (kopnet_commit_turn(): the data version's row, then an advisory
    lock, which holds where the row is missing, as after a test emptied the tables)."""
    from django.db import transaction

    from kopnet.models import DataVersion, PageVersion
    from tests.factories import PartnershipFactory

    if version_row == "missing":
        DataVersion.objects.filter(id=1).delete()

    first, second = CooperativeFactory(), CooperativeFactory()
    one = PartnershipFactory(initiator=first, parties=[first, second])
    other = PartnershipFactory(initiator=second, parties=[second, first])
    before = dict(PageVersion.objects.values_list("key", "token"))
    ready = threading.Barrier(2)

    def write(cooperative, partnership):
        def action():
            with transaction.atomic():
                Cooperative.objects.filter(pk=cooperative.pk).update(phone="0812 0000 1111")
                Partnership.objects.filter(pk=partnership.pk).update(title=f"Judul {cooperative.pk}")
                ready.wait(timeout=10)  # both commit at once, each bumping the other's pages last
            return "committed"

        return action

    assert race(write(first, other), write(second, one)) == ["committed", "committed"]
    after = dict(PageVersion.objects.values_list("key", "token"))
    for key in (f"c{first.pk}", f"c{second.pk}", f"k{one.pk}", f"k{other.pk}"):
        assert after[key] != before.get(key)


@pytest.mark.parametrize("number", range(ROUNDS))
def test_a_membership_written_while_its_member_is_rejected_leaves_the_member_rows_exact(number, curator_user):
    # registry/migrations/0018_member_rows.py: the membership's trigger takes the
    # member FOR SHARE before it reads it, so it waits for the rejection and reads it;
    # without that it read the member as verified and kept a row the rejection's own
    # trigger had already cleared. The rejection holds its lock a while to make the
    # window wide; the membership is written by hand (no service locks it here).
    federation = CooperativeFactory(name=f"Puskop Balapan {number}", tier=Tier.SEKUNDER)
    member = CooperativeFactory(name=f"Koperasi Anggota Balapan {number}")

    def reject():
        with transaction.atomic():
            registry_services.cooperative_reject(curator=curator_user, pk=member.pk, reason="Ganda.")
            time.sleep(0.3)

    def join():
        time.sleep(0.1)
        Membership.objects.create(federation=federation, member=member, start_date=date(2025, 1, 2))

    outcomes = race(reject, join)

    assert [outcome for outcome in outcomes if isinstance(outcome, Exception)] == []
    assert Cooperative.objects.get(pk=member.pk).verification == Verification.REJECTED
    assert Membership.objects.filter(federation=federation, member=member).exists()
    assert kept_rows() == fresh_rows()
    assert (federation.pk, member.pk, member.name) not in kept_rows()


@pytest.mark.parametrize("number", range(ROUNDS))
def test_two_curators_sending_a_failed_message_again_at_once_queue_it_once(number, settings):
    settings.EMAIL_BACKEND = "kopnet.mail.QueueBackend"
    from django.core import mail as django_mail

    from kopnet import mail as queue
    from kopnet.models import OutboxMessage

    django_mail.send_mail(f"Pesan {number}", "Isi", None, ["pengurus@example.org"])
    OutboxMessage.objects.update(failed_at=timezone.now(), attempts=queue.MAX_ATTEMPTS)
    pk = OutboxMessage.objects.get().pk

    outcomes = race(lambda: queue.send_again([pk]), lambda: queue.send_again([pk]))

    assert sorted(outcomes) == [0, 1]
    assert OutboxMessage.objects.filter(pk=pk, failed_at__isnull=True, attempts=0).count() == 1


def waiting_proposal(number):
    """A primary cooperative's proposal to join a secondary one, with the official of each."""
    member = CooperativeFactory(name=f"Koperasi Usul {number}")
    federation = CooperativeFactory(
        name=f"Puskop Usul {number}", tier=Tier.SEKUNDER, scope=Scope.PROVINSI, individual_members=None
    )
    member_official, federation_official = official_of(member), official_of(federation)
    proposal = registry_services.proposal_make(
        user=member_official, member_id=member.pk, federation_id=federation.pk, start_date=date(2022, 5, 1)
    )
    return proposal, member_official, federation_official


@pytest.mark.parametrize("number", range(ROUNDS))
def test_a_federation_confirming_as_the_member_withdraws_one_wins(number):
    proposal, member_official, federation_official = waiting_proposal(number)

    outcomes = race(
        lambda: registry_services.proposal_confirm(user=federation_official, pk=proposal.pk),
        lambda: registry_services.proposal_withdraw(user=member_official, pk=proposal.pk),
    )

    winner, codes = one_winner(outcomes)
    proposal.refresh_from_db()
    assert proposal.state == [ProposalState.CONFIRMED, ProposalState.WITHDRAWN][winner]
    recorded = Membership.objects.filter(member_id=proposal.member_id, federation_id=proposal.federation_id)
    assert recorded.count() == [1, 0][winner]
    assert codes == ["stale"]


@pytest.mark.parametrize("number", range(ROUNDS))
def test_a_federation_confirming_as_a_curator_refuses_one_wins(number, curator_user):
    proposal, _member_official, federation_official = waiting_proposal(number)

    outcomes = race(
        lambda: registry_services.proposal_confirm(user=federation_official, pk=proposal.pk),
        lambda: registry_services.proposal_refuse(user=curator_user, pk=proposal.pk, reason="Bukan anggota"),
    )

    winner, codes = one_winner(outcomes)
    proposal.refresh_from_db()
    assert proposal.state == [ProposalState.CONFIRMED, ProposalState.REFUSED][winner]
    assert Membership.objects.filter(member_id=proposal.member_id).count() == [1, 0][winner]
    assert codes == ["stale"]


@pytest.mark.parametrize("number", range(ROUNDS))
def test_two_officials_proposing_the_same_membership_at_once_one_wins(number):
    proposal, member_official, _federation_official = waiting_proposal(number)
    registry_services.proposal_withdraw(user=member_official, pk=proposal.pk)
    colleague = official_of(proposal.member)

    def propose(user):
        return lambda: registry_services.proposal_make(
            user=user, member_id=proposal.member_id, federation_id=proposal.federation_id, start_date=date(2022, 5, 1)
        )

    outcomes = race(propose(member_official), propose(colleague))

    one_winner(outcomes)
    assert proposal.member.federation_proposals.filter(state=ProposalState.PROPOSED).count() == 1


@pytest.mark.parametrize("number", range(ROUNDS))
def test_a_confirmation_and_a_curators_membership_at_once_record_one(number, curator_user):
    proposal, _member_official, federation_official = waiting_proposal(number)

    outcomes = race(
        lambda: registry_services.proposal_confirm(user=federation_official, pk=proposal.pk),
        lambda: registry_services.membership_save(
            user=curator_user,
            membership=Membership(member_id=proposal.member_id, federation_id=proposal.federation_id, start_date=date(2020, 1, 1)),
        ),
    )

    one_winner(outcomes)
    assert Membership.objects.filter(member_id=proposal.member_id, end_date__isnull=True).count() == 1


@pytest.mark.parametrize("number", range(ROUNDS))
def test_two_curators_merging_a_pair_each_into_the_other_one_wins(number, curator_user):
    first = CooperativeFactory(name=f"Koperasi Kembar {number}")
    second = CooperativeFactory(name=f"Koperasi Kembar {number} Ganda")
    other_curator = curator()

    def merge(who, survivor, merged):
        return lambda: registry_services.record_merge(curator=who, model=Cooperative, survivor_pk=survivor.pk, merged_pk=merged.pk)

    outcomes = race(merge(curator_user, first, second), merge(other_curator, second, first))

    winner, codes = one_winner(outcomes)
    survivor, merged = [(first, second), (second, first)][winner]
    assert Cooperative.objects.get(pk=merged.pk).merged_into_id == survivor.pk
    assert Cooperative.objects.get(pk=survivor.pk).merged_into_id is None
    assert codes == ["stale"]


@pytest.mark.parametrize("number", range(ROUNDS))
def test_a_duplicate_merged_into_two_survivors_at_once_goes_to_one(number, curator_user):
    duplicate = CooperativeFactory(name=f"Koperasi Rangkap {number}")
    partner = PartnerFactory(name=f"PT Rangkap {number}")
    partnership = PartnershipFactory(initiator=duplicate, parties=[duplicate, partner])
    survivors = [CooperativeFactory(name=f"Koperasi Asli {number} {side}") for side in "AB"]

    outcomes = race(
        *(
            lambda survivor=survivor: registry_services.record_merge(
                curator=curator_user, model=Cooperative, survivor_pk=survivor.pk, merged_pk=duplicate.pk
            )
            for survivor in survivors
        )
    )

    winner, codes = one_winner(outcomes)
    assert Cooperative.objects.get(pk=duplicate.pk).merged_into_id == survivors[winner].pk
    # Its party went to the winner alone.
    assert list(PartnershipParty.objects.filter(partnership=partnership, partner__isnull=True).values_list("cooperative_id", flat=True)) == [survivors[winner].pk]
    assert codes == ["stale"]


@pytest.mark.parametrize("number", range(ROUNDS))
def test_an_owner_and_a_curator_revoking_one_token_at_once_one_wins(number, curator_user):
    owner = UserFactory(username=f"pemilik_token_{number}")
    token, _key = tokens.token_create(user=owner, name="Tim data")

    outcomes = race(
        lambda: tokens.token_revoke(user=owner, token_id=token.pk),
        lambda: tokens.token_revoke(user=curator_user, token_id=token.pk),
    )

    winner, codes = one_winner(outcomes)
    assert ApiToken.objects.get(pk=token.pk).revoked_by == [owner, curator_user][winner]
    assert codes == ["revoked"]


@pytest.mark.parametrize("number", range(ROUNDS))
def test_two_windows_confirming_one_second_factor_at_once_one_wins(number):
    """The same code typed in two windows of the set-up page (kopnet.two_factor)."""
    user = UserFactory(username=f"kurator_2fa_{number}", is_staff=True)
    device = two_factor.pending_device(user)

    outcomes = race(lambda: two_factor.confirm(user, device), lambda: two_factor.confirm(user, device))

    _winner, codes = one_winner(outcomes)
    assert codes == ["set_up"]
    assert list(TOTPDevice.objects.filter(user=user).values_list("pk", "confirmed")) == [(device.pk, True)]


@pytest.mark.parametrize("number", range(ROUNDS))
def test_two_first_visits_of_the_set_up_page_at_once_make_one_secret(number):
    user = UserFactory(username=f"kurator_baru_{number}", is_staff=True)

    first, second = race(lambda: two_factor.pending_device(user), lambda: two_factor.pending_device(user))

    assert first.pk == second.pk and first.bin_key == second.bin_key
    assert TOTPDevice.objects.filter(user=user).count() == 1


@pytest.mark.parametrize("number", range(ROUNDS))
def test_a_partnership_registered_naming_a_duplicate_while_it_is_merged_ends_on_the_survivor(number, curator_user):
    """The official filled in the form before the merge: either the merge waits for
    the registration and moves its party, or the registration reads the merge and is
    refused in words. Never a party left on the emptied duplicate."""
    coop_a = CooperativeFactory(name=f"Koperasi Pendaftar {number}")
    duplicate = CooperativeFactory(name=f"Koperasi Rangkap Daftar {number}")
    survivor = CooperativeFactory(name=f"Koperasi Tetap {number}")
    official = official_of(coop_a)

    def register():
        return partnership_services.partnership_register(
            user=official,
            partnership=Partnership(
                title=f"Kerjasama rangkap {number}", start_date=date(2026, 1, 15),
                direction=Direction.HORIZONTAL, initiator=coop_a,
            ),
            parties=[PartnershipParty(cooperative=coop_a), PartnershipParty(cooperative_id=duplicate.pk)],
        )  # fmt: skip

    outcomes = race(
        register,
        lambda: registry_services.record_merge(
            curator=curator_user, model=Cooperative, survivor_pk=survivor.pk, merged_pk=duplicate.pk
        ),
    )

    assert not isinstance(outcomes[1], Exception), outcomes[1]  # the merge always goes through
    assert Cooperative.objects.get(pk=duplicate.pk).merged_into_id == survivor.pk
    assert not PartnershipParty.objects.filter(cooperative=duplicate).exists()
    if isinstance(outcomes[0], Exception):
        assert isinstance(outcomes[0], ValidationError) and outcomes[0].code == "merged"
    else:
        assert outcomes[0].parties.filter(cooperative=survivor).exists()


@pytest.mark.parametrize("number", range(ROUNDS))
def test_two_administrators_adding_a_confirmed_device_at_once_one_wins(number):
    """The admin's device form (kopnet.admin.SecondFactorForm), saved in one transaction
    as the admin's change form saves: the second sees the first's device, in words."""
    user = UserFactory(username=f"kurator_admin_2fa_{number}", is_staff=True)
    form_class = modelform_factory(TOTPDevice, form=SecondFactorForm, fields=["user", "name", "confirmed"])

    def add():
        with transaction.atomic():
            form = form_class({"user": user.pk, "name": "Admin", "confirmed": "on"})
            if not form.is_valid():
                raise ValidationError(form.non_field_errors()[0], code="set_up")
            return form.save()

    _winner, codes = one_winner(race(add, add))
    assert codes == ["set_up"]
    assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1
