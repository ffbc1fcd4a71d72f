"""Partnerships (kerjasama) between cooperatives and with non-cooperative partners:
their parties, objectives, fields and agreement documents."""

import os
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kopnet import policy
from kopnet.models import ChoiceDisplayMixin, CleanTextMixin, CuratedTerm, OneQueryChecks, Revision, RevisionState, VerifiableModel, Verification
from partnerships.validators import MAX_DOCUMENT_SIZE, inspect_document
from registry.models import TIER_RANK, Cooperative, Partner, Province
from registry.policy import acting_for_ids


class Objective(CuratedTerm):
    """A benefit a partnership aims at (bargaining power, raw material supply, …)."""

    history = HistoricalRecords()

    class Meta(CuratedTerm.Meta):
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")


class CooperationField(CuratedTerm):
    """A field of cooperation (business, trade, capital and lending, …)."""

    history = HistoricalRecords()

    class Meta(CuratedTerm.Meta):
        verbose_name = _("field of cooperation")
        verbose_name_plural = _("fields of cooperation")


class Category(models.TextChoices):
    ANTAR_KOPERASI = "antar_koperasi", _("Between cooperatives")
    KEMITRAAN_USAHA = "kemitraan_usaha", _("Business partnership")


class Direction(models.TextChoices):
    VERTIKAL = "vertikal", _("Vertical")
    HORIZONTAL = "horizontal", _("Horizontal")


class PartnershipStatus(models.TextChoices):
    DIUSULKAN = "diusulkan", _("Proposed")
    BERJALAN = "berjalan", _("Running")
    SELESAI = "selesai", _("Completed")
    DIHENTIKAN = "dihentikan", _("Stopped")


class Corroboration(models.TextChoices):
    """How much stands behind a partnership (modelled on GLEIF's validation sources):
    derived from its parties' answers and its documents, never typed."""

    DECLARED = "declared", _("Declared")
    CONFIRMED = "confirmed", _("Confirmed")
    DOCUMENTED = "documented", _("Documented")


# What each level means, said beside its badge.
CORROBORATION_MEANING = {
    Corroboration.DECLARED: _(
        "Registered by one party: not every cooperative named has confirmed it (a curator verified it with a note)."
    ),
    Corroboration.CONFIRMED: _(
        "Every cooperative named confirmed it, and Dekopin's curator checked the partners named."
    ),
    Corroboration.DOCUMENTED: _(
        "Confirmed by every cooperative named, with an agreement document that Dekopin's curator checked."
    ),
}


def corroboration_of(parties, documented):
    """The level of a partnership with these parties (saved or not) and, `documented`,
    a published agreement document."""
    if any(party.cooperative_id and party.confirmation != Confirmation.CONFIRMED for party in parties):
        return Corroboration.DECLARED
    return Corroboration.DOCUMENTED if documented else Corroboration.CONFIRMED


class NewEntityKind(models.TextChoices):
    BANK = "bank", _("Bank")
    PT = "pt", _("Limited company (PT)")
    SEKUNDER = "sekunder", _("Secondary cooperative")
    LAINNYA = "lainnya", _("Other")


class PartyRole(models.TextChoices):
    INITIATOR = "initiator", _("Initiator")
    MEMBER = "member", _("Member")
    SUPPLIER = "supplier", _("Supplier")
    BUYER = "buyer", _("Buyer")
    FUNDER = "funder", _("Funder")
    RECIPIENT = "recipient", _("Recipient")
    FACILITATOR = "facilitator", _("Facilitator")


class Confirmation(models.TextChoices):
    PENDING = "pending", _("Waiting for confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")


# A partnership's reference, KS-<year>-<number of six digits> (ReferenceSequence): the
# database's check, the URLs' patterns and kopnet.links take this form.
REFERENCE_FORM = r"KS-[0-9]{4}-[0-9]{6}"


class ReferenceSequence(models.Model):
    """The last reference number given out in a year.

    Incrementing the row with an UPDATE locks it until the registering
    transaction commits, so concurrent registrations get distinct numbers; a
    number once committed is never given again.
    """

    year = models.PositiveIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    @classmethod
    def next_reference(cls, year):
        with transaction.atomic():
            try:
                with transaction.atomic():
                    cls.objects.get_or_create(year=year)
            except IntegrityError:
                pass  # another registration created this year's row first
            cls.objects.filter(year=year).update(last_number=models.F("last_number") + 1)
            number = cls.objects.filter(year=year).values_list("last_number", flat=True).get()
        return f"KS-{year}-{number:06d}"


def active_between(first, last, prefix=""):
    """Partnerships active at some time from day `first` to day `last`: begun by the
    last, not ended before the first (one ending on a day is still active on it)."""
    begun = Q(**{f"{prefix}start_date__lte": last})
    not_ended = Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": first})
    return begun & not_ended


class PartnershipQuerySet(models.QuerySet):
    def verified(self):
        return self.filter(verification=Verification.VERIFIED)

    def active_on(self, day):
        """Those active on that day: started on or before it, not ended before it."""
        return self.filter(active_between(day, day))

    def visible_to(self, user):
        """What this user may see: kopnet.policy decides (partnerships/policy.py's rules)."""
        return policy.visible(user, self)

    def involving(self, cooperative=None, partner=None):
        """The partnerships of an organisation: `pk IN (its parties' partnerships)`.

        Not an EXISTS per partnership: for an organisation with thousands of
        partnerships PostgreSQL then scanned all 500,000 to test each one; from
        the party index it reads only the organisation's own.
        """
        parties = PartnershipParty.objects.all()
        if cooperative is not None:
            parties = parties.filter(cooperative=cooperative)
        if partner is not None:
            parties = parties.filter(partner=partner)
        return self.filter(pk__in=parties.values("partnership_id"))


def document_upload_to(instance, filename):
    """A name that cannot collide or traverse: a random UUID and the detected type."""
    extension = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}.get(
        instance.content_type, ""
    )
    return f"partnership-documents/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"


class Partnership(CleanTextMixin, VerifiableModel):
    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # Derived from the parties and stored for filtering; see refresh_derived().
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, default=Category.ANTAR_KOPERASI, editable=False
    )
    international = models.BooleanField(_("international"), default=False, editable=False)
    corroboration = models.CharField(
        _("corroboration"),
        max_length=10,
        choices=Corroboration.choices,
        default=Corroboration.DECLARED,
        editable=False,
        help_text=_("Derived from the cooperative parties' answers and the published documents, never typed."),
    )
    direction = models.CharField(
        _("direction"),
        max_length=10,
        choices=Direction.choices,
        blank=True,
        help_text=_("Vertical: along the supply chain or across tiers. Horizontal: same stage or tier."),
    )
    objectives = models.ManyToManyField(Objective, verbose_name=_("objectives"), blank=True, related_name="+")
    fields = models.ManyToManyField(
        CooperationField, verbose_name=_("fields of cooperation"), blank=True, related_name="+"
    )
    new_entity = models.BooleanField(
        _("forms a new legal entity"),
        default=False,
        help_text=_("The parties found a new body with legal personality (wadah baru berbadan hukum), e.g. a bank."),
    )
    new_entity_name = models.CharField(_("name of the new entity"), max_length=200, blank=True)
    new_entity_kind = models.CharField(
        _("kind of the new entity"), max_length=10, choices=NewEntityKind.choices, blank=True
    )
    new_entity_cooperative = models.ForeignKey(
        Cooperative,
        verbose_name=_("the new entity in the registry"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="founding_partnerships",
        help_text=_("When the new entity is itself a registered cooperative."),
    )
    new_entity_partner = models.ForeignKey(
        Partner,
        verbose_name=_("the new entity in the registry (partner)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="founding_partnerships",
        help_text=_("When the new entity is a registered partner (a bank, a company)."),
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="IDR", blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=PartnershipStatus.choices, default=PartnershipStatus.DIUSULKAN
    )
    initiator = models.ForeignKey(
        Cooperative,
        verbose_name=_("initiating cooperative"),
        on_delete=models.PROTECT,
        related_name="initiated_partnerships",
        help_text=_("Its officials registered the partnership and may edit it."),
        db_index=False,  # ks_initiator_created begins with it
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    verification_override = models.TextField(
        _("verification override note"),
        blank=True,
        help_text=_("Why the curator verified while a cooperative party had not confirmed."),
    )

    history = HistoricalRecords(m2m_fields=[objectives, fields])
    objects = PartnershipQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        indexes = [
            models.Index(fields=["verification", "start_date", "id"], name="ks_verified_start"),
            models.Index(fields=["start_date", "id"], name="ks_start"),  # the admin's unfiltered list
            models.Index(fields=["verification", "title", "id"], name="ks_verified_title"),
            models.Index(fields=["verification", "category", "direction"], name="ks_verified_category"),
            models.Index(fields=["verification", "international"], name="ks_verified_international"),
            models.Index(fields=["verification", "status"], name="ks_verified_status"),
            # The list's corroboration filter, and the statistics' count of each level.
            models.Index(fields=["verification", "corroboration"], name="ks_verified_corroboration"),
            models.Index(fields=["start_date", "end_date"], name="ks_period"),
            # The official's dashboard: what my cooperatives registered, newest first.
            models.Index(fields=["initiator", "-created_at", "-id"], name="ks_initiator_created"),
            # The home page: the latest verified, and how many formed a new legal entity
            # (partial: a few of a million rows).
            models.Index(
                fields=["-verification_at", "-id"], condition=Q(verification="verified"), name="ks_latest_verified"
            ),
            models.Index(fields=["id"], condition=Q(verification="verified", new_entity=True), name="ks_new_entity"),
            # The curators' work queue (the admin's index): the few waiting, oldest first.
            models.Index(fields=["created_at", "id"], condition=Q(verification="pending"), name="ks_pending_oldest"),
            # "Data as of" on the home and statistics pages: the latest change of a
            # verified record is one lookup at the end of this index (selectors.data_as_of).
            models.Index(fields=["updated_at"], condition=Q(verification="verified"), name="ks_verified_updated"),
        ]
        constraints = [
            *VerifiableModel.Meta.constraints,
            models.CheckConstraint(condition=~Q(title=""), name="partnership_title_not_empty"),
            models.CheckConstraint(
                condition=Q(reference__regex=rf"^{REFERENCE_FORM}$"),
                name="partnership_reference_format",
            ),
            models.CheckConstraint(condition=Q(category__in=Category.values), name="partnership_category_valid"),
            models.CheckConstraint(
                condition=Q(direction__in=["", *Direction.values]), name="partnership_direction_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=PartnershipStatus.values), name="partnership_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="partnership_end_not_before_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.CheckConstraint(
                condition=Q(new_entity=False) | ~Q(new_entity_name=""),
                name="partnership_new_entity_named",
                violation_error_message=_("Name the new legal entity."),
            ),
            models.CheckConstraint(
                condition=Q(new_entity=True) | (Q(new_entity_name="") & Q(new_entity_kind="")),
                name="partnership_no_entity_details_without_entity",
            ),
            # The new entity is one record, a cooperative or a partner, or a name only
            # while no record of it exists; no record without a new entity.
            models.CheckConstraint(
                condition=Q(new_entity_cooperative__isnull=True) | Q(new_entity_partner__isnull=True),
                name="partnership_new_entity_one_record",
                violation_error_message=_("The new entity is a cooperative or a partner, not both."),
            ),
            models.CheckConstraint(
                condition=Q(new_entity=True) | (Q(new_entity_cooperative__isnull=True) & Q(new_entity_partner__isnull=True)),
                name="partnership_no_entity_record_without_entity",
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0),
                name="partnership_value_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}"

    def clean(self):
        super().clean()
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date cannot be before the start date.")})
        if self.new_entity:
            if not self.new_entity_name:
                raise ValidationError({"new_entity_name": _("Name the new legal entity.")})
            if not self.new_entity_kind:
                raise ValidationError({"new_entity_kind": _("Choose the kind of the new legal entity.")})
        else:
            self.new_entity_name = ""
            self.new_entity_kind = ""
            self.new_entity_cooperative = None
            self.new_entity_partner = None
        if self.new_entity_cooperative_id and self.new_entity_partner_id:
            raise ValidationError(_("The new entity is a cooperative or a partner, not both."))
        if self.value is not None and self.value < 0:
            raise ValidationError({"value": _("The value cannot be negative.")})
        if self.currency:
            self.currency = self.currency.upper()
            if not (len(self.currency) == 3 and self.currency.isalpha()):
                raise ValidationError({"currency": _("A currency is a three-letter ISO code such as IDR or USD.")})

    @property
    def corroboration_meaning(self):
        return CORROBORATION_MEANING[self.corroboration]

    @property
    def new_entity_record(self):
        """The registry's record of the entity it founded (a cooperative or a partner), if any."""
        return self.new_entity_cooperative if self.new_entity_cooperative_id else self.new_entity_partner

    def save(self, *args, **kwargs):
        if not self.reference:
            self.reference = ReferenceSequence.next_reference(timezone.localdate().year)
        super().save(*args, **kwargs)

    def refresh_derived(self):
        """Recompute category, international flag (and a missing direction) from the
        parties, and the corroboration level from their answers and the documents.

        Called after every change of the parties or the documents, whatever the path
        (service, admin inline, import). A missing direction between cooperatives gets the
        suggested one, so the stored record always satisfies its constraints.
        """
        parties = list(self.parties.select_related("cooperative", "partner"))
        category, international, suggested = derive_from_parties(parties)
        direction = self.direction
        if category == Category.ANTAR_KOPERASI and not direction:
            direction = suggested or Direction.HORIZONTAL
        corroboration = corroboration_of(parties, self.documents.filter(published=True).exists())
        Partnership.objects.filter(pk=self.pk).update(
            category=category, international=international, direction=direction, corroboration=corroboration
        )
        self.category, self.international, self.direction = category, international, direction
        self.corroboration = corroboration


def derive_from_parties(parties):
    """(category, international, suggested direction) for a set of parties.

    `parties` are PartnershipParty objects (saved or not) with their cooperative
    or partner loaded. Different tiers suggest vertical, one tier horizontal.
    """
    cooperatives = [party.cooperative for party in parties if party.cooperative_id]
    partners = [party.partner for party in parties if party.partner_id]
    category = Category.KEMITRAAN_USAHA if partners else Category.ANTAR_KOPERASI
    countries = {str(org.country) for org in [*cooperatives, *partners]}
    tiers = {TIER_RANK[cooperative.tier] for cooperative in cooperatives}
    suggested = ""
    if len(cooperatives) >= 2:
        suggested = Direction.VERTIKAL if len(tiers) > 1 else Direction.HORIZONTAL
    return category, len(countries) > 1, suggested


class PartnershipPartyQuerySet(models.QuerySet):
    def awaiting(self, user):
        """Parties of cooperatives this user acts for that have not answered yet."""
        # The ids, read once for the request's user (registry.policy.acting_for_ids), not
        # a subquery: the dashboard asks three questions of the same cooperatives.
        return self.filter(confirmation=Confirmation.PENDING, cooperative_id__in=sorted(acting_for_ids(user)))


class PartnershipParty(OneQueryChecks, ChoiceDisplayMixin, models.Model):
    """One organisation's part in a partnership: exactly one cooperative or one partner."""

    partnership = models.ForeignKey(
        Partnership, verbose_name=_("partnership"), on_delete=models.CASCADE, related_name="parties"
    )
    cooperative = models.ForeignKey(
        Cooperative,
        verbose_name=_("cooperative"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partnership_parties",
        db_index=False,  # party_cooperative begins with it
    )
    partner = models.ForeignKey(
        Partner,
        verbose_name=_("partner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partnership_parties",
        db_index=False,  # party_partner begins with it
    )
    role = models.CharField(_("role"), max_length=12, choices=PartyRole.choices, default=PartyRole.MEMBER)
    confirmation = models.CharField(
        _("confirmation"), max_length=10, choices=Confirmation.choices, default=Confirmation.PENDING
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("answered at"), null=True, blank=True, editable=False)
    decline_reason = models.TextField(_("reason for declining"), blank=True)

    history = HistoricalRecords()
    objects = PartnershipPartyQuerySet.as_manager()

    class Meta:
        ordering = ["partnership", "id"]
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        indexes = [
            models.Index(fields=["cooperative", "partnership"], name="party_cooperative"),
            models.Index(fields=["partner", "partnership"], name="party_partner"),
            # The few cooperative parties that have not confirmed (the admin's
            # "all confirmed" column and filter, the dashboards).
            models.Index(
                fields=["partnership"],
                condition=Q(cooperative__isnull=False) & ~Q(confirmation=Confirmation.CONFIRMED),
                name="party_unconfirmed",
            ),
            # The official's dashboard: my cooperatives' parties waiting for an answer.
            models.Index(fields=["cooperative"], condition=Q(confirmation=Confirmation.PENDING), name="party_pending"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(cooperative__isnull=False) & Q(partner__isnull=True))
                | (Q(cooperative__isnull=True) & Q(partner__isnull=False)),
                name="party_is_one_cooperative_or_one_partner",
                violation_error_message=_("A party is exactly one cooperative or one partner."),
            ),
            models.UniqueConstraint(
                fields=["partnership", "cooperative"],
                condition=Q(cooperative__isnull=False),
                name="party_cooperative_once",
                violation_error_message=_("This cooperative is already a party to this partnership."),
            ),
            models.UniqueConstraint(
                fields=["partnership", "partner"],
                condition=Q(partner__isnull=False),
                name="party_partner_once",
                violation_error_message=_("This partner is already a party to this partnership."),
            ),
            models.CheckConstraint(condition=Q(role__in=PartyRole.values), name="party_role_valid"),
            models.CheckConstraint(
                condition=Q(confirmation__in=Confirmation.values), name="party_confirmation_valid"
            ),
            models.CheckConstraint(
                condition=~Q(confirmation=Confirmation.DECLINED) | ~Q(decline_reason=""),
                name="party_decline_has_reason",
                violation_error_message=_("Declining needs a reason."),
            ),
        ]

    def __str__(self):
        return f"{self.partnership_id}: {self.cooperative_id or self.partner_id}"

    @property
    def organisation(self):
        return self.cooperative if self.cooperative_id else self.partner

    def clean(self):
        super().clean()
        if bool(self.cooperative_id) == bool(self.partner_id):
            raise ValidationError(_("A party is exactly one cooperative or one partner."))
        if self.confirmation == Confirmation.DECLINED and not self.decline_reason.strip():
            raise ValidationError({"decline_reason": _("Declining needs a reason.")})

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self.partnership.refresh_derived()

    def delete(self, *args, **kwargs):
        partnership = self.partnership
        result = super().delete(*args, **kwargs)
        partnership.refresh_derived()
        return result


class PartnershipProvince(models.Model):
    """A partnership in a province where one of its parties (cooperative or partner)
    sits, with the partnership's columns the public list filters and sorts on.

    PostgreSQL keeps these rows, and their counts, as the data changes
    (partnerships/migrations/0013_province_rows.py): the list filtered to a province
    walks them in its order instead of gathering the province's parties first. Nobody
    writes them but the database; SQLite has no such table (the filter reads the
    parties there).
    """

    pk = models.CompositePrimaryKey("partnership", "province")
    partnership = models.ForeignKey(
        Partnership, on_delete=models.DO_NOTHING, db_constraint=False, related_name="province_rows"
    )
    province = models.ForeignKey(Province, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    verification = models.TextField()
    category = models.TextField()
    direction = models.TextField()
    international = models.BooleanField()
    status = models.TextField()
    start_date = models.DateField()
    end_date = models.DateField(null=True)

    class Meta:
        managed = False
        db_table = "partnerships_partnershipprovince"


class PartnershipDocument(OneQueryChecks, CleanTextMixin, models.Model):
    """An agreement document: PDF, PNG or JPEG, checked by content, at most 10 MB.

    Stored under MEDIA_ROOT with a random name and served only through the
    partnership's access check (never as a public static file).
    """

    partnership = models.ForeignKey(
        Partnership, verbose_name=_("partnership"), on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("document date"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to=document_upload_to, max_length=200)
    content_type = models.CharField(_("content type"), max_length=20, editable=False)
    size = models.PositiveIntegerField(_("size in bytes"), default=0, editable=False)
    original_name = models.CharField(_("original file name"), max_length=200, blank=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    # A document added by a change to a verified partnership waits with the change:
    # published when a curator verifies it, seen meanwhile by the parties and curators.
    published = models.BooleanField(_("published"), default=True, db_default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["partnership", "-date", "id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.CheckConstraint(
                condition=Q(content_type__in=["application/pdf", "image/png", "image/jpeg"]),
                name="document_content_type_allowed",
            ),
            models.CheckConstraint(
                condition=Q(size__gt=0) & Q(size__lte=MAX_DOCUMENT_SIZE), name="document_size_allowed"
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        self.inspect_file()

    def save(self, *args, **kwargs):
        self.inspect_file()
        super().save(*args, **kwargs)
        self.partnership.refresh_derived()  # a published document corroborates

    def delete(self, *args, **kwargs):
        partnership = self.partnership
        result = super().delete(*args, **kwargs)
        partnership.refresh_derived()
        return result

    def inspect_file(self):
        """Learn the type and size from the content of a newly attached file."""
        if self.file and not self.file._committed:
            self.content_type, self.size = inspect_document(self.file)
            self.original_name = os.path.basename(self.file.name or "")[-200:]


class ChangeAnswerQuerySet(models.QuerySet):
    def awaiting(self, user):
        """The answers of cooperatives this user acts for that a waiting change still needs."""
        return self.filter(
            confirmation=Confirmation.PENDING,
            revision__state=RevisionState.PENDING,
            cooperative_id__in=sorted(acting_for_ids(user)),
        )


class ChangeAnswer(OneQueryChecks, ChoiceDisplayMixin, models.Model):
    """A cooperative party's answer to a change of substance proposed for a verified
    partnership (its pending Revision): the change is published only once every
    cooperative party it asks has confirmed it."""

    revision = models.ForeignKey(
        Revision, verbose_name=_("pending change"), on_delete=models.CASCADE, related_name="partnership_answers"
    )
    cooperative = models.ForeignKey(
        Cooperative, verbose_name=_("cooperative"), on_delete=models.CASCADE, related_name="+"
    )
    confirmation = models.CharField(
        _("confirmation"), max_length=10, choices=Confirmation.choices, default=Confirmation.PENDING
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("answered by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)

    objects = ChangeAnswerQuerySet.as_manager()

    class Meta:
        ordering = ["revision", "id"]
        verbose_name = _("answer to a change")
        verbose_name_plural = _("answers to changes")
        indexes = [models.Index(fields=["cooperative", "confirmation"], name="change_answer_cooperative")]
        constraints = [
            models.UniqueConstraint(fields=["revision", "cooperative"], name="change_answer_once"),
            models.CheckConstraint(
                condition=Q(confirmation__in=Confirmation.values), name="change_answer_confirmation_valid"
            ),
            models.CheckConstraint(
                condition=~Q(confirmation=Confirmation.DECLINED) | ~Q(decline_reason=""),
                name="change_answer_decline_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.cooperative} · {self.get_confirmation_display()}"
