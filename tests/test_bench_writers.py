"""bench/writers.py: the writes beside the live-registry cases, on a small seeded registry.

Each kind of write goes through its service and succeeds, in turn; the writer feeds
itself (what it registers, it confirms and verifies); it paces itself; its errors are
counted, not fatal; and what it made is deleted when it stops, so that the
benchmark's data keeps its size and seed_scale's guard.
"""

import io
import json

import pytest
from django.core.management import call_command

from bench import report, writers
from bench.scale import non_generated_records
from bench.seed_scale import Command
from kopnet.models import Revision, RevisionState, Verification
from partnerships.models import Confirmation, Partnership
from registry.models import Cooperative, Representation

COOPERATIVES, PARTNERSHIPS = 300, 60


@pytest.fixture
def seeded(db):
    call_command(
        Command(), "--cooperatives", str(COOPERATIVES), "--partnerships", str(PARTNERSHIPS),
        stdout=io.StringIO(), stderr=io.StringIO(),
    )  # fmt: skip


def test_each_kind_of_write_goes_through_its_service_in_turn_and_succeeds(seeded):
    made = writers.Writers(seed=1)
    phones = dict(Cooperative.objects.values_list("pk", "phone"))

    done = []
    for _ in range(2 * len(writers.KINDS)):
        kind = made.next_kind()
        made.write(kind)  # raises on any refusal
        done.append(kind)

    assert done == list(writers.KINDS) * 2
    # Two partnerships registered between the official's cooperatives, confirmed by
    # the other party and verified by the curator: visitors see them.
    registered = Partnership.objects.filter(created_by=made.official)
    assert registered.count() == 2
    assert set(registered.values_list("verification", flat=True)) == {Verification.VERIFIED}
    for partnership in registered:
        assert {p.confirmation for p in partnership.parties.all()} == {Confirmation.CONFIRMED}
        assert partnership.verification_by == made.curator
    # Two cooperatives registered by the official and verified by the curator.
    new = Cooperative.objects.filter(slug__startswith=writers.SLUG_PREFIX)
    assert list(new.values_list("verification", flat=True)) == [Verification.VERIFIED] * 2
    # The official's edit of a verified cooperative waits as a pending change; the
    # curator's edit is saved at once.
    assert Revision.objects.filter(proposed_by=made.official, state=RevisionState.PENDING).exists()
    changed = [pk for pk, phone in Cooperative.objects.values_list("pk", "phone") if phones.get(pk, phone) != phone]
    assert changed
    assert all(pk in made.curated for pk in changed)
    assert not (made.pending_parties or made.confirmed or made.pending_cooperatives)


def test_a_kind_whose_work_ran_out_does_what_comes_before_it(seeded):
    made = writers.Writers(seed=1)

    assert made.kind_for("party_confirm") == "partnership_register"
    assert made.kind_for("partnership_verify") == "partnership_register"
    assert made.kind_for("cooperative_verify") == "cooperative_register"
    made.pending_parties.append((1, 1))
    assert made.kind_for("partnership_verify") == "party_confirm"
    assert made.kind_for("official_edit") == "official_edit"


def test_clean_up_leaves_the_data_seed_scale_generated(seeded):
    before = (Cooperative.objects.count(), Partnership.objects.count())
    made = writers.Writers(seed=2)
    for _ in range(len(writers.KINDS) + 2):
        made.write(made.next_kind())
    assert Partnership.objects.count() > before[1]
    assert non_generated_records() > 0

    writers.clean_up()

    assert (Cooperative.objects.count(), Partnership.objects.count()) == before
    assert non_generated_records() == 0  # seed_scale may replace the data again
    assert not Representation.objects.exists()
    assert not Revision.objects.filter(proposed_by=made.official).exists()


class FakeClock:
    """time.monotonic and time.sleep for work(): sleeping moves the clock on."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


class FakeWriters:
    def __init__(self, clock, fail=(), cost=0.0):
        self.clock, self.fail, self.cost = clock, set(fail), cost
        self.turn = iter(writers.KINDS * 100)
        self.done = []

    def next_kind(self):
        return next(self.turn)

    def write(self, kind):
        self.clock.now += self.cost
        self.done.append(kind)
        if kind in self.fail:
            raise ValueError(f"{kind} refused")


@pytest.fixture
def clock(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(writers.time, "sleep", clock.sleep)
    writers.Stop.requested = False
    return clock


def test_work_makes_the_asked_rate_of_writes_over_the_duration(clock):
    fake = FakeWriters(clock, cost=0.01)
    tally = writers.Tally(10)

    seconds = writers.work(fake, tally, rate=10, duration=3, clock=clock)

    assert len(fake.done) == 30
    summary = tally.summary(seconds)
    assert summary["writes"] == 30 and summary["errors"] == 0
    assert summary["achieved_rate"] == pytest.approx(10, rel=0.05)
    assert summary["by_kind"]["official_edit"]["writes"] == 5


def test_slow_writes_lower_the_achieved_rate_instead_of_bursting(clock):
    fake = FakeWriters(clock, cost=0.5)  # each write takes five of its turns
    tally = writers.Tally(10)

    seconds = writers.work(fake, tally, rate=10, duration=5, clock=clock)

    assert tally.summary(seconds)["achieved_rate"] < 3


def test_a_refused_write_is_counted_and_shown_and_the_writers_go_on(clock):
    fake = FakeWriters(clock, fail={"party_confirm"})
    tally = writers.Tally(1)

    seconds = writers.work(fake, tally, rate=7, duration=2, clock=clock)
    summary = tally.summary(seconds)

    assert summary["errors"] == 2
    assert summary["writes"] == 12
    assert summary["by_kind"]["party_confirm"] == {"writes": 0, "errors": 2}
    assert summary["error_examples"] == ["party_confirm: ValueError: party_confirm refused"] * 2


def test_the_tally_line_is_what_the_report_reads():
    tally = writers.Tally(10)
    tally.add("curator_edit", 12.0)
    line = writers.MARKER + json.dumps(tally.summary(1.0))

    parsed = report.parse_writers_output(f"READY\n{line}\n")

    assert parsed["writes"] == 1 and parsed["rate"] == 10 and parsed["write_ms_p50"] == 12.0


def test_main_writes_until_its_duration_and_cleans_up(seeded, capsys, monkeypatch):
    before = (Cooperative.objects.count(), Partnership.objects.count())
    monkeypatch.setattr("django.setup", lambda: None)  # pytest-django set it up
    monkeypatch.setattr(writers.signal, "signal", lambda *args: None)  # Ctrl-C still stops pytest
    monkeypatch.setenv("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
    writers.Stop.requested = False

    assert writers.main(["--rate", "20", "--duration", "1"]) == 0

    out = capsys.readouterr().out
    assert out.startswith("READY\n")
    summary = report.parse_writers_output(out)
    assert summary["errors"] == 0, summary["error_examples"]
    # How many fit in the second depends on the machine (the pacing is tested with a
    # fake clock above): at least one round of every kind's first.
    assert summary["writes"] >= 1
    assert (Cooperative.objects.count(), Partnership.objects.count()) == before
