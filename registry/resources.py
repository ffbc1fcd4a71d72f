"""Spreadsheet import and export of cooperatives and partners (django-import-export).

The columns are the public CSV's: a curator can export a list, correct it in a
spreadsheet and import it again. Rows are identified by slug; a row without one is a
new record. Every row runs the model's full_clean(), the same validation as the
admin forms, and the values a spreadsheet gets wrong most often (an unknown
province code, sector slug or choice) get a message that says what is expected.
Imports never touch verification: new records start pending, existing ones keep
their state.
"""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from import_export.fields import Field
from import_export.widgets import Widget

from kopnet.imports import (
    ChoiceWidget,
    IsoDateWidget,
    SpreadsheetResource,
    TermsWidget,
    TextWidget,
    ValidCodes,
    as_text,
    is_blank,
)
from registry.models import (
    INDONESIA,
    Cooperative,
    CooperativeStatus,
    CooperativeType,
    Partner,
    PartnerKind,
    Province,
    Scope,
    Sector,
    Tier,
)

class CountryWidget(Widget):
    """A two-letter ISO 3166 code; an empty cell means Indonesia, as in the forms."""

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return INDONESIA
        code = as_text(value).upper()
        if not countries.alpha2(code):
            raise ValueError(
                gettext("Unknown country code “%(value)s”: use a two-letter ISO 3166 code such as ID or US.")
                % {"value": as_text(value)}
            )
        return countries.alpha2(code)

    def render(self, value, obj=None, **kwargs):
        return getattr(value, "code", value) or ""


class ProvinceWidget(Widget):
    """A province by its two-digit Kemendagri code (32 is Jawa Barat)."""

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        code = as_text(value)
        province = Province.objects.filter(code=code).first()
        if province is None:
            raise ValueError(
                gettext("Unknown province code “%(value)s”: use the two-digit Kemendagri code, e.g. 32 for Jawa Barat.")
                % {"value": code}
            )
        return province

    def render(self, value, obj=None, **kwargs):
        return value.code if value else ""


class SectorsWidget(TermsWidget):
    """Sector slugs separated by "|"; an unknown slug is an error, not silently dropped."""

    unknown_message = _("Unknown sector “%(unknown)s”: use sector slugs separated by “|”, from: %(known)s.")

    def __init__(self):
        super().__init__(Sector, Sector._meta.verbose_name)


class WholeNumberWidget(Widget):
    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        try:
            number = float(as_text(value).replace(" ", "")) if not isinstance(value, int) else value
        except ValueError:
            number = None
        if number is None or not float(number).is_integer():
            raise ValueError(gettext("Enter a whole number, not “%(value)s”.") % {"value": as_text(value)})
        return int(number)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value


class NikWidget(Widget):
    """NIK Koperasi as text: a spreadsheet may turn the 16 digits into a number."""

    def clean(self, value, row=None, **kwargs):
        return None if is_blank(value) else as_text(value)


PROVINCE_CODES = ValidCodes("province_code", _("Provinces"), model=Province, code_field="code")


class CooperativeResource(SpreadsheetResource):
    # Sectors and province from the lists that ship with the app (migrations).
    example = {
        "name": "Koperasi Contoh Sejahtera",
        "short_name": "KCS",
        "tier": Tier.PRIMER,
        "type": CooperativeType.KONSUMEN,
        "sectors": "pertanian|perikanan",
        "province_code": "32",
        "country": INDONESIA,
        "regency": "Kabupaten Bandung",
        "address": "Jl. Merdeka No. 1",
        "scope": Scope.KABUPATEN_KOTA,
        "status": CooperativeStatus.AKTIF,
        "individual_members": "120",
        "founded": "2001-05-17",
        "legal_number": "518/BH/XIII/2001",
        "legal_date": "2001-06-04",
        "email": "pengurus@koperasi-contoh.id",
        "phone": "022-1234567",
    }
    codes = (
        ValidCodes("tier", _("Tiers"), choices=Tier),
        ValidCodes("type", _("Types"), choices=CooperativeType),
        ValidCodes("scope", _("Scopes"), choices=Scope),
        ValidCodes("status", _("Statuses"), choices=CooperativeStatus),
        ValidCodes("sectors", _("Sectors"), model=Sector),
        PROVINCE_CODES,
    )

    slug = Field(attribute="slug", column_name="slug", widget=TextWidget())
    name = Field(attribute="name", column_name="name", widget=TextWidget())
    short_name = Field(attribute="short_name", column_name="short_name", widget=TextWidget())
    tier = Field(attribute="tier", column_name="tier", widget=ChoiceWidget(Tier, _("tier")))
    type = Field(attribute="type", column_name="type", widget=ChoiceWidget(CooperativeType, _("type")))
    sectors = Field(attribute="sectors", column_name="sectors", widget=SectorsWidget())
    province_code = Field(attribute="province", column_name="province_code", widget=ProvinceWidget())
    country = Field(attribute="country", column_name="country", widget=CountryWidget())
    regency = Field(attribute="regency", column_name="regency", widget=TextWidget())
    address = Field(attribute="address", column_name="address", widget=TextWidget())
    scope = Field(attribute="scope", column_name="scope", widget=ChoiceWidget(Scope, _("scope")))
    status = Field(
        attribute="status",
        column_name="status",
        widget=ChoiceWidget(CooperativeStatus, _("status"), default=CooperativeStatus.AKTIF),
    )
    individual_members = Field(
        attribute="individual_members", column_name="individual_members", widget=WholeNumberWidget()
    )
    founded = Field(attribute="founded", column_name="founded", widget=IsoDateWidget())
    nik = Field(attribute="nik", column_name="nik", widget=NikWidget())
    legal_number = Field(attribute="legal_number", column_name="legal_number", widget=TextWidget())
    legal_date = Field(attribute="legal_date", column_name="legal_date", widget=IsoDateWidget())
    website = Field(attribute="website", column_name="website", widget=TextWidget())
    email = Field(attribute="email", column_name="email", widget=TextWidget())
    phone = Field(attribute="phone", column_name="phone", widget=TextWidget())

    class Meta:
        model = Cooperative
        name = _("Cooperatives")
        fields = (
            "slug", "name", "short_name", "tier", "type", "sectors", "province_code", "country",
            "regency", "address", "scope", "status", "individual_members", "founded", "nik",
            "legal_number", "legal_date", "website", "email", "phone", "verification",
        )  # fmt: skip
        import_order = export_order = fields
        import_id_fields = ["slug"]


class PartnerResource(SpreadsheetResource):
    example = {
        "name": "PT Mitra Contoh",
        "kind": PartnerKind.SWASTA,
        "country": INDONESIA,
        "province_code": "32",
        "registration_number": "AHU-0012345.AH.01.01.2020",
        "description": "Pembeli hasil panen anggota koperasi.",
    }
    codes = (ValidCodes("kind", _("Partner kinds"), choices=PartnerKind), PROVINCE_CODES)

    slug = Field(attribute="slug", column_name="slug", widget=TextWidget())
    name = Field(attribute="name", column_name="name", widget=TextWidget())
    kind = Field(attribute="kind", column_name="kind", widget=ChoiceWidget(PartnerKind, _("kind")))
    country = Field(attribute="country", column_name="country", widget=CountryWidget())
    province_code = Field(attribute="province", column_name="province_code", widget=ProvinceWidget())
    registration_number = Field(
        attribute="registration_number", column_name="registration_number", widget=TextWidget()
    )
    website = Field(attribute="website", column_name="website", widget=TextWidget())
    description = Field(attribute="description", column_name="description", widget=TextWidget())

    class Meta:
        model = Partner
        name = _("Partners")
        fields = (
            "slug", "name", "kind", "country", "province_code", "registration_number", "website",
            "description", "verification",
        )  # fmt: skip
        import_order = export_order = fields
        import_id_fields = ["slug"]
