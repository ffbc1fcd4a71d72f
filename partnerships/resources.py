"""Spreadsheet import and export of partnerships (django-import-export).

The columns follow the public CSV where they can, so that a curator can export a
list, correct it in a spreadsheet and import it again. Rows are identified by their
reference; a row without one is a new partnership, which gets its reference on save
and starts pending verification (imports never change verification).

Every row runs Partnership.full_clean() and the party rules of the services (at
least two parties, each once, the initiator among them, a direction between
cooperatives, and on a verified partnership no party it gains that is not
verified); a file with any bad row saves nothing. After a row is saved its parties
are brought in line with the `parties` column through the curator's party service
(partnerships.services.parties_curate, as the admin's party rows) and the category
and the international flag are recomputed from them.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.fields import Field
from import_export.widgets import Widget

from kopnet.imports import (
    CHANGE_REASON,
    SEPARATOR,
    ChoiceWidget,
    IsoDateWidget,
    SpreadsheetResource,
    TermsWidget,
    TextWidget,
    ValidCodes,
    as_text,
    is_blank,
)
from kopnet.models import Verification

from partnerships.models import (
    CooperationField,
    NewEntityKind,
    Objective,
    Partnership,
    PartnershipParty,
    PartnershipStatus,
    PartyRole,
    Direction,
)
from partnerships.services import (
    apply_derived,
    check_parties,
    parties_curate,
    require_named_unmerged,
    require_verified_organisations,
)
from registry.models import Cooperative, Partner

COOPERATIVE_PREFIX, PARTNER_PREFIX = "coop:", "partner:"


class CooperativeSlugWidget(Widget):
    """A cooperative by its slug, as in the cooperatives' export."""

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        slug = as_text(value).lower()
        cooperative = Cooperative.objects.filter(slug=slug).first()
        if cooperative is None:
            raise ValueError(gettext("No cooperative has the slug “%(slug)s”.") % {"slug": as_text(value)})
        return cooperative

    def render(self, value, obj=None, **kwargs):
        return value.slug if value else ""


class BooleanTextWidget(Widget):
    """true/false as in the public CSV; a spreadsheet's TRUE, 1, yes and ya are read too."""

    TRUE = {"true", "1", "yes", "ya", "y"}
    FALSE = {"false", "0", "no", "tidak", "n", ""}

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        text = "" if is_blank(value) else as_text(value).lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValueError(gettext("Write true or false, not “%(value)s”.") % {"value": as_text(value)})

    def render(self, value, obj=None, **kwargs):
        return "true" if value else "false"


class AmountWidget(Widget):
    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        try:
            amount = Decimal(as_text(value).replace(" ", ""))
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite():
            raise ValueError(
                gettext("Enter an amount such as 1500000.00, not “%(value)s”.") % {"value": as_text(value)}
            )
        return amount

    def render(self, value, obj=None, **kwargs):
        if kwargs.get("force_native_type"):
            return value  # a number in a workbook (None: an empty cell)
        return "" if value is None else str(value)


def parse_parties(value):
    """Unsaved PartnershipParty objects from "coop:<slug>|partner:<slug>", or a ValueError."""
    tokens = [token.strip() for token in ("" if is_blank(value) else as_text(value)).split(SEPARATOR)]
    tokens = [token for token in tokens if token]
    wanted = {COOPERATIVE_PREFIX: [], PARTNER_PREFIX: []}
    problems = []
    for token in tokens:
        prefix = next((p for p in wanted if token.lower().startswith(p)), None)
        slug = token[len(prefix):].strip().lower() if prefix else ""
        if not slug:
            problems.append(
                gettext("“%(token)s” is not a party: write coop:<slug> or partner:<slug>, separated by “|”.")
                % {"token": token}
            )
            continue
        wanted[prefix].append(slug)
    cooperatives = {c.slug: c for c in Cooperative.objects.filter(slug__in=wanted[COOPERATIVE_PREFIX])}
    partners = {p.slug: p for p in Partner.objects.filter(slug__in=wanted[PARTNER_PREFIX])}
    parties = []
    for slug in wanted[COOPERATIVE_PREFIX]:
        if slug in cooperatives:
            parties.append(PartnershipParty(cooperative=cooperatives[slug]))
        else:
            problems.append(gettext("No cooperative has the slug “%(slug)s”.") % {"slug": slug})
    for slug in wanted[PARTNER_PREFIX]:
        if slug in partners:
            parties.append(PartnershipParty(partner=partners[slug]))
        else:
            problems.append(gettext("No partner has the slug “%(slug)s”.") % {"slug": slug})
    if problems:
        raise ValueError(" ".join(problems))
    return parties


# What the new_entity_record column sets.
ENTITY_FIELDS = ("new_entity_cooperative", "new_entity_partner")


def parse_entity(value):
    """(cooperative, partner) that "coop:<slug>" or "partner:<slug>" names (one of
    them None), (None, None) for an empty cell, or a ValueError."""
    text = "" if is_blank(value) else as_text(value).strip()
    if not text:
        return None, None
    prefix = next((p for p in (COOPERATIVE_PREFIX, PARTNER_PREFIX) if text.lower().startswith(p)), None)
    slug = text[len(prefix):].strip().lower() if prefix else ""
    model = Cooperative if prefix == COOPERATIVE_PREFIX else Partner
    record = model.objects.filter(slug=slug).first() if slug else None
    if record is None:
        raise ValueError(
            gettext("“%(value)s” names no record of the registry: write coop:<slug> or partner:<slug>.")
            % {"value": text}
        )
    return (record, None) if model is Cooperative else (None, record)


def party_key(party):
    return (party.cooperative_id, party.partner_id)


class PartnershipResource(SpreadsheetResource):
    id_column = "reference"
    label_column = "title"
    duplicate_id_message = _("This reference is already used by row %(row)s of this file.")
    # Given on save.
    unchecked_fields = ("reference",)

    reference = Field(attribute="reference", column_name="reference", widget=TextWidget(), readonly=True)
    title = Field(attribute="title", column_name="title", widget=TextWidget())
    description = Field(attribute="description", column_name="description", widget=TextWidget())
    category = Field(attribute="category", column_name="category", readonly=True)
    direction = Field(attribute="direction", column_name="direction", widget=ChoiceWidget(Direction, _("direction")))
    international = Field(
        attribute="international", column_name="international", widget=BooleanTextWidget(), readonly=True
    )
    status = Field(
        attribute="status",
        column_name="status",
        widget=ChoiceWidget(PartnershipStatus, _("status"), default=PartnershipStatus.DIUSULKAN),
    )
    start_date = Field(attribute="start_date", column_name="start_date", widget=IsoDateWidget())
    end_date = Field(attribute="end_date", column_name="end_date", widget=IsoDateWidget())
    initiator = Field(attribute="initiator", column_name="initiator", widget=CooperativeSlugWidget())
    # Read and written by this resource itself (import_other_columns, after_save_instance).
    parties = Field(column_name="parties")
    objectives = Field(attribute="objectives", column_name="objectives", widget=TermsWidget(Objective, _("objective")))
    cooperation_fields = Field(
        attribute="fields", column_name="fields", widget=TermsWidget(CooperationField, _("field of cooperation"))
    )
    new_entity = Field(attribute="new_entity", column_name="new_entity", widget=BooleanTextWidget())
    new_entity_name = Field(attribute="new_entity_name", column_name="new_entity_name", widget=TextWidget())
    new_entity_kind = Field(
        attribute="new_entity_kind",
        column_name="new_entity_kind",
        widget=ChoiceWidget(NewEntityKind, _("kind of the new entity")),
    )
    value = Field(attribute="value", column_name="value", widget=AmountWidget())
    currency = Field(attribute="currency", column_name="currency", widget=TextWidget())
    # The new entity's own record, "coop:<slug>" or "partner:<slug>" (issue 13 §1):
    # read by import_other_columns, written by dehydrate_new_entity_record. Last, so
    # that the columns before it keep their places.
    new_entity_record = Field(column_name="new_entity_record")

    # initiator and parties come from the registry (example_row()).
    example = {
        "title": "Pemasaran Bersama Gabah",
        "description": "Dua koperasi menjual gabah anggotanya bersama-sama.",
        "direction": Direction.HORIZONTAL,
        "status": PartnershipStatus.BERJALAN,
        "start_date": "2024-03-01",
        "objectives": "daya-tawar|skala-ekonomi",
        "fields": "pemasaran",
        "new_entity": "false",
        "value": "250000000",
        "currency": "IDR",
    }
    # Stand-ins when the registry holds fewer than two cooperatives.
    example_cooperatives = ("koperasi-contoh-satu", "koperasi-contoh-dua")
    codes = (
        ValidCodes("direction", _("Directions"), choices=Direction),
        ValidCodes("status", _("Statuses"), choices=PartnershipStatus),
        ValidCodes("new_entity_kind", _("Kinds of new entity"), choices=NewEntityKind),
        ValidCodes("objectives", _("Objectives"), model=Objective),
        ValidCodes("fields", _("Fields of cooperation"), model=CooperationField),
    )

    class Meta:
        model = Partnership
        name = _("Partnerships")
        fields = (
            "reference", "title", "description", "category", "direction", "international", "status",
            "start_date", "end_date", "initiator", "parties", "objectives", "cooperation_fields", "new_entity",
            "new_entity_name", "new_entity_kind", "value", "currency", "verification", "new_entity_record",
        )  # fmt: skip
        import_order = export_order = fields
        import_id_fields = ["reference"]

    @classmethod
    def example_row(cls):
        """The example between two cooperatives of the registry (verified ones first),
        so that the template imports as it is."""
        cooperatives = Cooperative.objects.order_by("slug").values_list("slug", flat=True)
        slugs = list(cooperatives.filter(verification=Verification.VERIFIED)[:2])
        if len(slugs) < 2:
            slugs = list(cooperatives[:2])
        first, second = slugs if len(slugs) == 2 else cls.example_cooperatives
        parties = SEPARATOR.join(f"{COOPERATIVE_PREFIX}{slug}" for slug in (first, second))
        values = {**cls.example, "initiator": first, "parties": parties}
        return [values.get(column, "") for column in cls.template_header()]

    @staticmethod
    def for_export(queryset):
        """The query shape an export reads: one query per related list, not per row."""
        return queryset.select_related("initiator", "new_entity_cooperative", "new_entity_partner").prefetch_related(
            Prefetch("parties", queryset=PartnershipParty.objects.select_related("cooperative", "partner")),
            "objectives",
            "fields",
        )

    def dehydrate_parties(self, partnership):
        return SEPARATOR.join(
            f"{COOPERATIVE_PREFIX}{party.cooperative.slug}"
            if party.cooperative_id
            else f"{PARTNER_PREFIX}{party.partner.slug}"
            for party in partnership.parties.all()
        )

    # Row level ------------------------------------------------------------

    def row_id(self, row):
        """The reference in capitals, written back into the row that the lookup reads."""
        reference = super().row_id(row).upper()
        if reference:
            row["reference"] = reference
        return reference

    def check_row_id(self, reference):
        if not Partnership.objects.filter(reference=reference).exists():
            # References are given out on registration, never chosen.
            return {
                "reference": [
                    gettext("No partnership has the reference “%(reference)s”: leave it empty to add a new one.")
                    % {"reference": reference}
                ]
            }
        return {}

    def import_other_columns(self, instance, row, errors):
        """The parties and the new entity's record, read before saving like every other column."""
        instance._imported_parties = None
        if "parties" in row:
            try:
                instance._imported_parties = parse_parties(row["parties"])
            except ValueError as error:
                errors.setdefault("parties", []).append(ValidationError(str(error)))
        if "new_entity_record" in row:
            try:
                instance.new_entity_cooperative, instance.new_entity_partner = parse_entity(row["new_entity_record"])
            except ValueError as error:
                errors.setdefault("new_entity_record", []).append(ValidationError(str(error)))

    def column_values(self, instance):
        """The plain columns, and the new entity's record that new_entity_record sets
        (by id: what do_instance_save() compares to decide what it writes)."""
        values = super().column_values(instance)
        for name in ENTITY_FIELDS:
            values[name] = getattr(instance, f"{name}_id")
        return values

    def dehydrate_new_entity_record(self, partnership):
        if partnership.new_entity_cooperative_id:
            return f"{COOPERATIVE_PREFIX}{partnership.new_entity_cooperative.slug}"
        if partnership.new_entity_partner_id:
            return f"{PARTNER_PREFIX}{partnership.new_entity_partner.slug}"
        return ""

    def parties_of(self, instance):
        """The parties a row asks for, or the stored ones when the file has no parties column."""
        if getattr(instance, "_imported_parties", None) is not None:
            return instance._imported_parties
        if instance.pk:
            return list(instance.parties.select_related("cooperative", "partner"))
        return []

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if not instance.pk:
            return False
        if not super().skip_row(instance, original, row, import_validation_errors):
            return False
        if any(getattr(instance, f"{name}_id") != getattr(original, f"{name}_id") for name in ENTITY_FIELDS):
            return False  # new_entity_record: a column the comparison above does not read
        if instance._imported_parties is None:
            return True
        stored = {party_key(party) for party in instance.parties.all()}
        return stored == {party_key(party) for party in instance._imported_parties}

    def check_rules(self, instance):
        """The party rules of the services, then category and international from the
        parties, and on a verified partnership, that the parties it gains are verified."""
        parties = self.parties_of(instance)
        try:
            check_parties(parties, instance.initiator)
            apply_derived(instance, parties)
            require_named_unmerged(parties, instance)
            require_verified_organisations(instance, self.parties_gained(instance))
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                raise
            raise ValidationError({"parties": error.messages}) from None

    def parties_gained(self, instance):
        """The rows of the `parties` column that the partnership does not have yet."""
        wanted = getattr(instance, "_imported_parties", None)
        if wanted is None or not instance.pk:
            return []
        stored = {party_key(party) for party in instance.parties.all()}
        return [party for party in wanted if party_key(party) not in stored]

    def before_save_instance(self, instance, row, **kwargs):
        super().before_save_instance(instance, row, **kwargs)
        if not instance.pk and kwargs.get("user") is not None:
            instance.created_by = kwargs["user"]

    def after_save_instance(self, instance, row, **kwargs):
        """Bring the parties in line with the row, through the curator's party
        service (parties_curate, as the admin's party rows), then recompute what
        they decide."""
        wanted = instance._imported_parties
        if wanted is None:
            instance.refresh_derived()
            return
        stored = {party_key(party): party for party in instance.parties.all()}
        keys = {party_key(party) for party in wanted}
        added = []
        for party in wanted:
            if party_key(party) in stored:
                continue
            is_initiator = party.cooperative_id == instance.initiator_id
            party.role = PartyRole.INITIATOR if is_initiator else PartyRole.MEMBER
            party._change_reason = CHANGE_REASON
            added.append(party)
        removed = [party for key, party in stored.items() if key not in keys]
        for party in removed:
            party._change_reason = CHANGE_REASON
        parties_curate(curator=self.curator, partnership=instance, parties=added, removed=removed)
