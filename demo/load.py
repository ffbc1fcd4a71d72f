"""Loading the demo: the plans of demo/registry.py and demo/partnerships.py, written
through the models' rules.

Loading is idempotent: records are found by their stable slug (pairs of slugs for
memberships, usernames for users, references for partnerships) and only missing
ones are created. Existing records are never changed, so what a user edited
survives a second run. Every record but the users gets one history row with the reason
"seed_demo".

The registry's few hundred records are saved one by one, each after a complete
full_clean(): the demo proves the registry's rules.

Partnerships are inserted in bulk, each checked as a registration is: the party
rules of the services (check_parties), the category and international flag from
the model's derive_from_parties (apply_derived), then full_clean() of the
partnership and each party. Their constraints are left to the database, which
enforces them on insert: checked in Python as well (a query each, some 30,000
for the 1,200 partnerships and their parties), they tripled the seed's time. The
uniqueness of the references is checked in one query; links to records just read
from the database are not looked up again. Many-to-many links get their history
rows too. The reference sequence of the demo's year is moved past the highest
demo reference, so that registrations never collide with one.
"""

from collections import Counter
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.utils import timezone

from kopnet.models import VerifiedEmail

from demo import partnerships as partnership_plan
from demo.partnerships import COOP, PARTNER, REFERENCE_YEAR
from demo.registry import DEMO_PASSWORD, DEMO_USERS, OFFICIAL_COOPERATIVES, SEED
from demo.registry import Generator as RegistryGenerator
from kopnet.models import Verification
from kopnet.permissions import CURATOR_GROUP
from partnerships.models import (
    Confirmation,
    CooperationField,
    Objective,
    Partnership,
    PartnershipParty,
    ReferenceSequence,
)
from partnerships.services import apply_derived, check_parties
from registry.models import (
    TIER_RANK,
    Cooperative,
    Membership,
    Partner,
    Province,
    Representation,
    RepresentationState,
    Sector,
)
from registry.services import regencies_match

CHANGE_REASON = "seed_demo"


def load_demo(seed=SEED):
    """Load the demo registry and its partnerships; returns both loaders (`created`, `problems`)."""
    registry = RegistryLoader(RegistryGenerator(seed).build()).load()
    specs = partnership_plan.plan(registry.plan, seed)
    partnerships = PartnershipLoader(specs, registry.users_by_name, registry.curator).load()
    # Where the places are loaded (make run: loadplaces first), the regencies typed
    # in the plan get their codes, as an existing registry's do.
    regencies_match()
    return registry, partnerships


def summary():
    """One line on what the registry holds now."""
    cooperatives = Cooperative.objects.all()
    partnerships = Partnership.objects.all()
    return (
        f"{cooperatives.count()} cooperatives in "
        f"{cooperatives.exclude(province=None).values('province').distinct().count()} provinces, "
        f"{Membership.objects.count()} memberships, {Partner.objects.count()} partners, "
        f"{get_user_model().objects.filter(username__in=DEMO_USERS).count()} demo users, "
        f"{partnerships.count()} partnerships ({partnerships.verified().count()} verified)"
    )


# --- The registry ---------------------------------------------------------------------


class RegistryLoader:
    """Creates what the plan holds and the database lacks; changes nothing that exists."""

    def __init__(self, plan):
        self.plan = plan
        self.created = Counter()
        self.problems = []
        self.now = timezone.now()

    def load(self):
        self.users()
        self.provinces = {province.code: province for province in Province.objects.all()}
        self.sectors = {sector.slug: sector for sector in Sector.objects.all()}
        self.cooperatives()
        self.memberships()
        self.partners()
        self.representations()
        return self

    def users(self):
        User = get_user_model()
        self.users_by_name = {user.username: user for user in User.objects.filter(username__in=DEMO_USERS)}
        password = None
        for username, flags in DEMO_USERS.items():
            if username in self.users_by_name:
                continue
            # One hash for every demo user (the password is public anyway): each
            # hash costs almost half a second.
            password = password or make_password(DEMO_PASSWORD)
            user = User(username=username, email=f"{username}@kopnet.example", password=password, **flags)
            if self.save(user, username):
                self.users_by_name[username] = user
                VerifiedEmail.mark(user)  # the demo's addresses count as proven
                if username == "kurator":
                    user.groups.add(Group.objects.get(name=CURATOR_GROUP))
        self.curator = self.users_by_name.get("kurator")

    def verification(self, spec):
        """Who verified or rejected a record, and when: the demo curator, at load time."""
        if spec.get("verification", Verification.PENDING) == Verification.PENDING:
            return {}
        return {"verification_by": self.curator, "verification_at": self.now}

    def cooperatives(self):
        existing = set(Cooperative.objects.values_list("slug", flat=True))
        for spec in self.plan.cooperatives:
            if spec["slug"] in existing:
                continue
            fields = {key: value for key, value in spec.items() if key not in {"sectors", "province"}}
            cooperative = Cooperative(
                province=self.provinces.get(spec.get("province")), **fields, **self.verification(spec)
            )
            if self.save(cooperative, spec["slug"]):
                cooperative.sectors.add(*[self.sectors[slug] for slug in spec.get("sectors", []) if slug in self.sectors])

    def memberships(self):
        slugs = {slug for pair in self.plan.memberships for slug in pair[:2]}
        ids = dict(Cooperative.objects.filter(slug__in=slugs).values_list("slug", "pk"))
        # Any membership of a pair, ended or not: one a user ended stays ended.
        existing = set(Membership.objects.values_list("member_id", "federation_id"))
        # Bottom-up: the cycle check walks up from the federation, and finds
        # nothing to walk while the levels above are not linked yet.
        tiers = {spec["slug"]: TIER_RANK[spec["tier"]] for spec in self.plan.cooperatives}
        for member, federation, start, end in sorted(self.plan.memberships, key=lambda row: tiers[row[0]]):
            pair = (ids.get(member), ids.get(federation))
            if None in pair or pair in existing:
                continue
            membership = Membership(member_id=pair[0], federation_id=pair[1], start_date=start, end_date=end)
            self.save(membership, f"{member} → {federation}")

    def partners(self):
        existing = set(Partner.objects.values_list("slug", flat=True))
        for spec in self.plan.partners:
            if spec["slug"] in existing:
                continue
            fields = {key: value for key, value in spec.items() if key != "province"}
            partner = Partner(province=self.provinces.get(spec["province"]), **fields, **self.verification(spec))
            self.save(partner, spec["slug"])

    def representations(self):
        for username, spec in OFFICIAL_COOPERATIVES.items():
            user = self.users_by_name.get(username)
            cooperative = Cooperative.objects.filter(slug=spec["slug"]).first()
            if not (user and cooperative) or Representation.objects.filter(user=user, cooperative=cooperative).exists():
                continue
            representation = Representation(
                user=user,
                cooperative=cooperative,
                state=RepresentationState.APPROVED,
                decided_by=self.curator,
                decided_at=self.now,
            )
            self.save(representation, f"{username} → {spec['slug']}")

    def save(self, instance, label):
        """full_clean() then save(); a record the rules refuse is reported, not stored.

        Every rule is checked, the constraints too (a query each, a dozen per
        cooperative: the registry is a few hundred records, so it costs seconds).
        """
        try:
            instance.full_clean()
        except ValidationError as error:
            self.problems.append(f"{type(instance).__name__} {label}: {'; '.join(error.messages)}")
            return False
        instance._change_reason = CHANGE_REASON
        instance.save()
        self.created[type(instance).__name__] += 1
        return True


# --- The partnerships -----------------------------------------------------------------


PARTNERSHIP_LINKS = ["initiator", "created_by", "verification_by", "new_entity_cooperative", "new_entity_partner"]
PARTY_LINKS = ["partnership", "cooperative", "partner", "confirmed_by"]


@dataclass
class Built:
    partnership: Partnership
    parties: list
    objectives: list
    fields: list


class PartnershipLoader:
    """Creates the partnerships the database lacks, in bulk; changes nothing that exists."""

    def __init__(self, specs, users, curator):
        self.specs = specs
        self.users = users
        self.curator = curator
        self.created = Counter()
        self.problems = []
        self.now = timezone.now()

    def load(self):
        references = [spec.reference for spec in self.specs]
        existing = set(Partnership.objects.filter(reference__in=references).values_list("reference", flat=True))
        todo = [spec for spec in self.specs if spec.reference not in existing]
        if todo:
            self.cooperatives = self.by_slug(Cooperative, todo, COOP, extra=lambda s: [s.initiator, s.new_entity_cooperative])
            self.partners = self.by_slug(Partner, todo, PARTNER, extra=lambda s: [s.new_entity_partner])
            self.objectives = {term.slug: term for term in Objective.objects.all()}
            self.fields = {term.slug: term for term in CooperationField.objects.all()}
            built = [b for b in (self.build(spec) for spec in todo) if b is not None]
            self.insert(built)
        self.advance_sequence(references)
        return self

    @staticmethod
    def by_slug(model, specs, kind, extra=lambda spec: []):
        slugs = {party.slug for spec in specs for party in spec.parties if party.kind == kind}
        slugs |= {slug for spec in specs for slug in extra(spec) if slug}
        return {obj.slug: obj for obj in model.objects.filter(slug__in=slugs)}

    def build(self, spec):
        """The unsaved partnership and parties of a spec, checked as the services check them."""
        found = {COOP: self.cooperatives, PARTNER: self.partners}
        missing = [party.slug for party in spec.parties if party.slug not in found[party.kind]]
        missing += [slug for slug in (spec.initiator, spec.new_entity_cooperative) if slug and slug not in self.cooperatives]
        missing += [slug for slug in [spec.new_entity_partner] if slug and slug not in self.partners]
        if missing:
            self.problems.append(f"Partnership {spec.reference}: missing {', '.join(sorted(set(missing)))}")
            return None
        decided = spec.verification != Verification.PENDING
        partnership = Partnership(
            reference=spec.reference, title=spec.title, description=spec.description, direction=spec.direction,
            status=spec.status, start_date=spec.start_date, end_date=spec.end_date,
            initiator=self.cooperatives[spec.initiator], created_by=self.users.get(spec.created_by),
            new_entity=spec.new_entity, new_entity_name=spec.new_entity_name, new_entity_kind=spec.new_entity_kind,
            new_entity_cooperative=self.cooperatives.get(spec.new_entity_cooperative),
            new_entity_partner=self.partners.get(spec.new_entity_partner),
            value=spec.value, currency=spec.currency, verification=spec.verification,
            verification_note=spec.verification_note, verification_override=spec.verification_override,
            verification_by=self.curator if decided else None, verification_at=self.now if decided else None,
        )  # fmt: skip
        parties = [
            PartnershipParty(
                cooperative=self.cooperatives[party.slug] if party.kind == COOP else None,
                partner=self.partners[party.slug] if party.kind == PARTNER else None,
                role=party.role, confirmation=party.confirmation, decline_reason=party.decline_reason,
                confirmed_by=self.users.get(party.confirmed_by),
                confirmed_at=self.now if party.confirmation != Confirmation.PENDING else None,
            )  # fmt: skip
            for party in spec.parties
        ]
        try:
            check_parties(parties, partnership.initiator)
            apply_derived(partnership, parties)  # derive_from_parties(), as a registration does
            # The related records were read from the database a moment ago: checking
            # that each still exists would cost a query per link and prove nothing.
            partnership.full_clean(exclude=PARTNERSHIP_LINKS, validate_unique=False, validate_constraints=False)
            for party in parties:
                party.full_clean(exclude=PARTY_LINKS, validate_constraints=False)
        except ValidationError as error:
            self.problems.append(f"Partnership {spec.reference}: {'; '.join(error.messages)}")
            return None
        # The history names who registered it, as a registration through the site would.
        partnership._history_user = partnership.created_by
        partnership._change_reason = CHANGE_REASON
        objectives = [self.objectives[slug] for slug in spec.objectives if slug in self.objectives]
        fields = [self.fields[slug] for slug in spec.fields if slug in self.fields]
        return Built(partnership, parties, objectives, fields)

    def insert(self, built):
        partnerships = Partnership.objects.bulk_create([b.partnership for b in built])
        history = Partnership.history.bulk_history_create(partnerships, default_change_reason=CHANGE_REASON)
        parties = []
        for b, partnership in zip(built, partnerships):
            for party in b.parties:
                party.partnership = partnership
                party._history_user = party.confirmed_by
                parties.append(party)
        parties = PartnershipParty.objects.bulk_create(parties)
        PartnershipParty.history.bulk_history_create(parties, default_change_reason=CHANGE_REASON)
        record_of = {record.id: record for record in history}
        links = 0
        for name, target in [("objectives", "objective"), ("fields", "cooperationfield")]:
            through = getattr(Partnership, name).through
            rows = through.objects.bulk_create(
                [
                    through(partnership_id=partnership.pk, **{f"{target}_id": term.pk})
                    for b, partnership in zip(built, partnerships)
                    for term in getattr(b, name)
                ]
            )
            # The partnership's history row holds its links too, as simple_history records them.
            history_model = apps.get_model("partnerships", f"HistoricalPartnership_{name}")
            history_model.objects.bulk_create(
                [
                    history_model(
                        history=record_of[row.partnership_id], id=row.pk, partnership_id=row.partnership_id,
                        **{f"{target}_id": getattr(row, f"{target}_id")},
                    )  # fmt: skip
                    for row in rows
                ]
            )
            links += len(rows)
        self.created["Partnership"] += len(partnerships)
        self.created["PartnershipParty"] += len(parties)
        self.created["links"] += links

    @staticmethod
    def advance_sequence(references):
        """Registrations of the demo's year start after the highest demo reference."""
        highest = max(int(ref.rsplit("-", 1)[1]) for ref in references)
        sequence, _created = ReferenceSequence.objects.get_or_create(year=REFERENCE_YEAR)
        if sequence.last_number < highest:
            sequence.last_number = highest
            sequence.save(update_fields=["last_number"])
