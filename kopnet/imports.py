"""What both apps' spreadsheet imports are made of (django-import-export).

The cell readers (TextWidget, ChoiceWidget, IsoDateWidget, TermsWidget) turn what a spreadsheet
hands over into values and say what was expected when they cannot; SpreadsheetResource
identifies rows by one column (a slug, a reference), checks every row with the
model's full_clean() and names each error by the file's column; bad_rows() lists the
refused rows of an import for the admin's page, in file order. A resource also says
what a person preparing a file needs: its template (template_header(), example_row())
and the codes its columns take (ValidCodes, valid_codes()).
"""

import csv
import io

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpResponse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import resources
from import_export.fields import Field
from import_export.widgets import CharWidget, DateWidget, ManyToManyWidget, Widget

from kopnet.lists import spreadsheet_cell, spreadsheet_value
from kopnet.services import curator_save

# What every import writes into the records' history.
CHANGE_REASON = "imported"
# Between the values of one cell (sectors, objectives, parties).
SEPARATOR = "|"


class ValidCodes:
    """The codes one column takes, for the import page's "Valid codes" section: a
    model's choices (no query) or a reference table's rows (one query)."""

    def __init__(self, column, title, *, choices=None, model=None, code_field="slug"):
        self.column = column
        self.title = title
        self.choices = choices
        self.model = model
        self.code_field = code_field

    def entries(self):
        """[(code, name in the active language)]."""
        if self.choices is not None:
            return [(value, str(label)) for value, label in self.choices.choices]
        return [(getattr(row, self.code_field), str(row)) for row in self.model.objects.order_by(self.code_field)]


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


class TermsWidget(ManyToManyWidget):
    """Curated terms (sectors, objectives, fields) by slug separated by "|"; an unknown
    slug is an error, not dropped."""

    unknown_message = _("Unknown %(label)s “%(unknown)s”: use slugs separated by “|”, from: %(known)s.")

    def __init__(self, model, label):
        self.label = label
        super().__init__(model, separator=SEPARATOR, field="slug")

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return self.model.objects.none()
        slugs = [slug.strip().lower() for slug in as_text(value).split(SEPARATOR) if slug.strip()]
        terms = self.model.objects.filter(slug__in=slugs)
        unknown = sorted(set(slugs) - {term.slug for term in terms})
        if unknown:
            raise ValueError(
                self.unknown_message
                % {
                    "label": self.label,
                    "unknown": "”, “".join(unknown),
                    "known": ", ".join(self.model.objects.order_by("slug").values_list("slug", flat=True)),
                }
            )
        return terms

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return SEPARATOR.join(sorted(term.slug for term in value.all()))


def file_row(number):
    """The row as a spreadsheet shows it: the header is row 1."""
    return number + 1


class Diff(resources.Diff):
    """The import preview's changes without inline styles (the Content-Security-Policy
    refuses them): diff_match_patch writes <ins style="background:..."> and <del ...>;
    admin.css colours the bare <ins> and <del> of the preview table."""

    def as_html(self):
        return [
            mark_safe(html.replace(' style="background:#e6ffe6;"', "").replace(' style="background:#ffe6e6;"', ""))
            for html in super().as_html()
        ]


class SpreadsheetResource(resources.ModelResource):
    """A resource whose rows are identified by `id_column` and checked like a form.

    A row without an identifier is a new record. Every row runs the model's
    full_clean() (and the rules of check_rules()), a cell django-import-export
    cannot read is reported with the row's other errors, and the errors are named
    by the file's columns. Imports never touch verification (a read-only column).
    """

    # The column that identifies a row (also in Meta.import_id_fields), and the
    # column that names it in the list of refused rows.
    id_column = "slug"
    label_column = "name"
    duplicate_id_message = _("This slug is already used by row %(row)s of this file.")
    # Model fields full_clean() leaves alone (given on save, e.g. a reference).
    unchecked_fields = ()
    # The example row of the import template, {column: value}; a column left out is
    # empty. It must import cleanly into a new, pending record (tests do it).
    example = {}
    # The codes the columns take (ValidCodes), listed on the import page.
    codes = ()

    verification = Field(attribute="verification", column_name="verification", readonly=True)

    class Meta:
        # Inherited by each resource's Meta (django-import-export merges them).
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def __init__(self, importing=False, **kwargs):
        super().__init__(**kwargs)
        self.importing = importing
        self._id_rows = {}
        self.curator = None

    def get_user_visible_fields(self):
        # The import page lists the columns it reads, and the identifier: not the
        # read-only ones (verification, derived values), which only export.
        fields = super().get_user_visible_fields()
        if not self.importing:
            return fields
        return [field for field in fields if not field.readonly or field.column_name == self.id_column]

    # The template a person fills in -------------------------------------------

    @classmethod
    def template_header(cls):
        """The columns the importer reads, in order: those the import page lists."""
        return [field.column_name for field in cls(importing=True).get_user_visible_fields()]

    @classmethod
    def example_row(cls):
        """The example's values, in the header's order."""
        return [cls.example.get(column, "") for column in cls.template_header()]

    @classmethod
    def valid_codes(cls):
        """[(ValidCodes, entries)]: one query per reference table, none for choices."""
        return [(codes, codes.entries()) for codes in cls.codes]

    @classmethod
    def template_response(cls, extension, filename):
        """The template as a download: the header and the example row, every cell
        written as plain text where a spreadsheet would run it as a formula."""
        rows = [cls.template_header(), [spreadsheet_cell(value) for value in cls.example_row()]]
        if extension == "csv":
            buffer = io.StringIO()
            csv.writer(buffer).writerows(rows)
            response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        else:
            from openpyxl import Workbook
            from openpyxl.styles import Font

            book = Workbook()
            sheet = book.active
            sheet.title = str(cls.get_display_name())[:31]
            for row in rows:
                # Every cell as text, as a person types codes: "32" stays "32", a
                # NIK Koperasi keeps its 16 digits.
                sheet.append([str(value) for value in row])
            for cell in sheet[1]:
                cell.font = Font(bold=True)
            for cell in sheet[2]:
                cell.number_format = "@"
            sheet.freeze_panes = "A2"
            buffer = io.BytesIO()
            book.save(buffer)
            response = HttpResponse(
                buffer.getvalue(),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        response["Content-Disposition"] = f'attachment; filename="{filename}.{extension}"'
        return response

    def get_diff_class(self):
        return Diff

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
        if self.id_column not in headers:
            # No identifier column at all: every row is a new record.
            dataset.append_col([""] * len(dataset), header=self.id_column)

    # Row level ------------------------------------------------------------

    def row_id(self, row):
        """The row's identifier ("" for a new record), as rows are compared."""
        value = row.get(self.id_column)
        return "" if is_blank(value) else as_text(value)

    def check_row_id(self, identifier):
        """Errors of an identifier that no other row of the file uses: {} when none."""
        return {}

    def export_field(self, field, instance, **kwargs):
        # The admin's CSV and XLSX exports: a cell that would run as a formula (a name
        # "=1+1" or "@SUM(...)" that anyone may register) is written as text, as the
        # public CSVs write it; before_import_row() reads it back as it was.
        return spreadsheet_cell(super().export_field(field, instance, **kwargs))

    def before_import_row(self, row, row_number=None, **kwargs):
        for column, value in row.items():
            row[column] = spreadsheet_value(value)
        errors = {}
        for column, value in row.items():
            if isinstance(value, str) and "\x00" in value:
                errors[column or NON_FIELD_ERRORS] = [gettext("This cell contains a NUL character; remove it.")]
        identifier = self.row_id(row)
        if identifier and not errors:
            first = self._id_rows.setdefault(identifier, row_number)
            if first != row_number:
                errors[self.id_column] = [self.duplicate_id_message % {"row": file_row(first)}]
            else:
                errors.update(self.check_row_id(identifier))
        if errors:
            raise ValidationError(errors)

    def get_instance(self, instance_loader, row):
        if is_blank(row.get(self.id_column)):
            return None
        return super().get_instance(instance_loader, row)

    def import_instance(self, instance, row, **kwargs):
        """Read every column, also the many-to-many ones, before the row is saved.

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
        self.import_other_columns(instance, row, errors)
        if errors:
            raise ValidationError(errors)

    def import_other_columns(self, instance, row, errors):
        """Read the columns no field reads by itself, adding their problems to `errors`."""

    def check_rules(self, instance):
        """The rules beyond the model's full_clean(), as a ValidationError."""

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """full_clean() and check_rules(), with the errors named by the file's columns.

        When a cell could not be read, only the fields are checked: the rules
        across fields (clean(), constraints, check_rules()) would judge the
        unreadable cell's empty value and add messages that mislead.
        """
        errors = dict(import_validation_errors or {})
        try:
            if errors:
                instance.clean_fields(exclude={*errors, *self.unchecked_fields})
            else:
                instance.full_clean(exclude=self.unchecked_fields, validate_unique=validate_unique)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if not errors:
            try:
                self.check_rules(instance)
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        if errors:
            columns = {field.attribute: field.column_name for field in self.get_import_fields() if field.attribute}
            raise ValidationError(
                {columns.get(name, name): ValidationError(messages).messages for name, messages in errors.items()}
            )

    def after_init_instance(self, instance, new, row, **kwargs):
        super().after_init_instance(instance, new, row, **kwargs)
        # The values the row starts from: do_instance_save() writes the ones it changed.
        instance._values_read = self.column_values(instance)

    def column_values(self, instance):
        """{attribute: value} of the plain columns this resource imports."""
        values = {}
        for field in self.get_import_fields():
            if field.attribute and not field.readonly and not isinstance(field.widget, ManyToManyWidget):
                model_field = instance._meta.get_field(field.attribute)
                values[field.attribute] = getattr(instance, model_field.attname)
        return values

    def before_save_instance(self, instance, row, **kwargs):
        # The curator who imports: do_instance_save() writes in their name.
        self.curator = kwargs.get("user")

    def do_instance_save(self, instance, is_create):
        """A curator's edit by file, through the same locked service as one in the
        admin: the row is locked until the import commits, a row changed since the
        import read it is refused (the whole file is undone), only the columns that
        differ are written, and the version moves on, so an edit form or a pending
        change opened on the earlier version is refused."""
        read = getattr(instance, "_values_read", {})
        changed = [name for name, value in self.column_values(instance).items() if read.get(name) != value]
        curator_save(
            curator=self.curator,
            record=instance,
            fields=changed,
            version=None if is_create else instance.version,
            reason=CHANGE_REASON,
        )

    @classmethod
    def bad_rows(cls, result):
        """Every refused row of an import, in file order: (row in the file, identifier,
        label, messages).

        Rows that failed validation and rows that raised an error are listed together;
        the row number counts the header as row 1, as a spreadsheet does.
        """
        rows = []
        for invalid in result.invalid_rows:
            values = dict(zip(result.diff_headers, invalid.values))
            messages = [
                f"{column}: {message}" for column, errors in invalid.field_specific_errors.items() for message in errors
            ]
            messages += list(invalid.non_field_specific_errors)
            rows.append((file_row(invalid.number), values.get(cls.id_column), values.get(cls.label_column), messages))
        for error_row in result.error_rows:
            rows.append((file_row(error_row.number), "", "", [str(error.error) for error in error_row.errors]))
        return sorted(rows, key=lambda row: row[0])
