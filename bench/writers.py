"""Writers working while the benchmark reads: `python -m bench.writers --rate 10`.

A national registry is written to all day. bench/run.py starts this process beside
the server for the cases "while writers work" (bench/cases.py): it makes `--rate`
writes a second, through the same services the site's forms and the admin call,
spread evenly over the kinds of writes people make, so that every kind of cache
invalidation is exercised while wrk reads:

    official_edit          an official edits their verified cooperative's phone
                           (registry.services.cooperative_update: a pending change)
    partnership_register   an official registers a partnership between two of their
                           cooperatives (partnerships.services.partnership_register)
    curator_edit           a curator edits a verified cooperative's phone in the admin
                           (kopnet.services.curator_save: visitors see it at once)
    party_confirm          the other cooperative's official confirms that partnership
                           (partnerships.services.party_confirm)
    cooperative_register   an official registers a new cooperative (pending), with
                           the sectors of one in the same province
                           (registry.services.cooperative_register)
    partnership_verify     a curator verifies the confirmed partnership
                           (partnerships.services.partnership_verify)
    cooperative_verify     a curator verifies the registered cooperative
                           (registry.services.cooperative_verify)

Each round of KINDS registers, confirms and verifies one partnership and registers
and verifies one cooperative, so the writer feeds itself and never runs out of work
at any rate or duration. The settings and the database come from the environment, as
for manage.py (DJANGO_SETTINGS_MODULE, DATABASE_URL); mail goes to Django's dummy
backend unless EMAIL_BACKEND says otherwise (the partnership's notices are not what
is measured).

It prints READY once set up (its official and curator, their cooperatives), writes
until SIGTERM or `--duration` seconds, then prints one line, WRITERS_JSON and its
tally as JSON: writes and errors by kind, seconds, the rate it asked and achieved.
What it registered is deleted when it stops (and any leftovers when it starts), so
that the benchmark's data keeps the size seed_scale gave it: bench/run.py reseeds a
database whose counts differ, and seed_scale refuses one holding representations.
"""

import argparse
import itertools
import json
import os
import random
import signal
import sys
import time
from collections import deque

MARKER = "WRITERS_JSON "
READY = "READY"
KINDS = (
    "official_edit",
    "partnership_register",
    "curator_edit",
    "party_confirm",
    "cooperative_register",
    "partnership_verify",
    "cooperative_verify",
)
OFFICIAL = "bench-writer"
SLUG_PREFIX = "bench-writer-"
# The official acts for this many verified cooperatives (edits and partnerships
# spread over them); the curator edits any of this many.
OFFICIAL_COOPERATIVES = 40
CURATED_COOPERATIVES = 2000
SHOWN_ERRORS = 5


class Tally:
    """Writes and errors by kind, and the first few errors' text."""

    def __init__(self, rate):
        self.rate = rate
        self.by_kind = {kind: {"writes": 0, "errors": 0} for kind in KINDS}
        self.error_examples = []
        self.milliseconds = []

    def add(self, kind, milliseconds, error=None):
        self.by_kind[kind]["errors" if error else "writes"] += 1
        if error:
            if len(self.error_examples) < SHOWN_ERRORS:
                self.error_examples.append(f"{kind}: {type(error).__name__}: {error}")
        else:
            self.milliseconds.append(milliseconds)

    def summary(self, seconds):
        writes = sum(counts["writes"] for counts in self.by_kind.values())
        errors = sum(counts["errors"] for counts in self.by_kind.values())
        ordered = sorted(self.milliseconds)
        return {
            "rate": self.rate,
            "seconds": round(seconds, 3),
            "writes": writes,
            "errors": errors,
            "achieved_rate": round((writes + errors) / seconds, 3) if seconds else 0.0,
            "write_ms_p50": round(ordered[len(ordered) // 2], 1) if ordered else None,
            "write_ms_max": round(ordered[-1], 1) if ordered else None,
            "by_kind": self.by_kind,
            "error_examples": self.error_examples,
        }


class Writers:
    """The writes of KINDS, each through its service, in turn (Django set up)."""

    def __init__(self, seed=0):
        from bench.scale import ensure_curator
        from kopnet.models import Verification
        from registry.models import Cooperative

        self.rng = random.Random(seed)
        self.run = f"{os.getpid()}-{int(time.time())}"
        self.numbers = itertools.count(1)
        self.turn = itertools.cycle(KINDS)
        self.curator = ensure_curator()
        self.official = self.ensure_official()
        verified = Cooperative.objects.filter(verification=Verification.VERIFIED)
        ids = list(verified.order_by("pk").values_list("pk", flat=True))
        if len(ids) < 2:
            raise SystemExit("bench.writers: the database needs at least two verified cooperatives")
        self.official_cooperatives = self.rng.sample(ids, min(OFFICIAL_COOPERATIVES, len(ids)))
        self.curated = self.rng.sample(ids, min(CURATED_COOPERATIVES, len(ids)))
        self.represent(self.official_cooperatives)
        self.pending_parties = deque()  # (party id, partnership id) to confirm
        self.confirmed = deque()  # partnership ids to verify
        self.pending_cooperatives = deque()  # cooperative ids to verify

    @staticmethod
    def ensure_official():
        from django.contrib.auth import get_user_model

        from kopnet.models import VerifiedEmail

        official = get_user_model().objects.get_or_create(username=OFFICIAL)[0]
        VerifiedEmail.mark(official)  # an official registers cooperatives once their address is proven
        return official

    def represent(self, cooperative_ids):
        from registry.models import Representation, RepresentationState

        Representation.objects.bulk_create(
            Representation(user=self.official, cooperative_id=pk, state=RepresentationState.APPROVED)
            for pk in cooperative_ids
        )

    def kind_for(self, kind):
        """`kind`, or what must come before it when its work ran out (after an error)."""
        if kind == "party_confirm" and not self.pending_parties:
            return "partnership_register"
        if kind == "partnership_verify" and not self.confirmed:
            return "party_confirm" if self.pending_parties else "partnership_register"
        if kind == "cooperative_verify" and not self.pending_cooperatives:
            return "cooperative_register"
        return kind

    def next_kind(self):
        return self.kind_for(next(self.turn))

    def write(self, kind):
        from django.db import close_old_connections

        try:
            getattr(self, kind)()
        except Exception:
            close_old_connections()  # a connection the error broke is opened afresh
            raise

    def phone(self):
        return f"+62 21 {self.rng.randrange(10**7):07d}"

    def official_edit(self):
        from registry.models import Cooperative
        from registry.services import cooperative_update

        cooperative = Cooperative.objects.get(pk=self.rng.choice(self.official_cooperatives))
        sectors = list(cooperative.sectors.all())
        cooperative.phone = self.phone()
        cooperative_update(user=self.official, cooperative=cooperative, sectors=sectors, version=cooperative.version)

    def curator_edit(self):
        from kopnet.services import curator_save
        from registry.models import Cooperative

        cooperative = Cooperative.objects.get(pk=self.rng.choice(self.curated))
        cooperative.phone = self.phone()
        curator_save(curator=self.curator, record=cooperative, fields=["phone"], version=cooperative.version)

    def partnership_register(self):
        from django.utils import timezone

        from partnerships.models import Direction, Partnership, PartnershipParty, PartyRole
        from partnerships.services import partnership_register

        initiator, other = self.rng.sample(self.official_cooperatives, 2)
        partnership = Partnership(
            title=f"Kerjasama bench {self.run} {next(self.numbers)}",
            start_date=timezone.localdate(),
            direction=Direction.HORIZONTAL,
            initiator_id=initiator,
        )
        parties = [
            PartnershipParty(cooperative_id=initiator, role=PartyRole.MEMBER),
            PartnershipParty(cooperative_id=other, role=PartyRole.MEMBER),
        ]
        partnership = partnership_register(user=self.official, partnership=partnership, parties=parties)
        party = partnership.parties.get(cooperative_id=other)
        self.pending_parties.append((party.pk, partnership.pk))

    def party_confirm(self):
        from partnerships.models import Partnership
        from partnerships.services import party_confirm

        party_id, partnership_id = self.pending_parties.popleft()
        version = Partnership.objects.values_list("version", flat=True).get(pk=partnership_id)
        party_confirm(user=self.official, party_id=party_id, version=version)
        self.confirmed.append(partnership_id)

    def partnership_verify(self):
        from partnerships.models import Partnership
        from partnerships.services import partnership_verify

        pk = self.confirmed.popleft()
        version = Partnership.objects.values_list("version", flat=True).get(pk=pk)
        partnership_verify(curator=self.curator, pk=pk, version=version)

    def cooperative_register(self):
        from registry.models import Cooperative, CooperativeType, Scope, Tier
        from registry.services import cooperative_register

        # As the form is filled in: a province and the sectors of a cooperative there.
        template = Cooperative.objects.only("province_id").get(pk=self.rng.choice(self.curated))
        number = next(self.numbers)
        cooperative = Cooperative(
            name=f"Koperasi Bench {self.run} {number}",
            slug=f"{SLUG_PREFIX}{self.run}-{number}",
            tier=Tier.PRIMER,
            type=CooperativeType.SERBA_USAHA,
            scope=Scope.KABUPATEN_KOTA,
            province_id=template.province_id or "31",
            individual_members=25,
        )
        cooperative = cooperative_register(
            user=self.official, cooperative=cooperative, sectors=list(template.sectors.all())
        )
        self.pending_cooperatives.append(cooperative.pk)

    def cooperative_verify(self):
        from registry.models import Cooperative
        from registry.services import cooperative_verify

        pk = self.pending_cooperatives.popleft()
        version = Cooperative.objects.values_list("version", flat=True).get(pk=pk)
        cooperative_verify(curator=self.curator, pk=pk, version=version)


def clean_up():
    """Deletes what the writers registered and proposed, and their official's
    representations: the data is again what seed_scale generated (plus changed phones
    and history rows, which neither the counts nor seed_scale's guard look at)."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from kopnet.models import Revision
    from partnerships.models import Partnership
    from registry.models import Cooperative, Representation

    official = get_user_model().objects.filter(username=OFFICIAL).first()
    with transaction.atomic():
        if official is not None:
            Partnership.objects.filter(created_by=official).delete()
            Revision.objects.filter(proposed_by=official).delete()
            Representation.objects.filter(user=official).delete()
        Representation.objects.filter(cooperative__slug__startswith=SLUG_PREFIX).delete()
        Cooperative.objects.filter(slug__startswith=SLUG_PREFIX).delete()


class Stop:
    """Set by SIGTERM/SIGINT: the loop ends after the write under way."""

    requested = False

    @classmethod
    def request(cls, *_args):
        cls.requested = True


def sleep_until(moment, clock=time.monotonic):
    while not Stop.requested and (left := moment - clock()) > 0:
        time.sleep(min(left, 0.05))


def work(writers, tally, rate, duration=None, clock=time.monotonic):
    """`rate` writes a second, each at its turn; after a slow write, at most one follows
    at once (no burst to catch up). Returns the seconds it wrote for."""
    started = due = clock()
    while duration is None or due < started + duration - 1e-9:  # not one more for a rounding
        sleep_until(due, clock)
        if Stop.requested:
            break
        kind = writers.next_kind()
        began = clock()
        try:
            writers.write(kind)
        except Exception as error:  # every failed write is counted, and the first few shown
            tally.add(kind, 0, error)
        else:
            tally.add(kind, (clock() - began) * 1000)
        due = max(due + 1 / rate, clock() - 1 / rate)
    return clock() - started


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.writers", description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, required=True, help="writes a second")
    parser.add_argument("--duration", type=float, help="seconds (default: until SIGTERM)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.rate <= 0:
        parser.error("--rate must be positive")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kopnet.settings")
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend")
    signal.signal(signal.SIGTERM, Stop.request)
    signal.signal(signal.SIGINT, Stop.request)

    import django

    django.setup()
    clean_up()
    tally, seconds = Tally(args.rate), 0.0
    try:
        writers = Writers(seed=args.seed)
        print(READY, flush=True)
        seconds = work(writers, tally, args.rate, args.duration)
    finally:
        clean_up()
    print(MARKER + json.dumps(tally.summary(seconds)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
