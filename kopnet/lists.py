"""The public list view both apps' lists are made of: a FilterSet's rows, paginated,
and the same rows as a CSV download."""

import csv
import io
import itertools
import re

from django.conf import settings
from django.db.models import Case, CharField, Value, When
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic.base import ContextMixin
from django_filters.views import FilterView

from kopnet import policy
from kopnet.cache import CachedCountPaginator

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


class RegistryListView(FilterView):
    """A filtered, paginated list of visible records that also downloads as CSV.

    Invalid filter values (or an unknown format) answer 400 with the form's errors
    and no rows: an empty list would claim that nothing matches.
    """

    paginate_by = settings.KOPNET_PAGE_SIZE
    paginator_class = CachedCountPaginator
    csv_name = None
    csv_header = ()

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
        if export not in ("", "csv"):
            problems.append(_("This list downloads only as CSV (format=csv)."))
        if self.filterset.is_bound and not self.filterset.is_valid():
            problems.append(_("Some filters have values this list does not know. Correct the fields marked below."))
        if problems:
            self.object_list = None
            context = self.get_context_data(filter=self.filterset, problems=problems)
            return self.render_to_response(context, status=400)
        self.object_list = self.filterset.qs
        if export == "csv":
            return self.csv_response(self.object_list)
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
        return super().get_context_data(**kwargs)

    def csv_rows(self, queryset):
        """The CSV's rows: sequences of the header's cells (None is written empty)."""
        for record in queryset.iterator(chunk_size=CSV_CHUNK):
            yield self.csv_row(record)

    def csv_response(self, queryset):
        def blocks():
            # One piece of text per chunk of rows: a write to the socket per row
            # would cost more than the rows themselves.
            header = io.StringIO()
            csv.writer(header).writerow(self.csv_header)
            text = header.getvalue()
            rows = iter(self.csv_rows(queryset))
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


def csv_bool(value):
    return "true" if value else "false"


def csv_bool_where(condition):
    """csv_bool() of a condition (a Q), written by the database in the rows' query."""
    return Case(When(condition, then=Value(csv_bool(True))), default=Value(csv_bool(False)), output_field=CharField())
