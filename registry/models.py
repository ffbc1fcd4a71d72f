"""The registry: provinces, sectors, cooperatives, their federation memberships,
non-cooperative partners, and the officials who represent cooperatives."""

from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import connection, connections, models
from django.db.models import Count, F, Prefetch, Q, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Left, Upper
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from kopnet import policy
from kopnet.db import execute_prepared
from kopnet.models import ChoiceDisplayMixin, CleanTextMixin, CuratedTerm, OneQueryChecks, SluggedModel, VerifiableModel, Verification

INDONESIA = "ID"

nik_validator = RegexValidator(r"^[0-9]{16}$", _("NIK Koperasi is exactly 16 digits."))
phone_validator = RegexValidator(
    r"^\+?[0-9 ()\-.]{6,30}$", _("Enter a phone number: digits, spaces, +, -, ( and ) only.")
)


class Province(models.Model):
    """One of Indonesia's 38 provinces, keyed by its two-digit Kemendagri code."""

    code = models.CharField(
        _("code"),
        max_length=2,
        primary_key=True,
        validators=[RegexValidator(r"^[0-9]{2}$", _("A province code is two digits."))],
    )
    name = models.CharField(_("name"), max_length=100, unique=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{2}$"), name="province_code_two_digits"),
        ]

    def __str__(self):
        return self.name


class Sector(CuratedTerm):
    """A business sector from the curated list."""

    history = HistoricalRecords()

    class Meta(CuratedTerm.Meta):
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")


class Tier(models.TextChoices):
    PRIMER = "primer", _("Primary cooperative")
    SEKUNDER = "sekunder", _("Secondary cooperative")
    INDUK = "induk", _("National federation (induk)")
    APEX = "apex", _("Apex organisation")


# A federation takes members of its own tier or a lower one; a primer takes none.
TIER_RANK = {Tier.PRIMER: 1, Tier.SEKUNDER: 2, Tier.INDUK: 3, Tier.APEX: 4}


class CooperativeType(models.TextChoices):
    SIMPAN_PINJAM = "simpan_pinjam", _("Savings and credit")
    KONSUMEN = "konsumen", _("Consumer")
    PRODUSEN = "produsen", _("Producer")
    PEMASARAN = "pemasaran", _("Marketing")
    JASA = "jasa", _("Services")
    SERBA_USAHA = "serba_usaha", _("Multi-purpose")


class Scope(models.TextChoices):
    KABUPATEN_KOTA = "kabupaten_kota", _("Regency/city")
    PROVINSI = "provinsi", _("Province")
    NASIONAL = "nasional", _("National")
    INTERNASIONAL = "internasional", _("International")


class CooperativeStatus(models.TextChoices):
    AKTIF = "aktif", _("Active")
    TIDAK_AKTIF = "tidak_aktif", _("Inactive")
    DIBUBARKAN = "dibubarkan", _("Dissolved")


def validate_not_future(value):
    if value and value > timezone.localdate():
        raise ValidationError(_("This date is in the future."))


def located_constraint(prefix):
    """Province exactly when the country is Indonesia."""
    return models.CheckConstraint(
        condition=(Q(country=INDONESIA) & Q(province__isnull=False))
        | (~Q(country=INDONESIA) & Q(province__isnull=True)),
        name=f"{prefix}_province_iff_indonesia",
        violation_error_message=_("A province is required for Indonesia and only for Indonesia."),
    )


def merged_constraints(prefix):
    """A merged record names its successor, never itself, since when, and is no longer
    verified (so that no list, count or export of verified records holds it)."""
    return [
        models.CheckConstraint(
            condition=Q(merged_into__isnull=True, merged_at__isnull=True)
            | Q(merged_into__isnull=False, merged_at__isnull=False, verification="rejected"),
            name=f"{prefix}_merged_with_successor",
            violation_error_message=_("A merged record names its successor and when, and is not verified."),
        ),
        models.CheckConstraint(
            condition=~Q(merged_into=models.F("pk")),
            name=f"{prefix}_not_merged_into_itself",
            violation_error_message=_("A record cannot be merged into itself."),
        ),
    ]


class MergeableModel(models.Model):
    """An organisation that may turn out to be another's duplicate: a curator merges it
    into the record that stays (registry.services.record_merge); it is kept, marked
    with its successor, and its address answers with the successor's. A slug it
    leaves (a curator renames it) is kept too, and answers the same way (FormerSlug)."""

    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="merged_records",
    )
    merged_at = models.DateTimeField(_("merged at"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        record = super().from_db(db, field_names, values)
        record._stored_slug = getattr(record, "slug", None) if "slug" in field_names else None
        return record

    def save(self, *args, **kwargs):
        stored = getattr(self, "_stored_slug", None)
        super().save(*args, **kwargs)
        if stored and stored != self.slug:
            # Its former address keeps answering, with the new one (a 301).
            FormerSlug.objects.update_or_create(
                kind=self._meta.model_name, slug=stored, defaults={"record_id": self.pk}
            )
        self._stored_slug = self.slug


def clean_location(instance):
    if instance.country == INDONESIA and not instance.province_id:
        raise ValidationError({"province": _("Choose the province of an Indonesian organisation.")})
    if instance.country != INDONESIA and instance.province_id:
        raise ValidationError({"province": _("Only Indonesian organisations have a province.")})


class Place(models.Model):
    """A regency, district or village of Indonesia, keyed by its Kemendagri code
    ("32.04", "32.04.05", "32.04.05.2001"): reference data loaded from idn-area-data
    (registry/data/README.md), read by the pickers and filters, never typed."""

    code = models.CharField(_("code"), max_length=13, primary_key=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self):
        return self.name


class Regency(Place):
    """A kabupaten or kota."""

    province = models.ForeignKey(Province, verbose_name=_("province"), on_delete=models.PROTECT, related_name="regencies")

    class Meta(Place.Meta):
        verbose_name = _("regency/city")
        verbose_name_plural = _("regencies/cities")
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{2}\.[0-9]{2}$"), name="regency_code_form"),
        ]


class District(Place):
    """A kecamatan (distrik in Papua)."""

    regency = models.ForeignKey(Regency, verbose_name=_("regency/city"), on_delete=models.PROTECT, related_name="districts")

    class Meta(Place.Meta):
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{2}\.[0-9]{2}\.[0-9]{2}$"), name="district_code_form"),
        ]


class Village(Place):
    """A desa or kelurahan."""

    district = models.ForeignKey(District, verbose_name=_("district"), on_delete=models.PROTECT, related_name="villages")

    class Meta(Place.Meta):
        verbose_name = _("village")
        verbose_name_plural = _("villages")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]{4}$"), name="village_code_form"
            ),
        ]


class PlacedModel(models.Model):
    """An organisation in Indonesia placed in its regency/city, and if known its
    district and village, by their Kemendagri codes. Each code begins with the code
    above it ("32" > "32.04" > "32.04.05" > "32.04.05.2001"), so that the database
    holds the levels together (placed_constraints) without a join."""

    regency_place = models.ForeignKey(
        Regency,
        verbose_name=_("regency/city"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,  # the (verification, regency_place, ...) index serves the lists
        related_name="%(class)ss",
    )
    district = models.ForeignKey(
        District,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,  # places are reference data: never deleted, never looked up by it
        related_name="%(class)ss",
    )
    village = models.ForeignKey(
        Village,
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,
        related_name="%(class)ss",
    )

    class Meta:
        abstract = True

    def clean_places(self):
        """The same rules as placed_constraints, each said at its field."""
        errors = {}
        if self.regency_place_id and self.regency_place_id[:2] != (self.province_id or ""):
            errors["regency_place"] = ValidationError(_("This regency/city is not in the province chosen."), code="outside")
        elif self.district_id and self.district_id[:5] != (self.regency_place_id or ""):
            errors["district"] = ValidationError(_("This district is not in the regency/city chosen."), code="outside")
        elif self.village_id and self.village_id[:8] != (self.district_id or ""):
            errors["village"] = ValidationError(_("This village is not in the district chosen."), code="outside")
        if errors:
            raise ValidationError(errors)


def within(code, above, length):
    """`code` (a place's) is empty, or `above` is set and begins it."""
    return Q(**{f"{code}__isnull": True}) | (
        Q(**{f"{above}__isnull": False}) & Q(Exact(Left(code, length), F(above)))
    )


def placed_constraints(prefix):
    return [
        models.CheckConstraint(
            condition=within("regency_place_id", "province_id", 2),
            name=f"{prefix}_regency_in_province",
            violation_error_message=_("The regency/city is in the province."),
        ),
        models.CheckConstraint(
            condition=within("district_id", "regency_place_id", 5),
            name=f"{prefix}_district_in_regency",
            violation_error_message=_("The district is in the regency/city."),
        ),
        models.CheckConstraint(
            condition=within("village_id", "district_id", 8),
            name=f"{prefix}_village_in_district",
            violation_error_message=_("The village is in the district."),
        ),
    ]


class RegistryQuerySet(models.QuerySet):
    """What every verifiable registry record shares."""

    def verified(self):
        return self.filter(verification=Verification.VERIFIED)

    def visible_to(self, user):
        """What this user may see: kopnet.policy decides (registry/policy.py's rules)."""
        return policy.visible(user, self)


class CooperativeQuerySet(RegistryQuerySet):
    def search(self, text):
        text = text.strip()
        if not text:
            return self
        return self.filter(
            Q(name__icontains=text)
            | Q(short_name__icontains=text)
            | Q(nik=text)
            | Q(legal_number__icontains=text)
        )

    def for_list(self):
        return self.select_related("province").prefetch_related(
            Prefetch("sectors", queryset=Sector.objects.order_by("name"))
        )

    def for_rows(self):
        """for_list() without the sectors, which the list's page reads with
        with_sector_labels() once it has its rows."""
        return self.select_related("province")

    def for_detail(self):
        return self.for_list().select_related("regency_place", "district", "village")

    def members_of(self, federation, on=None):
        """The cooperatives that are active members of this federation (today, or `on` a past day)."""
        return self.filter(
            models.Exists(Membership.objects.active(on).filter(member=models.OuterRef("pk"), federation=federation))
        )

    def summary(self):
        """How many cooperatives there are in all, of each tier and of each type: one query."""
        counts = {"total": Count("pk")}
        counts |= {f"tier_{value}": Count("pk", filter=Q(tier=value)) for value in Tier.values}
        counts |= {f"type_{value}": Count("pk", filter=Q(type=value)) for value in CooperativeType.values}
        row = self.aggregate(**counts)
        return {
            "total": row["total"],
            "tiers": [(choice, row[f"tier_{choice.value}"]) for choice in Tier],
            "types": [(choice, row[f"type_{choice.value}"]) for choice in CooperativeType],
        }

    def top_provinces(self, limit):
        """The provinces with the most cooperatives: code, province_name and count, most first."""
        return list(
            self.filter(province__isnull=False)
            .order_by()
            .values(code=models.F("province_id"), province_name=models.F("province__name"))
            .annotate(count=Count("pk"))
            .order_by("-count", "province_name")[:limit]
        )


class Cooperative(CleanTextMixin, MergeableModel, PlacedModel, SluggedModel, VerifiableModel):
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    tier = models.CharField(_("tier"), max_length=10, choices=Tier.choices)
    type = models.CharField(_("type"), max_length=20, choices=CooperativeType.choices)
    sectors = models.ManyToManyField(Sector, verbose_name=_("sectors"), blank=True, related_name="cooperatives")
    country = CountryField(_("country"), default=INDONESIA)
    province = models.ForeignKey(
        Province,
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cooperatives",
    )
    regency = models.CharField(_("regency/city"), max_length=100, blank=True)
    address = models.TextField(_("address"), blank=True)
    legal_number = models.CharField(_("legal entity number"), max_length=100, blank=True)
    legal_date = models.DateField(
        _("legal entity date"), null=True, blank=True, validators=[validate_not_future]
    )
    nik = models.CharField(
        _("NIK Koperasi"),
        max_length=16,
        unique=True,
        null=True,
        blank=True,
        validators=[nik_validator],
        help_text=_("Nomor Induk Koperasi: 16 digits, Indonesian cooperatives only."),
        error_messages={"unique": _("Another cooperative already has this NIK Koperasi.")},
    )
    founded = models.DateField(_("founding date"), null=True, blank=True, validators=[validate_not_future])
    individual_members = models.PositiveIntegerField(
        _("individual members"),
        null=True,
        blank=True,
        help_text=_("Primary cooperatives only: the number of people who are members."),
    )
    # Kept by save() and by every membership change: the individual members of a
    # primer, the active member cooperatives of a federation. Stored so that the
    # list can sort by it with an index.
    member_count = models.PositiveIntegerField(_("members"), default=0, editable=False)
    scope = models.CharField(_("scope"), max_length=20, choices=Scope.choices)
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[phone_validator])
    status = models.CharField(
        _("status"), max_length=20, choices=CooperativeStatus.choices, default=CooperativeStatus.AKTIF
    )

    history = HistoricalRecords(m2m_fields=[sectors], excluded_fields=["member_count"])
    objects = CooperativeQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("cooperative")
        verbose_name_plural = _("cooperatives")
        indexes = [
            models.Index(fields=["verification", "name", "id"], name="coop_verified_name"),
            models.Index(fields=["name", "id"], name="coop_name"),  # the admin's unfiltered list
            models.Index(fields=["verification", "member_count", "id"], name="coop_verified_members"),
            models.Index(fields=["verification", "founded", "id"], name="coop_verified_founded"),
            # Filters by tier and province, and the largest of them first (the
            # suggestions walk it in member order and stop early, reading whether each
            # is active from the index too).
            models.Index(
                fields=["verification", "tier", "province", "member_count", "id"],
                include=["status"],
                name="coop_verified_tier_prov",
            ),
            models.Index(fields=["verification", "type"], name="coop_verified_type"),
            # The lists filtered to a regency/city (?regency=32.04, its province too), in
            # name order; a province's cooperatives counted by regency (the statistics).
            models.Index(fields=["verification", "province", "regency_place", "name", "id"], name="coop_verified_regency"),
            models.Index(fields=["verification", "status"], name="coop_verified_status"),
            models.Index(fields=["verification", "scope"], name="coop_verified_scope"),
            models.Index(fields=["verification", "country"], name="coop_verified_country"),
            # The curators' work queue (the admin's index): the few waiting, oldest first.
            models.Index(
                fields=["created_at", "id"], condition=Q(verification="pending"), name="coop_pending_oldest"
            ),
            # "Data as of" on the home and statistics pages: the latest change of a
            # verified record is one lookup at the end of this index (selectors.data_as_of).
            models.Index(fields=["updated_at"], condition=Q(verification="verified"), name="coop_verified_updated"),
        ]
        constraints = [
            *VerifiableModel.Meta.constraints,
            models.CheckConstraint(condition=~Q(name=""), name="cooperative_name_not_empty"),
            models.CheckConstraint(condition=Q(tier__in=Tier.values), name="cooperative_tier_valid"),
            models.CheckConstraint(condition=Q(type__in=CooperativeType.values), name="cooperative_type_valid"),
            models.CheckConstraint(condition=Q(scope__in=Scope.values), name="cooperative_scope_valid"),
            models.CheckConstraint(
                condition=Q(status__in=CooperativeStatus.values), name="cooperative_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(nik__isnull=True) | Q(nik__regex=r"^[0-9]{16}$"),
                name="cooperative_nik_16_digits",
                violation_error_message=_("NIK Koperasi is exactly 16 digits."),
            ),
            models.CheckConstraint(
                condition=Q(nik__isnull=True) | Q(country=INDONESIA),
                name="cooperative_nik_only_indonesian",
                violation_error_message=_("Only Indonesian cooperatives have a NIK Koperasi."),
            ),
            located_constraint("cooperative"),
            *placed_constraints("cooperative"),
            *merged_constraints("cooperative"),
            models.CheckConstraint(
                condition=Q(tier=Tier.PRIMER) | Q(individual_members__isnull=True),
                name="cooperative_individual_members_primer_only",
                violation_error_message=_("Only primary cooperatives have individual members."),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def tier_rank(self):
        return TIER_RANK[self.tier]

    @property
    def is_federation(self):
        return self.tier != Tier.PRIMER

    def clean(self):
        super().clean()
        clean_location(self)
        self.clean_places()
        if self.nik == "":
            self.nik = None
        if self.nik and self.country != INDONESIA:
            raise ValidationError({"nik": _("Only Indonesian cooperatives have a NIK Koperasi.")})
        if self.tier != Tier.PRIMER and self.individual_members is not None:
            raise ValidationError(
                {"individual_members": _("Only primary cooperatives have individual members; a federation counts its member cooperatives.")}
            )
        self.clean_tier_change()

    def derived_fields(self, fields):
        """The stored fields that save() derives from these (for update_fields)."""
        derived = {"individual_members": "member_count", "regency_place": "regency"}
        return [derived[field] for field in fields if field in derived]

    def clean_tier_change(self):
        """Refuse a tier that an existing active membership would contradict."""
        if not self.pk or self.tier not in TIER_RANK:
            return
        old_tier = Cooperative.objects.filter(pk=self.pk).values_list("tier", flat=True).first()
        if old_tier is None or old_tier == self.tier:
            return
        rank = TIER_RANK[self.tier]
        members = Membership.objects.active().filter(federation=self)
        if self.tier == Tier.PRIMER and members.exists():
            raise ValidationError(
                {"tier": _("This cooperative has member cooperatives; a primary cooperative takes none. End those memberships first.")}
            )
        higher_members = [m for m in members.select_related("member") if m.member.tier_rank > rank]
        if higher_members:
            raise ValidationError(
                {"tier": _("Members of a higher tier would be left in this federation: %(names)s.")
                 % {"names": ", ".join(m.member.name for m in higher_members[:5])}}
            )
        lower_federations = [
            m
            for m in Membership.objects.active().filter(member=self).select_related("federation")
            if m.federation.tier_rank < rank
        ]
        if lower_federations:
            raise ValidationError(
                {"tier": _("This tier is above federations it belongs to: %(names)s.")
                 % {"names": ", ".join(m.federation.name for m in lower_federations[:5])}}
            )

    def save(self, *args, **kwargs):
        if self.nik == "":
            self.nik = None
        if self.tier == Tier.PRIMER:
            self.member_count = self.individual_members or 0
        elif self.pk:
            self.member_count = Membership.objects.active().filter(federation_id=self.pk).count()
        else:
            self.member_count = 0
        if self.regency_place_id:
            # The coded regency's name, as the lists, the search and the CSV show it.
            self.regency = self.regency_place.name
        super().save(*args, **kwargs)


# What joins a cooperative's searched columns in CooperativeSearchRow.haystack: a
# character no search text holds (search_rows_serve() sends those elsewhere), so that
# a match never spans two columns.
HAYSTACK_SEPARATOR = "\x01"


class CooperativeSearchRowQuerySet(models.QuerySet):
    def visible_to(self, user):
        return policy.visible(user, self)

    def search(self, text):
        """CooperativeQuerySet.search() of the same cooperatives: the text in the name,
        short name or legal number, whatever the case, or the NIK Koperasi."""
        text = text.strip()
        if not text:
            return self
        return self.filter(Q(haystack__contains=Upper(Value(text))) | Q(nik=text))


class CooperativeSearchRow(models.Model):
    """A verified cooperative's columns that a visitor's search of the list matches,
    filters and sorts on: a row of about 215 bytes where the cooperative's is 340.

    A common word matches some 30,000 cooperatives; finding, counting and sorting
    them read nearly every block of the cooperatives' table (11,041 at 250,000) and
    tested three upper-cased columns of each match, where this narrow table (6,216
    blocks) has one text, upper-cased already, to test
    (registry/migrations/0016_cooperative_search_rows.py).
    PostgreSQL keeps these rows as the cooperatives change, by trigger, in the
    writing statement; nobody else writes them. The list's filters and orders apply
    to them as to the cooperatives (same names), and the page's cooperatives are
    then read by key. SQLite has no such table: its searches read the cooperatives.

    The rows also carry their cooperative's sectors' ids (`sector_ids`, an array this
    model leaves out), from which a profile's suggested partners take their pool
    (partnerships.selectors.pool_walk, registry/migrations/0019_search_rows_sectors.py).
    """

    id = models.BigIntegerField(primary_key=True)  # the cooperative's
    name = models.CharField(max_length=200)
    # UPPER(name, short name, legal number), joined by HAYSTACK_SEPARATOR.
    haystack = models.TextField()
    nik = models.CharField(max_length=16, null=True)
    tier = models.CharField(max_length=10)
    type = models.CharField(max_length=20)
    country = models.CharField(max_length=2)
    province = models.ForeignKey(
        Province, on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+"
    )
    status = models.CharField(max_length=20)
    scope = models.CharField(max_length=20)
    member_count = models.IntegerField()
    founded = models.DateField(null=True)

    objects = CooperativeSearchRowQuerySet.as_manager()

    class Meta:
        managed = False
        db_table = "registry_cooperativesearchrow"
        ordering = ["name", "id"]


def search_rows_serve(text):
    """Whether CooperativeSearchRow can answer a search of the list for `text`, on
    PostgreSQL. It holds the verified cooperatives only: whether the reader sees those
    and no other is the policy's to say (VerifiedRules.sees_only_verified), which the
    list asks before this."""
    return (
        connection.vendor == "postgresql"
        and bool(text.strip())
        and HAYSTACK_SEPARATOR not in text
    )


def refresh_member_counts(federation_ids):
    """Recount the active member cooperatives of these federations, in one UPDATE."""
    counts = (
        Membership.objects.active()
        .filter(federation=models.OuterRef("pk"))
        .order_by()
        .values("federation")
        .annotate(n=Count("id"))
        .values("n")
    )
    Cooperative.objects.filter(pk__in=federation_ids).exclude(tier=Tier.PRIMER).update(
        member_count=Coalesce(models.Subquery(counts), 0)
    )


class MembershipQuerySet(models.QuerySet):
    def active(self, on=None):
        """Those active today (no end date), or `on` a past day: begun on or before
        it, not ended before it (one ending on a day is still active on it)."""
        if on is None:
            return self.filter(end_date__isnull=True)
        return self.filter(Q(end_date__isnull=True) | Q(end_date__gte=on), start_date__lte=on)

    def federation_ids_above(self, cooperative_ids):
        return set(self.active().filter(member_id__in=cooperative_ids).values_list("federation_id", flat=True))

    def delete(self):
        # A bulk delete (the admin's "delete selected") skips Membership.delete().
        federation_ids = set(self.values_list("federation_id", flat=True))
        result = super().delete()
        refresh_member_counts(federation_ids)
        return result


# A chain of federations is short (primer → sekunder → induk → apex, and apex
# bodies among themselves); the walk stops here whatever the data says.
MAX_FEDERATION_DEPTH = 12


class Membership(OneQueryChecks, ChoiceDisplayMixin, models.Model):
    """A member cooperative's membership of a federation (keanggotaan).

    Active while it has no end date: the end is recorded once it has happened.
    """

    member = models.ForeignKey(
        Cooperative, verbose_name=_("member"), on_delete=models.PROTECT, related_name="federation_memberships"
    )
    federation = models.ForeignKey(
        Cooperative, verbose_name=_("federation"), on_delete=models.PROTECT, related_name="member_memberships"
    )
    start_date = models.DateField(_("start date"), default=timezone.localdate)
    end_date = models.DateField(_("end date"), null=True, blank=True, validators=[validate_not_future])

    history = HistoricalRecords()
    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["federation", "member", "-start_date"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        indexes = [
            models.Index(fields=["federation", "end_date"], name="membership_federation_active"),
            models.Index(fields=["member", "end_date"], name="membership_member_active"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(member=models.F("federation")),
                name="membership_not_self",
                violation_error_message=_("A cooperative cannot be its own member."),
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="membership_end_not_before_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.UniqueConstraint(
                fields=["member", "federation"],
                condition=Q(end_date__isnull=True),
                name="membership_one_active_per_pair",
                violation_error_message=_("This cooperative is already an active member of that federation."),
            ),
        ]

    def __str__(self):
        return f"{self.member_id} → {self.federation_id}"

    @property
    def is_active(self):
        return self.end_date is None

    def clean(self):
        super().clean()
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date cannot be before the start date.")})
        if not (self.member_id and self.federation_id):
            return
        if self.member_id == self.federation_id:
            raise ValidationError({"member": _("A cooperative cannot be its own member.")})
        member, federation = self.member, self.federation
        if federation.tier == Tier.PRIMER:
            raise ValidationError(
                {"federation": _("A primary cooperative takes no cooperative members; its members are people.")}
            )
        if member.tier_rank > federation.tier_rank:
            raise ValidationError(
                {"member": _("A %(member_tier)s cannot join a %(federation_tier)s: a federation only takes members of its own tier or a lower one.")
                 % {"member_tier": member.get_tier_display(), "federation_tier": federation.get_tier_display()}}
            )
        self.clean_overlap()
        if self.end_date is None and self.member_id in self.ancestor_ids(self.federation_id):
            raise ValidationError(
                {"federation": _("%(federation)s is already a member, directly or through others, of %(member)s: this membership would make a cycle.")
                 % {"federation": federation.name, "member": member.name}}
            )

    def clean_overlap(self):
        if self.start_date is None:
            return  # clean_fields() already asks for it; a None would crash the query
        others = Membership.objects.filter(member_id=self.member_id, federation_id=self.federation_id)
        if self.pk:
            others = others.exclude(pk=self.pk)
        if self.end_date:
            others = others.filter(start_date__lte=self.end_date)
        others = others.filter(Q(end_date__isnull=True) | Q(end_date__gte=self.start_date))
        if others.exists():
            raise ValidationError(
                _("This cooperative is already a member of that federation during this period.")
            )

    def save(self, *args, **kwargs):
        previous = None
        if self.pk:
            previous = Membership.objects.filter(pk=self.pk).values_list("federation_id", flat=True).first()
        super().save(*args, **kwargs)
        refresh_member_counts({self.federation_id, previous} - {None})

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        refresh_member_counts({self.federation_id})
        return result

    @staticmethod
    def ancestor_ids(cooperative_id):
        """Every cooperative above this one through active memberships (one query a level)."""
        seen, frontier = set(), {cooperative_id}
        for _level in range(MAX_FEDERATION_DEPTH):
            frontier = Membership.objects.federation_ids_above(frontier) - seen
            if not frontier:
                break
            seen |= frontier
        return seen


class PartnerKind(models.TextChoices):
    SWASTA = "swasta", _("Private company")
    BUMN = "bumn", _("State-owned enterprise (BUMN)")
    BUMD = "bumd", _("Regional enterprise (BUMD)")
    BANK = "bank", _("Bank")
    PEMERINTAH = "pemerintah", _("Government body")
    INTERNASIONAL = "internasional", _("International or donor organisation")
    LSM = "lsm", _("Non-governmental organisation")
    UNIVERSITAS = "universitas", _("University")
    LAINNYA = "lainnya", _("Other")


class PartnerQuerySet(RegistryQuerySet):
    def search(self, text):
        text = text.strip()
        if not text:
            return self
        return self.filter(Q(name__icontains=text) | Q(registration_number__icontains=text))

    def for_list(self):
        return self.select_related("province")

    def for_detail(self):
        return self.for_list().select_related("regency_place", "district", "village")


class Partner(CleanTextMixin, MergeableModel, PlacedModel, SluggedModel, VerifiableModel):
    """An organisation that is not a cooperative and works with cooperatives."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=PartnerKind.choices)
    country = CountryField(_("country"), default=INDONESIA)
    province = models.ForeignKey(
        Province,
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partners",
    )
    registration_number = models.CharField(_("registration number"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        help_text=_("The official who proposed this partner while registering a partnership."),
    )

    history = HistoricalRecords()
    objects = PartnerQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        indexes = [
            models.Index(fields=["verification", "name", "id"], name="partner_verified_name"),
            models.Index(fields=["name", "id"], name="partner_name"),  # the admin's unfiltered list
            models.Index(fields=["verification", "kind"], name="partner_verified_kind"),
            models.Index(fields=["verification", "province", "regency_place", "name", "id"], name="partner_verified_regency"),
            models.Index(fields=["verification", "country"], name="partner_verified_country"),
            # The curators' work queue (the admin's index): the few waiting, oldest first.
            models.Index(
                fields=["created_at", "id"], condition=Q(verification="pending"), name="partner_pending_oldest"
            ),
            # "Data as of" on the home and statistics pages: the latest change of a
            # verified record is one lookup at the end of this index (selectors.data_as_of).
            models.Index(fields=["updated_at"], condition=Q(verification="verified"), name="partner_verified_updated"),
        ]
        constraints = [
            *VerifiableModel.Meta.constraints,
            models.CheckConstraint(condition=~Q(name=""), name="partner_name_not_empty"),
            models.CheckConstraint(condition=Q(kind__in=PartnerKind.values), name="partner_kind_valid"),
            located_constraint("partner"),
            *placed_constraints("partner"),
            *merged_constraints("partner"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        clean_location(self)
        self.clean_places()


class RepresentationState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REVOKED = "revoked", _("Revoked")


class RepresentationQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(state=RepresentationState.APPROVED)

    def open(self):
        """Requested or approved: the ones that still stand."""
        return self.filter(state__in=[RepresentationState.REQUESTED, RepresentationState.APPROVED])


class Representation(ChoiceDisplayMixin, models.Model):
    """A user who acts for a cooperative (pengurus / petugas), once a curator approves."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="representations"
    )
    cooperative = models.ForeignKey(
        Cooperative, verbose_name=_("cooperative"), on_delete=models.PROTECT, related_name="representations"
    )
    state = models.CharField(
        _("state"), max_length=10, choices=RepresentationState.choices, default=RepresentationState.REQUESTED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)

    history = HistoricalRecords()
    objects = RepresentationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("representation")
        verbose_name_plural = _("representations")
        indexes = [
            # The curators' work queue (the admin's index): the few waiting, oldest first.
            models.Index(
                fields=["created_at", "id"], condition=Q(state="requested"), name="representation_requested"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=RepresentationState.values), name="representation_state_valid"
            ),
            models.UniqueConstraint(
                fields=["user", "cooperative"],
                condition=Q(state__in=[RepresentationState.REQUESTED, RepresentationState.APPROVED]),
                name="representation_one_open_per_pair",
                violation_error_message=_("This user already represents or asked to represent this cooperative."),
            ),
        ]

    def __str__(self):
        return f"{self.user_id} → {self.cooperative_id} ({self.state})"


def officials_of(cooperative_ids):
    """Users who act for any of these cooperatives (approved representations)."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(
        models.Exists(
            Representation.objects.approved().filter(user=models.OuterRef("pk"), cooperative_id__in=cooperative_ids)
        )
    )


class ProposalState(models.TextChoices):
    PROPOSED = "proposed", _("Waiting for the federation")
    CONFIRMED = "confirmed", _("Confirmed")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class MembershipProposal(OneQueryChecks, ChoiceDisplayMixin, models.Model):
    """An official's proposal that their cooperative joins a federation.

    The federation's officials confirm or refuse it (a curator may decide it too:
    a federation with no official on KopNet); the confirmation records the
    membership (registry.services.proposal_confirm), under the rules any
    membership keeps. The proposer's side may withdraw it while it waits.
    """

    member = models.ForeignKey(
        Cooperative, verbose_name=_("member"), on_delete=models.PROTECT, related_name="federation_proposals"
    )
    federation = models.ForeignKey(
        Cooperative, verbose_name=_("federation"), on_delete=models.PROTECT, related_name="member_proposals"
    )
    start_date = models.DateField(_("member since"), validators=[validate_not_future])
    note = models.TextField(_("note to the federation"), blank=True, max_length=2000)
    state = models.CharField(_("state"), max_length=10, choices=ProposalState.choices, default=ProposalState.PROPOSED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.SET_NULL,
        null=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, editable=False)
    reason = models.TextField(_("reason"), blank=True, max_length=2000)
    # The membership the confirmation recorded.
    membership = models.OneToOneField(
        Membership,
        verbose_name=_("membership"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="proposal",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("membership proposal")
        verbose_name_plural = _("membership proposals")
        indexes = [
            # The curators' work queue (the admin's index): the few waiting, oldest first.
            models.Index(fields=["created_at", "id"], condition=Q(state="proposed"), name="proposal_waiting"),
            # A federation's officials' dashboard: what waits for them.
            models.Index(fields=["federation", "state"], name="proposal_federation_state"),
            models.Index(fields=["member", "state"], name="proposal_member_state"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=ProposalState.values), name="proposal_state_valid"),
            models.CheckConstraint(
                condition=~Q(member=models.F("federation")),
                name="proposal_not_self",
                violation_error_message=_("A cooperative cannot be its own member."),
            ),
            models.CheckConstraint(
                condition=~Q(state="refused") | ~Q(reason=""),
                name="proposal_refused_with_reason",
                violation_error_message=_("Say why the proposal is refused."),
            ),
            # Decided exactly when it no longer waits.
            models.CheckConstraint(
                condition=Q(state="proposed", decided_at__isnull=True) | (~Q(state="proposed") & Q(decided_at__isnull=False)),
                name="proposal_decided_when_not_waiting",
            ),
            models.UniqueConstraint(
                fields=["member", "federation"],
                condition=Q(state="proposed"),
                name="proposal_one_waiting_per_pair",
                violation_error_message=_("This cooperative already proposed to join that federation: the proposal waits for its answer."),
            ),
        ]

    def __str__(self):
        return f"{self.member.name} → {self.federation.name}"

    @property
    def is_waiting(self):
        return self.state == ProposalState.PROPOSED



def federations_above(cooperative_id):
    """The SQL of the ids of every cooperative above this one through active
    memberships, however deep, and its params: one recursive query, for a subquery
    (Membership.ancestor_ids() walks the same a level a query)."""
    memberships = Membership._meta.db_table
    sql = f"""
        WITH RECURSIVE above(cooperative_id, depth) AS (
            SELECT federation_id, 1 FROM {memberships} WHERE member_id = %s AND end_date IS NULL
            UNION
            SELECT m.federation_id, a.depth + 1
            FROM above AS a JOIN {memberships} AS m ON m.member_id = a.cooperative_id
            WHERE m.end_date IS NULL AND a.depth < %s
        )
        SELECT cooperative_id FROM above
    """
    return sql, [cooperative_id, MAX_FEDERATION_DEPTH]


class MemberPreview(NamedTuple):
    """One of the first members of a federation, as its federation's page lists it."""

    slug: str
    name: str
    tier: str
    member_count: int


def with_sector_labels(cooperatives):
    """Each of these cooperatives with `sector_labels`: the names of its sectors in the
    active language, in the order of their Indonesian names (as for_list() prefetches
    them). One query of names for the whole page: the prefetch built a sector model
    for each name and a related manager for each cooperative, which took longer than
    its query (a list's page of 50 cooperatives, about 5 ms of 50 cold).
    """
    labels = {cooperative.pk: [] for cooperative in cooperatives}
    if labels:
        names = (
            Cooperative.sectors.through.objects.filter(cooperative_id__in=labels)
            .order_by("sector__name")
            .values_list("cooperative_id", "sector__name", "sector__name_en")
        )
        for pk, name, name_en in names:
            labels[pk].append(CuratedTerm.label_of(name, name_en))
    for cooperative in cooperatives:
        cooperative.sector_labels = labels[cooperative.pk]
    return cooperatives


def kept_member_ids(federation_id, offset, limit):
    """The ids of a federation's verified active members from `offset`, at most
    `limit` of them, by name, and how many there are: one walk of the rows PostgreSQL
    keeps of them (registry/migrations/0018_member_rows.py), without reading a
    cooperative. A visitor's members page (registry.views.CooperativeMembersView)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT member_id, COUNT(*) OVER () FROM registry_memberrow WHERE federation_id = %s "
            "ORDER BY name, member_id LIMIT %s OFFSET %s",
            [federation_id, limit, offset],
        )
        rows = cursor.fetchall()
    return [member_id for member_id, _total in rows], (rows[0][1] if rows else 0)


def active_membership_sql(on=None):
    """(SQL, params): the condition on a membership `m` that Membership.objects.active(on) puts."""
    if on is None:
        return "m.end_date IS NULL", []
    return "m.start_date <= %s AND (m.end_date IS NULL OR m.end_date >= %s)", [on, on]


def with_member_previews(cooperatives, visible, size, on=None):
    """Gives each of these cooperatives (a page of a federation's members)
    `member_preview`, its first `size` active members that the reader may see
    (`visible`, a queryset of cooperatives), by name, as MemberPreviews, and
    `more_members`, how many more of them there are. Primary cooperatives have none.

    One query for the page's federations whatever their number of members, none for a
    page of primary cooperatives: a window numbers each federation's members and
    counts them. Rows, not models: the sliced prefetch of memberships and their
    members (and the count annotated on the page's query) took longer to build and
    load than to run.
    """
    federation_ids = [coop.pk for coop in cooperatives if coop.is_federation]
    previews, totals = {pk: [] for pk in federation_ids}, dict.fromkeys(federation_ids, 0)
    if federation_ids:
        readable, params = visible.order_by().values("pk").query.sql_with_params()
        active, active_params = active_membership_sql(on)
        sql = f"""
            SELECT federation_id, total, slug, name, tier, member_count FROM (
                SELECT m.federation_id, c.slug, c.name, c.tier, c.member_count,
                    ROW_NUMBER() OVER (PARTITION BY m.federation_id ORDER BY c.name, c.id) AS place,
                    COUNT(*) OVER (PARTITION BY m.federation_id) AS total
                FROM {Membership._meta.db_table} AS m JOIN {Cooperative._meta.db_table} AS c ON c.id = m.member_id
                WHERE {active} AND m.federation_id IN ({", ".join(["%s"] * len(federation_ids))})
                    AND m.member_id IN ({readable})
            ) AS numbered
            WHERE place <= %s
            ORDER BY federation_id, place
        """
        with connections[visible.db].cursor() as cursor:
            cursor.execute(sql, [*active_params, *federation_ids, *params, size])
            for federation_id, total, *member in cursor.fetchall():
                previews[federation_id].append(MemberPreview(*member))
                totals[federation_id] = total
    for coop in cooperatives:
        coop.member_preview = previews.get(coop.pk, [])
        coop.more_members = totals.get(coop.pk, 0) - len(coop.member_preview)
    return cooperatives


def in_column_order(model, *names):
    """These field names (attnames) of `model` in the order of its columns, as
    Model.from_db() takes values."""
    return tuple(field.attname for field in model._meta.concrete_fields if field.attname in names)


# What a federation tree reads of each membership and federation above a cooperative.
TREE_FIELDS = {
    Membership: in_column_order(Membership, "id", "member_id", "federation_id", "start_date", "end_date"),
    Cooperative: in_column_order(
        Cooperative, "id", "slug", "verification", "name", "short_name", "tier", "country", "province_id", "member_count"
    ),
}


def federation_levels(cooperative, federations, on=None):
    """The federations above a cooperative, level by level, up to the top.

    `federations` is the queryset of cooperatives the reader may see; `on`, a past
    day to walk the memberships active then (Membership.objects.active()) instead of
    today's. Returns a list of levels, each a list of active memberships (member → federation) by the
    federation's name: level 0 the cooperative's own, level n those of the
    federations first reached at level n - 1 (one reached again later is shown there,
    not walked again). At most MAX_FEDERATION_DEPTH levels. Each membership's
    `federation` holds what the tree shows (TREE_FIELDS) and its province.

    One query whatever the depth (was one a level, each costing more to build than
    to run): a recursive subquery finds every active membership above the
    cooperative, and of those the query loads the ones whose federation the reader
    may see; the walk then runs over them in memory. Leaving the reader out of the
    recursion keeps it on the memberships' indexes: inside it, PostgreSQL matched
    each level against every verified cooperative (330 ms at 250,000). Written by
    hand and planned once per connection (kopnet.db.execute_prepared): the ORM's
    query took longer to build than to run, and PostgreSQL longer to plan it.
    """
    memberships, cooperatives = Membership._meta.db_table, Cooperative._meta.db_table
    readable, readable_params = federations.order_by().values("pk").query.sql_with_params()
    columns = [f"m.{name}" for name in TREE_FIELDS[Membership]]
    columns += [f"c.{name}" for name in TREE_FIELDS[Cooperative]] + ["p.code", "p.name"]
    active, active_params = active_membership_sql(on)
    sql = f"""
        WITH RECURSIVE reached(cooperative_id, depth) AS (
            SELECT id, 0 FROM {cooperatives} WHERE id = %s  -- typed as the ids are
            UNION
            SELECT m.federation_id, r.depth + 1
            FROM reached AS r JOIN {memberships} AS m ON m.member_id = r.cooperative_id
            WHERE {active} AND r.depth < %s
        )
        SELECT {", ".join(columns)}
        FROM {memberships} AS m JOIN {cooperatives} AS c ON c.id = m.federation_id
            LEFT JOIN {Province._meta.db_table} AS p ON p.code = c.province_id
        WHERE m.id IN (
            SELECT m.id FROM {memberships} AS m JOIN reached AS r ON r.cooperative_id = m.member_id
            WHERE {active}
        ) AND m.federation_id IN ({readable})
        ORDER BY c.name, m.federation_id, m.member_id
    """
    db = federations.db
    with connections[db].cursor() as cursor:
        params = [cooperative.pk, *active_params, MAX_FEDERATION_DEPTH - 1, *active_params, *readable_params]
        execute_prepared(cursor, sql, params)
        rows = cursor.fetchall()
    edges, width = [], len(TREE_FIELDS[Membership])
    for row in rows:
        edge = Membership.from_db(db, TREE_FIELDS[Membership], row[:width])
        edge.federation = Cooperative.from_db(db, TREE_FIELDS[Cooperative], row[width:-2])
        code, name = row[-2:]
        edge.federation.province = Province.from_db(db, ("code", "name"), (code, name)) if code is not None else None
        edges.append(edge)
    levels, frontier, seen = [], {cooperative.pk}, {cooperative.pk}
    for _level in range(MAX_FEDERATION_DEPTH):
        level = [edge for edge in edges if edge.member_id in frontier]  # in the database's order
        if not level:
            break
        levels.append(level)
        frontier = {edge.federation_id for edge in level} - seen
        seen |= frontier
    return levels


class FormerSlug(models.Model):
    """An address a cooperative or partner left when a curator changed its slug: its
    pages answer there with a 301 to the current one (registry.views.MovedMixin)."""

    kind = models.CharField(max_length=20, choices=[("cooperative", "cooperative"), ("partner", "partner")])
    slug = models.SlugField(max_length=220)
    record_id = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "slug"], name="former_slug_once")]

    def __str__(self):
        return f"{self.kind}:{self.slug} → {self.record_id}"


def successor_of(model, slug):
    """The record that answers for `slug` of `model` when no record has it now: the
    survivor of a merged record (the last of a chain), or the record that left that
    slug; None when there is none. One query for most, a few for a chain."""
    kind = model._meta.model_name
    record = model.objects.filter(slug=slug, merged_into__isnull=False).first()
    if record is None:
        former = FormerSlug.objects.filter(kind=kind, slug=slug).values_list("record_id", flat=True).first()
        record = model.objects.filter(pk=former).first() if former is not None else None
    for _step in range(MAX_MERGE_CHAIN):
        if record is None or record.merged_into_id is None:
            break
        record = model.objects.filter(pk=record.merged_into_id).first()
    return record


# A chain of merges (a into b, then b into c) is short; the walk stops here whatever the data.
MAX_MERGE_CHAIN = 10


class DismissedDuplicate(models.Model):
    """Two records a curator looked at and found to be different organisations: the
    list of candidate duplicates (registry.duplicates) no longer offers the pair."""

    kind = models.CharField(max_length=20, choices=[("cooperative", "cooperative"), ("partner", "partner")])
    first_id = models.PositiveBigIntegerField()  # the lower id of the two
    second_id = models.PositiveBigIntegerField()
    dismissed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    dismissed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "first_id", "second_id"], name="duplicate_dismissed_once"),
            models.CheckConstraint(condition=Q(first_id__lt=models.F("second_id")), name="duplicate_pair_ordered"),
        ]

    def __str__(self):
        return f"{self.kind}: {self.first_id} ≠ {self.second_id}"
