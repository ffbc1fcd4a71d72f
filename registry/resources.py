"""Spreadsheet import and export of cooperatives and partners (django-import-export).

The columns are the public CSV's: a curator can export a list, correct it in a
spreadsheet and import it again. Rows are identified by slug; a row without one is a
new record. Every row runs the model's full_clean(), the same validation as the
admin forms, and the values a spreadsheet gets wrong most often (an unknown
province code, sector slug or choice) get a message that says what is expected.
Imports never touch verification: new records start pending, existing ones keep
their state.
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from import_export import resources
from import_export.fields import Field
from import_export.widgets import CharWidget, DateWidget, ManyToManyWidget, Widget

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

SECTOR_SEPARATOR = "|"


class ImportFileError(Exception):
    """A problem with the whole file, shown once above the rows."""


def is_blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def as_text(value):
    """A cell as text: spreadsheets hand over numbers where people typed codes."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class TextWidget(CharWidget):
    def clean(self, value, row=None, **kwargs):
        return "" if is_blank(value) else as_text(value)


class ChoiceWidget(Widget):
    """A choice by its code (e.g. `sekunder`), with the valid codes in the message."""

    def __init__(self, choices, label, default=None):
        self.choices = choices
        self.label = label
        self.default = default
        super().__init__()

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return self.default or ""
        code = as_text(value).lower()
        if code not in self.choices.values:
            raise ValueError(
                gettext("Unknown %(label)s “%(value)s”: use one of %(choices)s.")
                % {"label": self.label, "value": as_text(value), "choices": ", ".join(self.choices.values)}
            )
        return code


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


class SectorsWidget(ManyToManyWidget):
    """Sector slugs separated by "|"; an unknown slug is an error, not silently dropped."""

    def __init__(self):
        super().__init__(Sector, separator=SECTOR_SEPARATOR, field="slug")

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return Sector.objects.none()
        slugs = [slug.strip().lower() for slug in as_text(value).split(SECTOR_SEPARATOR) if slug.strip()]
        sectors = Sector.objects.filter(slug__in=slugs)
        unknown = sorted(set(slugs) - {sector.slug for sector in sectors})
        if unknown:
            raise ValueError(
                gettext("Unknown sector “%(unknown)s”: use sector slugs separated by “|”, from: %(known)s.")
                % {
                    "unknown": "”, “".join(unknown),
                    "known": ", ".join(Sector.objects.order_by("slug").values_list("slug", flat=True)),
                }
            )
        return sectors

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return SECTOR_SEPARATOR.join(sorted(sector.slug for sector in value.all()))


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


class IsoDateWidget(DateWidget):
    def __init__(self):
        super().__init__(format="%Y-%m-%d")

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        try:
            return super().clean(value.strip() if isinstance(value, str) else value, row, **kwargs)
        except ValueError:
            raise ValueError(
                gettext("Enter a date as YYYY-MM-DD (e.g. 2015-07-12), not “%(value)s”.") % {"value": as_text(value)}
            ) from None


class RegistryResource(resources.ModelResource):
    """What cooperatives and partners share: slug identity, validation, messages."""

    verification = Field(attribute="verification", column_name="verification", readonly=True)

    def __init__(self, importing=False, **kwargs):
        super().__init__(**kwargs)
        self.importing = importing
        self._slug_rows = {}

    def get_user_visible_fields(self):
        # The import page lists the columns it reads: not verification, which only exports.
        fields = super().get_user_visible_fields()
        return [field for field in fields if not field.readonly] if self.importing else fields

    # File level -----------------------------------------------------------

    def before_import(self, dataset, **kwargs):
        """Normalise the header and refuse a file that has none of our columns."""
        headers = [as_text(header).lower() if header is not None else "" for header in dataset.headers or []]
        known = [field.column_name for field in self.get_import_fields() if not field.readonly]
        if not set(headers) & set(known):
            del dataset[:]
            raise ImportFileError(
                gettext("The first row must name the columns; this file has none of: %(columns)s.")
                % {"columns": ", ".join(known)}
            )
        dataset.headers = headers
        if "slug" not in headers:
            # No slug column at all: every row is a new record.
            dataset.append_col([""] * len(dataset), header="slug")

    # Row level ------------------------------------------------------------

    def before_import_row(self, row, row_number=None, **kwargs):
        errors = {}
        for column, value in row.items():
            if isinstance(value, str) and "\x00" in value:
                errors[column or NON_FIELD_ERRORS] = [gettext("This cell contains a NUL character; remove it.")]
        slug = as_text(row.get("slug")) if not is_blank(row.get("slug")) else ""
        if slug and not errors:
            first = self._slug_rows.setdefault(slug, row_number)
            if first != row_number:
                errors["slug"] = [
                    gettext("This slug is already used by row %(row)s of this file.") % {"row": file_row(first)}
                ]
        if errors:
            raise ValidationError(errors)

    def get_instance(self, instance_loader, row):
        if is_blank(row.get("slug")):
            return None
        return super().get_instance(instance_loader, row)

    def import_instance(self, instance, row, **kwargs):
        """Also check the many-to-many columns before the row is saved.

        django-import-export only reads them after saving, too late to report an
        unknown value together with the row's other errors.
        """
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for field in self.get_import_fields():
            if isinstance(field.widget, ManyToManyWidget) and field.column_name in row:
                try:
                    field.clean(row)
                except ValueError as error:
                    errors.setdefault(field.attribute, []).append(ValidationError(str(error)))
        if errors:
            raise ValidationError(errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """full_clean(), as the forms do, with the errors named by the file's columns.

        When a cell could not be read, only the fields are checked: the rules
        across fields (clean(), constraints) would judge the unreadable cell's
        empty value and add messages that mislead.
        """
        errors = dict(import_validation_errors or {})
        try:
            if errors:
                instance.clean_fields(exclude=set(errors))
            else:
                instance.full_clean(validate_unique=validate_unique)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            columns = {field.attribute: field.column_name for field in self.get_import_fields()}
            raise ValidationError(
                {columns.get(name, name): ValidationError(messages).messages for name, messages in errors.items()}
            )

    def before_save_instance(self, instance, row, **kwargs):
        instance._change_reason = "imported"


def file_row(number):
    """The row as a spreadsheet shows it: the header is row 1."""
    return number + 1


class CooperativeResource(RegistryResource):
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
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True


class PartnerResource(RegistryResource):
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
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
