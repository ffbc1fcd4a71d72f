"""The public list view both apps' lists are made of: a FilterSet's rows, paginated,
and the same rows as a CSV download (for programs) and an Excel workbook (for people)."""

import csv
import datetime
import decimal
import io
import itertools
import re

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.db.models import Case, CharField, Value, When
from django.core.exceptions import FieldDoesNotExist
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries
from django.views.generic.base import ContextMixin
from django_filters.views import FilterView

from kopnet import links, policy
from kopnet.cache import CachedCountPaginator
from kopnet.filters import applied_filters, without_filters

# Rows a CSV download reads from the database at a time: memory stays flat
# whatever the number of rows.
CSV_CHUNK = 2000
# A cell a spreadsheet would run as a formula (OWASP's "CSV injection"): text that
# starts with one of these is written with a leading apostrophe, which spreadsheets
# take as "this is text" and do not show.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Where CSV text may hold a cell that starts with one of them: a cell starts a line or
# follows a comma, after the quote that opens it if it is quoted. Every such cell is
# found, and now and then a harmless one (a comma or line inside a quoted cell). One
# pattern a character, led by it: the engine finds a leading character fast, where a
# pattern led by "a comma or a line" took a tenth of a national download.
MAYBE_FORMULA = [
    re.compile(f'{start}(?:(?<=[,\\n]{start})|(?<=[,\\n]"{start}))') for start in map(re.escape, FORMULA_STARTS)
]


def spreadsheet_cell(cell):
    """The cell as plain text if a spreadsheet would evaluate it."""
    return f"'{cell}" if isinstance(cell, str) and cell.startswith(FORMULA_STARTS) else cell


def spreadsheet_value(cell):
    """What spreadsheet_cell() made plain text, as it was: a curator's import of the
    admin's own export gives back the values exported."""
    if isinstance(cell, str) and cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS):
        return cell[1:]
    return cell


def spreadsheet_safe(row):
    """The row with every text cell that a spreadsheet would evaluate made plain text."""
    return [spreadsheet_cell(cell) for cell in row]


def may_hold_formula(text):
    """Whether CSV text may hold a cell that starts with one of FORMULA_STARTS."""
    text = "\n" + text  # its first cell starts a line too
    return any(pattern.search(text) for pattern in MAYBE_FORMULA)


def csv_text(rows):
    """The rows as CSV text, every cell a spreadsheet would run written as plain text.

    Looking at each cell of a national list cost more than writing it (a quarter of
    the download), so the rows are written as they are and written again cell by
    cell only when the text may hold such a cell.
    """
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    text = buffer.getvalue()
    if may_hold_formula(text):
        buffer = io.StringIO()
        csv.writer(buffer).writerows(map(spreadsheet_safe, rows))
        text = buffer.getvalue()
    return text


EXPORT_FORMATS = ("csv", "xlsx")
# A workbook is for a person to read: past this many rows, the CSV (which streams
# any number) is the download, or a narrower filter.
XLSX_MAX_ROWS = 50_000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The workbook's headings of columns that are no model field of the same name.
EXPORT_HEADINGS = {
    "url": gettext_lazy("Page in KopNet"),
    "verified": gettext_lazy("Verified"),
    "province_code": gettext_lazy("Province code"),
    "members": gettext_lazy("Members"),
    "parties": gettext_lazy("Parties"),
    "new_entity_url": gettext_lazy("Page of the new entity in KopNet"),
    "regency_code": gettext_lazy("Regency/city code"),
}


class RegistryListView(FilterView):
    """A filtered, paginated list of visible records that also downloads as CSV.

    Invalid filter values (or an unknown format) answer 400 with the form's errors
    and no rows: an empty list would claim that nothing matches.
    """

    paginate_by = settings.KOPNET_PAGE_SIZE
    paginator_class = CachedCountPaginator
    csv_name = None
    csv_header = ()
    # Columns added after the record's address, which ends the first ones; csv_row()
    # returns the header's cells, then these.
    csv_tail = ()
    # The page of a row's record ("app:route"), keyed by the row's first cell (its slug
    # or reference): every download ends with the record's address on SITE_URL.
    profile_page = None
    # The workbook's columns that hold ISO dates written as text.
    xlsx_dates = ()

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user).for_list()

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True, **kwargs):
        paginator = self.paginator_class(
            queryset,
            per_page,
            orphans=orphans,
            allow_empty_first_page=allow_empty_first_page,
            request=self.request,
            count_with_rows=bool(self.request.GET.get("q", "").strip()),
        )
        count = self.known_count()
        if count is not None:
            paginator.count = count
        return paginator

    def known_count(self):
        """The number of rows of the list, when it is known without counting them (None)."""
        return None

    def get(self, request, *args, **kwargs):
        self.filterset = self.get_filterset(self.get_filterset_class())
        export = request.GET.get("format", "")
        problems = []
        if export not in ("", *EXPORT_FORMATS):
            problems.append(_("This list downloads as CSV (format=csv) or as an Excel workbook (format=xlsx)."))
        if self.filterset.is_bound and not self.filterset.is_valid():
            problems.append(_("Some filters have values this list does not know. Correct the fields marked below."))
        if problems:
            self.object_list = None
            context = self.get_context_data(filter=self.filterset, problems=problems)
            return self.render_to_response(context, status=400)
        self.object_list = self.filterset.qs
        if export == "csv":
            return self.csv_response(self.object_list)
        if export == "xlsx":
            return self.xlsx_response(self.object_list)
        context = self.get_context_data(filter=self.filterset, object_list=self.object_list)
        return self.render_to_response(context)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("problems", [])
        kwargs["show_verification"] = policy.sees_everything(self.request.user, self.model)
        if kwargs["problems"]:
            # Nothing to list or paginate: skip MultipleObjectMixin, whose paginator
            # would turn ?page=3 into a 404 and hide the real problem.
            kwargs.update(object_list=None, paginator=None, page_obj=None, is_paginated=False)
            return ContextMixin.get_context_data(self, **kwargs)
        # What the list applies, above its rows (and counted on the folded panel's
        # button): read from the form the filterset already cleaned, no query.
        kwargs["applied_filters"] = applied_filters(self.filterset, self.request.path, self.request.GET)
        if kwargs["applied_filters"]:
            kwargs["without_filters"] = without_filters(self.request.path, self.request.GET, self.filterset)
        return super().get_context_data(**kwargs)

    def csv_rows(self, queryset):
        """The CSV's rows: sequences of the header's cells (None is written empty)."""
        for record in queryset.iterator(chunk_size=CSV_CHUNK):
            yield self.csv_row(record)

    def export_rows(self, queryset):
        """The CSV's rows, each with its record's address after the header's columns
        (which keep their order: scripts read them by position), then the columns
        added since (csv_tail)."""
        site = settings.SITE_URL.rstrip("/")
        width = len(self.csv_header)
        for row in self.csv_rows(queryset):
            yield (*row[:width], site + links.url_of(self.profile_page, row[0]), *row[width:])

    @property
    def export_columns(self):
        return (*self.csv_header, "url", *self.csv_tail)

    def csv_response(self, queryset):
        def blocks():
            # One piece of text per chunk of rows: a write to the socket per row
            # would cost more than the rows themselves.
            header = io.StringIO()
            csv.writer(header).writerow(self.export_columns)
            text = header.getvalue()
            rows = iter(self.export_rows(queryset))
            while chunk := list(itertools.islice(rows, CSV_CHUNK)):
                yield text + csv_text(chunk)
                text = ""
            if text:
                yield text

        filename = f"{self.csv_name}-{timezone.localdate():%Y-%m-%d}.csv"
        return StreamingHttpResponse(
            blocks(),
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )


    def xlsx_response(self, queryset):
        """The same rows as a workbook a person opens in Excel, whatever its locale: a
        sheet named after the list, a heading per column, labels instead of codes,
        dates as dates, numbers as numbers, nothing a spreadsheet would run."""
        count = self.known_count()
        if count is None:
            count = queryset.count()
        if count > XLSX_MAX_ROWS:
            problem = _(
                "An Excel workbook holds at most %(limit)s rows: narrow the filters, or download the CSV, "
                "which holds every row."
            ) % {"limit": intcomma(XLSX_MAX_ROWS)}
            context = self.get_context_data(filter=self.filterset, problems=[problem])
            return self.render_to_response(context, status=400)
        columns = self.export_columns
        values = self.xlsx_values(columns)
        content = xlsx_bytes(
            self.model._meta.verbose_name_plural,
            [self.xlsx_heading(column) for column in columns],
            ([convert(value) for convert, value in zip(values, row)] for row in self.export_rows(queryset)),
        )
        filename = f"{self.csv_name}-{timezone.localdate():%Y-%m-%d}.xlsx"
        return HttpResponse(
            content, content_type=XLSX_TYPE, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
        )

    def model_field(self, column):
        try:
            return self.model._meta.get_field(column)
        except FieldDoesNotExist:
            return None

    def xlsx_heading(self, column):
        field = self.model_field(column)
        heading = EXPORT_HEADINGS.get(column) or (field.verbose_name if field is not None else column)
        return str(heading)[:1].upper() + str(heading)[1:]

    def xlsx_values(self, columns):
        """For each column, what turns its CSV value into the workbook's cell."""
        yes_no = {csv_bool(True): _("Yes"), csv_bool(False): _("No")}

        def converter(column):
            field = self.model_field(column)
            if column == "country":
                return lambda code: countries.name(code) or code if code else None
            if getattr(field, "choices", None):
                labels = {value: str(label) for value, label in field.flatchoices}
                return lambda code: labels.get(code, code) if code not in (None, "") else None
            if column in self.xlsx_dates:
                return lambda text: datetime.date.fromisoformat(text) if text else None
            if column in ("verified", "international", "new_entity"):
                return lambda flag: yes_no.get(flag, flag)
            return lambda value: spreadsheet_cell(value) if value != "" else None

        return [converter(column) for column in columns]


# A column is as wide as its heading and the widest of the first rows' values
# (a workbook written as it streams cannot look at every row first), within bounds.
XLSX_WIDTH_ROWS = 200
XLSX_WIDTHS = (10, 60)
# How the workbooks write amounts: grouped, two decimals (each reader's Excel shows
# its own separators).
XLSX_AMOUNT_FORMAT = "#,##0.00"
# Characters a sheet's name may not hold.
XLSX_TITLE_FORBIDDEN = re.compile(r"[\\/*?:\[\]]")


def xlsx_title(name):
    """A sheet's name from a list's name: capitalised, at most 31 characters, none
    of those Excel refuses."""
    name = XLSX_TITLE_FORBIDDEN.sub(" ", str(name)).strip() or "Sheet"
    return (name[:1].upper() + name[1:])[:31]


def xlsx_width(value):
    """About how many characters a cell shows."""
    if value is None:
        return 0
    if isinstance(value, datetime.datetime):
        return 16
    if isinstance(value, datetime.date):
        return 10
    if isinstance(value, decimal.Decimal):
        return len(f"{value:,.2f}")
    return max((len(line) for line in str(value).splitlines()), default=0)


def xlsx_bytes(name, headings, rows):
    """A workbook a person opens in Excel, whatever its locale, as bytes: one sheet
    named after the list (`name`), its headings bold and kept in view as it
    scrolls, each column as wide as what it shows, and the rows as given: the
    caller makes dates dates and numbers numbers (an amount, a Decimal, is written
    grouped with two decimals), and text that a spreadsheet would run plain text.

    The public lists' downloads (RegistryListView.xlsx_response) and the admin's
    exports (kopnet.admin.VerifiableAdmin) are both written here.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    rows = iter(rows)
    first = [list(row) for row in itertools.islice(rows, XLSX_WIDTH_ROWS)]
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=xlsx_title(name))
    narrowest, widest = XLSX_WIDTHS
    for number, heading in enumerate(headings, start=1):
        shown = max([len(str(heading)), *(xlsx_width(row[number - 1]) for row in first if len(row) >= number)])
        sheet.column_dimensions[get_column_letter(number)].width = min(widest, max(narrowest, shown + 2))
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)

    def cell(value, font=None):
        written = WriteOnlyCell(sheet, value=value)
        if font is not None:
            written.font = font
        if isinstance(value, decimal.Decimal):
            written.number_format = XLSX_AMOUNT_FORMAT
        return written

    sheet.append([cell(str(heading), bold) for heading in headings])
    for row in itertools.chain(first, rows):
        sheet.append([cell(value) if isinstance(value, decimal.Decimal) else value for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bool(value):
    return "true" if value else "false"


def csv_bool_where(condition):
    """csv_bool() of a condition (a Q), written by the database in the rows' query."""
    return Case(When(condition, then=Value(csv_bool(True))), default=Value(csv_bool(False)), output_field=CharField())
