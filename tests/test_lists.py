"""The CSV writing every list shares (kopnet/lists.py): cells a spreadsheet would run
are written as text, whatever chunk or column they are in."""

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from kopnet.lists import FORMULA_STARTS, csv_text, may_hold_formula, spreadsheet_safe

# Text made of what matters to CSV and to spreadsheets: the formula starts, the
# delimiter, quotes, line breaks, and plain letters and digits.
CELL_TEXT = st.text(st.sampled_from([*FORMULA_STARTS, ",", '"', "\n", " ", "a", "Z", "7", "'", "é"]), max_size=6)
CELL = CELL_TEXT | st.none() | st.integers(min_value=-5, max_value=5)
ROWS = st.lists(st.lists(CELL, min_size=1, max_size=5), max_size=6)


def written_cell_by_cell(rows):
    """What the export wrote before it wrote whole chunks: each row made safe, then written."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(spreadsheet_safe(row))
    return buffer.getvalue()


@given(ROWS)
def test_a_chunk_is_written_as_its_rows_made_safe_one_by_one(rows):
    assert csv_text(rows) == written_cell_by_cell(rows)


@given(ROWS)
def test_text_with_a_cell_that_starts_a_formula_is_always_suspected(rows):
    # The check may suspect harmless text (a comma inside a quoted cell), never miss.
    if any(isinstance(cell, str) and cell.startswith(FORMULA_STARTS) for row in rows for cell in row):
        buffer = io.StringIO()
        csv.writer(buffer).writerows(rows)
        assert may_hold_formula(buffer.getvalue())


def test_plain_rows_are_not_suspected():
    rows = [["koperasi-sumber-rejeki", "Koperasi Sumber-Rejeki", None, 120, "simpan-pinjam|jasa", "true"]] * 3

    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)

    assert not may_hold_formula(buffer.getvalue())


def test_a_formula_in_any_column_of_a_later_row_is_written_as_text():
    rows = [["a", "b", "c"], ["d", "e", "f"], ["g", "=1+1", "-"], ["\r=x", "h", "@i"]]

    assert csv_text(rows) == "a,b,c\r\nd,e,f\r\ng,'=1+1,'-\r\n\"'\r=x\",h,'@i\r\n"
