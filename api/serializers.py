"""What the API shows of each record: the fields of its page, as data. Thin: the rows
come shaped by the same QuerySet methods as the pages (for_list(), the selectors), and
what a reader may read of a party's name is kopnet.policy's, as on the pages."""

from django.conf import settings
from rest_framework import serializers

from kopnet import links, policy
from partnerships import standards
from partnerships.models import Direction, NewEntityKind, Partnership, PartnershipParty, PartnershipStatus, PartyRole
from partnerships.policy import party_name
from registry.models import Cooperative, Membership, Partner, Province, Regency


def site_url(route, key):
    """The address of a record's page on SITE_URL, as the CSV downloads write it."""
    return settings.SITE_URL.rstrip("/") + links.url_of(route, key)


class ChosenFields:
    """A serializer that keeps only the fields the client chose (api.views' fields=
    and brief=1); all of them when `fields` is None."""

    def __init__(self, *args, fields=None, **kwargs):
        super().__init__(*args, **kwargs)
        if fields is not None:
            for name in [name for name in self.fields if name not in fields]:
                self.fields.pop(name)


class RecordSerializer(ChosenFields, serializers.ModelSerializer):
    """A record with its API address (`url`) and its page's (`page`)."""

    api_route = page_route = key = None
    url = serializers.SerializerMethodField(help_text="This record in the API.")
    page = serializers.SerializerMethodField(help_text="This record's page on KopNet.")

    def get_url(self, record) -> str:
        return self.context["request"].build_absolute_uri(links.url_of(self.api_route, getattr(record, self.key)))

    def get_page(self, record) -> str:
        return site_url(self.page_route, getattr(record, self.key))


class CooperativeSerializer(RecordSerializer):
    api_route, page_route, key = "api:cooperative-detail", "registry:cooperative_detail", "slug"

    province = serializers.CharField(source="province_id", allow_null=True, help_text="Its province's code (two digits).")
    province_name = serializers.CharField(source="province.name", allow_null=True, default=None)
    regency_code = serializers.CharField(source="regency_place_id", allow_null=True, help_text="Kemendagri code (32.04).")
    district_code = serializers.CharField(source="district_id", allow_null=True)
    village_code = serializers.CharField(source="village_id", allow_null=True)
    sectors = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    members = serializers.IntegerField(source="member_count")
    country = serializers.CharField(source="country.code")
    verified = serializers.BooleanField(source="is_verified")

    class Meta:
        model = Cooperative
        fields = [
            "slug", "url", "page", "name", "short_name", "tier", "type", "sectors", "status", "scope",
            "country", "province", "province_name", "regency", "regency_code", "district_code", "village_code",
            "address", "nik", "legal_number", "legal_date", "founded", "individual_members", "members",
            "website", "email", "phone", "verified", "updated_at",
        ]  # fmt: skip


class PartnerSerializer(RecordSerializer):
    api_route, page_route, key = "api:partner-detail", "registry:partner_detail", "slug"

    province = serializers.CharField(source="province_id", allow_null=True)
    regency_code = serializers.CharField(source="regency_place_id", allow_null=True)
    district_code = serializers.CharField(source="district_id", allow_null=True)
    village_code = serializers.CharField(source="village_id", allow_null=True)
    country = serializers.CharField(source="country.code")
    verified = serializers.BooleanField(source="is_verified")

    class Meta:
        model = Partner
        fields = [
            "slug", "url", "page", "name", "kind", "country", "province", "regency_code", "district_code",
            "village_code", "registration_number", "website", "description", "verified", "updated_at",
        ]  # fmt: skip


class PartySerializer(serializers.ModelSerializer):
    """A party: its organisation (a cooperative or a partner) as this reader may name
    it, its role and whether it confirmed."""

    organisation_type = serializers.SerializerMethodField()
    organisation = serializers.SerializerMethodField(help_text="The organisation's slug; null if not yours to see.")
    name = serializers.SerializerMethodField()
    ocds_role = serializers.SerializerMethodField(help_text="OCDS partyRole, where one fits (partnerships/standards.py).")
    iati_role = serializers.SerializerMethodField(help_text="IATI OrganisationRole code, where one fits.")

    class Meta:
        model = PartnershipParty
        fields = ["organisation_type", "organisation", "name", "role", "ocds_role", "iati_role", "confirmation"]

    def get_ocds_role(self, party) -> str | None:
        return standards.OCDS_PARTY_ROLE.get(party.role)

    def get_iati_role(self, party) -> str | None:
        return standards.IATI_ORGANISATION_ROLE.get(party.role)

    def get_organisation_type(self, party) -> str:
        return "cooperative" if party.cooperative_id else "partner"

    def get_organisation(self, party) -> str | None:
        user = self.context["request"].user
        return party.organisation.slug if policy.may(user, "name", party) else None

    def get_name(self, party) -> str:
        return party_name(self.context["request"].user, party)


class PartnershipSerializer(RecordSerializer):
    api_route, page_route, key = "api:partnership-detail", "partnerships:partnership_detail", "reference"

    parties = PartySerializer(many=True, read_only=True)
    objectives = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    fields = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    new_entity_record = serializers.SerializerMethodField(help_text="The new entity's record, when you may see it.")
    gleif_validation_sources = serializers.SerializerMethodField(
        help_text="The corroboration as GLEIF's ValidationSources (partnerships/standards.py)."
    )
    verified = serializers.BooleanField(source="is_verified")

    class Meta:
        model = Partnership
        fields = [
            "reference", "url", "page", "title", "description", "category", "direction", "international",
            "status", "start_date", "end_date", "value", "currency", "corroboration", "gleif_validation_sources",
            "parties", "objectives",
            "fields", "new_entity", "new_entity_name", "new_entity_kind", "new_entity_record", "verified",
            "updated_at",
        ]  # fmt: skip

    def get_gleif_validation_sources(self, partnership) -> str:
        return standards.GLEIF_VALIDATION_SOURCES[partnership.corroboration]

    def get_new_entity_record(self, partnership) -> str | None:
        record = partnership.new_entity_record
        if record is None or not policy.may(self.context["request"].user, "name", record):
            return None
        route = "api:cooperative-detail" if isinstance(record, Cooperative) else "api:partner-detail"
        return self.context["request"].build_absolute_uri(links.url_of(route, record.slug))


class ProvinceSerializer(ChosenFields, serializers.ModelSerializer):
    class Meta:
        model = Province
        fields = ["code", "name"]


class RegencySerializer(ChosenFields, serializers.ModelSerializer):
    province = serializers.CharField(source="province_id")

    class Meta:
        model = Regency
        fields = ["code", "name", "province"]


class TermSerializer(ChosenFields, serializers.Serializer):
    """A curated term (sector, objective, cooperation field) in both languages."""

    slug = serializers.SlugField()
    name = serializers.CharField(help_text="In Indonesian.")
    name_en = serializers.CharField(help_text="In English.")


class MembershipSerializer(ChosenFields, serializers.ModelSerializer):
    """A member cooperative's membership of a federation, both by slug."""

    # Its address in the changes feed (api.changes); it has no page of its own.
    api_route, page_route, key = "api:membership-detail", None, "id"
    member = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    federation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    active = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = ["id", "member", "federation", "start_date", "end_date", "active"]

    def get_active(self, membership) -> bool:
        return membership.end_date is None


def counted(rows):
    """(code, label, count) rows of the statistics as objects."""
    return [{"code": code, "name": str(name), "count": count} for code, name, count in rows]


def statistics_data(partnerships, cooperatives, as_of):
    """What /statistik/ shows (partnerships.selectors.statistics()), as data."""
    return {
        "as_of": as_of.isoformat() if as_of else None,
        "partnerships": {
            "total": partnerships["total"],
            "international": partnerships["international"],
            **{
                name: counted(partnerships[name])
                for name in ("categories", "directions", "fields", "provinces", "corroboration")
            },
            "started_per_year": [{"year": year, "count": count} for year, _label, count in partnerships["years"]],
            "active_per_year": [{"year": year, "count": count} for year, _label, count in partnerships["active_years"]],
        },
        "cooperatives": {
            "total": cooperatives["total"],
            **{name: counted(cooperatives[name]) for name in ("tiers", "types", "provinces")},
        },
    }


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Why: the parties' officials read it.")


class VerifySerializer(serializers.Serializer):
    override_note = serializers.CharField(
        max_length=2000, required=False, default="", allow_blank=True,
        help_text="Why it is verified while a cooperative party has not answered.",
    )  # fmt: skip


class PartyWriteSerializer(serializers.Serializer):
    organisation_type = serializers.ChoiceField(choices=["cooperative", "partner"])
    organisation = serializers.SlugField(help_text="The organisation's slug.")
    role = serializers.ChoiceField(choices=PartyRole.choices, default=PartyRole.MEMBER)


class PartnershipRegistrationSerializer(serializers.Serializer):
    """What registering a partnership takes (api.registration writes it into the page's form)."""

    initiator = serializers.SlugField(help_text="The slug of the cooperative you register it for.")
    initiator_role = serializers.ChoiceField(choices=PartyRole.choices, default=PartyRole.INITIATOR)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    start_date = serializers.DateField()
    end_date = serializers.DateField(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=PartnershipStatus.choices)
    direction = serializers.ChoiceField(choices=Direction.choices, required=False, allow_blank=True)
    objectives = serializers.ListField(child=serializers.SlugField(), required=False)
    fields = serializers.ListField(child=serializers.SlugField(), required=False)
    new_entity = serializers.BooleanField(required=False)
    new_entity_name = serializers.CharField(required=False, allow_blank=True)
    new_entity_kind = serializers.ChoiceField(choices=NewEntityKind.choices, required=False, allow_blank=True)
    value = serializers.DecimalField(max_digits=18, decimal_places=2, required=False, allow_null=True)
    currency = serializers.CharField(max_length=3, required=False)
    parties = PartyWriteSerializer(many=True, help_text="The other parties.")


class PartnershipEditSerializer(PartnershipRegistrationSerializer):
    """What an edit may change: any field of a registration but its initiator, each optional."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("initiator")
        for field in self.fields.values():
            field.required = False


class ChangeSerializer(serializers.Serializer):
    """One change of a public record (api.changes)."""

    cursor = serializers.SerializerMethodField(help_text="Resume after this change: `?after=<cursor>`.")
    at = serializers.DateTimeField(source="row.history_date", help_text="When it was saved.")
    kind = serializers.CharField(source="source.kind", help_text="cooperative, partner, partnership or membership.")
    key = serializers.SerializerMethodField(help_text="The record's slug or reference at that moment (a membership's id).")
    change = serializers.CharField(help_text="created, verified, updated, ended, merged or withdrawn.")
    fields = serializers.ListField(child=serializers.CharField(), help_text="The API's fields that changed (updated, ended).")
    url = serializers.SerializerMethodField(help_text="The record in the API (a merged one's answers 301).")
    page = serializers.SerializerMethodField(help_text="The record's page on KopNet (null for a membership: its cooperatives' pages show it).")
    into = serializers.SerializerMethodField(help_text="merged: the record it was merged into, in the API.")

    def get_cursor(self, change) -> str:
        return change.position.cursor()

    def get_key(self, change) -> str:
        return str(getattr(change.row, change.source.key))

    def get_url(self, change) -> str:
        return self.context["request"].build_absolute_uri(links.url_of(change.source.api_route, self.get_key(change)))

    def get_page(self, change) -> str | None:
        return site_url(change.source.page_route, self.get_key(change)) if change.source.page_route else None

    def get_into(self, change) -> str | None:
        return self.context["request"].build_absolute_uri(change.into) if change.into else None


class ChangePageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True, help_text="The changes after these (null: none yet, start without `after`).")
    more = serializers.BooleanField(help_text="Whether more changes are ready now.")
    results = ChangeSerializer(many=True)
