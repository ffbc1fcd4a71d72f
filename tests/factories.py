"""factory_boy factories for the registry: valid, verified records by default."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from kopnet.models import Verification, VerifiedEmail
from kopnet.permissions import CURATOR_GROUP
from registry.models import (
    Cooperative,
    CooperativeType,
    Membership,
    Partner,
    PartnerKind,
    Province,
    Representation,
    RepresentationState,
    Scope,
    Sector,
    Tier,
)

PASSWORD = "test-password-123"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(user, create, extracted, **kwargs):
        if create:
            user.save()

    @factory.post_generation
    def email_verified(user, create, extracted, **kwargs):
        # An account that has proven its address, as every account before sign-up
        # asked for it; UserFactory(email_verified=False) for a new, unproven one.
        if create and extracted is not False:
            VerifiedEmail.mark(user)


class CuratorFactory(UserFactory):
    is_staff = True

    @factory.post_generation
    def dekopin(user, create, extracted, **kwargs):
        if create:
            user.groups.add(Group.objects.get(name=CURATOR_GROUP))


def province(code="32"):
    # The migrations load all 38; a transactional test (races, browser) ends by
    # emptying every table, so the next one may have to put its province back.
    return Province.objects.get_or_create(code=code, defaults={"name": f"Provinsi {code}"})[0]


class CooperativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cooperative
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Koperasi Contoh {n:04d}")
    tier = Tier.PRIMER
    type = CooperativeType.SERBA_USAHA
    country = "ID"
    province = factory.LazyFunction(province)
    scope = Scope.KABUPATEN_KOTA
    verification = Verification.VERIFIED
    individual_members = factory.LazyAttribute(lambda coop: 100 if coop.tier == Tier.PRIMER else None)

    @factory.post_generation
    def sectors(coop, create, extracted, **kwargs):
        if create and extracted:
            coop.sectors.set(extracted)


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"PT Mitra Contoh {n:04d}")
    kind = PartnerKind.SWASTA
    country = "ID"
    province = factory.LazyFunction(province)
    verification = Verification.VERIFIED


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    member = factory.SubFactory(CooperativeFactory)
    federation = factory.SubFactory(CooperativeFactory, tier=Tier.SEKUNDER, scope=Scope.PROVINSI)
    start_date = factory.Faker("date_between", start_date="-10y", end_date="-1y")


class RepresentationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Representation

    user = factory.SubFactory(UserFactory)
    cooperative = factory.SubFactory(CooperativeFactory)
    state = RepresentationState.APPROVED


def sector(slug="pertanian"):
    return Sector.objects.get(slug=slug)


# --- partnerships -----------------------------------------------------------


class PartnershipFactory(factory.django.DjangoModelFactory):
    """A verified horizontal partnership between two cooperatives (pass `parties`
    as a list of cooperatives/partners to choose them; the first is the initiator)."""

    class Meta:
        model = "partnerships.Partnership"
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Kerjasama Contoh {n:04d}")
    direction = "horizontal"
    start_date = factory.Faker("date_between", start_date="-5y", end_date="-1d")
    initiator = factory.SubFactory(CooperativeFactory)
    verification = Verification.VERIFIED

    @factory.post_generation
    def parties(partnership, create, extracted, **kwargs):
        if not create:
            return
        organisations = list(extracted) if extracted else [partnership.initiator, CooperativeFactory()]
        if partnership.initiator not in organisations:
            organisations.insert(0, partnership.initiator)
        for organisation in organisations:
            PartyFactory(partnership=partnership, organisation=organisation)


class PartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "partnerships.PartnershipParty"
        exclude = ["organisation"]

    organisation = None
    cooperative = factory.LazyAttribute(
        lambda party: party.organisation if isinstance(party.organisation, Cooperative) else None
    )
    partner = factory.LazyAttribute(
        lambda party: party.organisation if isinstance(party.organisation, Partner) else None
    )
    role = factory.LazyAttribute(
        lambda party: "initiator" if party.organisation == party.partnership.initiator else "member"
    )
    confirmation = "confirmed"
