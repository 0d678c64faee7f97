"""Hostile import files are refused early, beside the file field, with a 422 (never a 500),
whatever they hold: millions of empty cells, one enormous text, too many columns or rows,
a zip bomb, a CSV of one endless line. The reading counts what it reads against the
IMPORT_MAX_* settings (config.py) and stops at the first one passed.

The files are built here, part by part, as an attacker would write them."""

import io
import re
import zipfile

import pytest

from tests.factories import UserFactory
from tests.test_imports import HEADER_JA, companies, confirm, csv_bytes, real_region, row, upload, xlsx_bytes
from tracker.models import Role

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"


def xlsx_parts(sheet_data: str, shared_strings: str | None = None, sheet: str | None = None) -> bytes:
    """An .xlsx whose first sheet's <sheetData> is `sheet_data` (or whose sheet is `sheet`), and
    whose shared strings part, if given, holds `shared_strings`: the smallest workbook Excel opens."""
    def xml(text):
        return text.encode()

    parts = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                               'content-types"/>',
        "_rels/.rels": f'<Relationships xmlns="{PACKAGE_RELS}"><Relationship Id="rId1" Type="{RELS}/officeDocument" '
                       f'Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>'
                           f'<sheet name="一覧" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{PACKAGE_RELS}">'
            f'<Relationship Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{RELS}/sharedStrings" Target="/xl/sharedStrings.xml"/></Relationships>'),
        "xl/worksheets/sheet1.xml": xml(sheet or f'<worksheet xmlns="{MAIN}"><sheetData>{sheet_data}</sheetData>'
                                                 f'</worksheet>'),
    }
    if shared_strings is not None:
        parts["xl/sharedStrings.xml"] = xml(f'<sst xmlns="{MAIN}">') + xml(shared_strings) + b"</sst>"
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return packed.getvalue()


def header_row() -> str:
    """Row 1: the Japanese header, as inline strings."""
    cells = "".join(f'<c t="inlineStr"><is><t>{name}</t></is></c>' for name in HEADER_JA)
    return f'<row r="1">{cells}</row>'


def refused(response) -> str:
    """The message beside the file field of a refused upload (a 422, never a 500)."""
    assert response.status_code == 422, response.status_code
    match = re.search(r'<p class="error" id="file-error">([^<]*)</p>', response.text)
    assert match, "no message beside the file field"
    return match.group(1)


@pytest.fixture
def browser(signed_in, app_context):
    """An admin who reads English, signed in, with 燕市 recorded."""
    real_region("新潟県", "燕市")
    return signed_in(UserFactory(role=Role.ADMIN, all_regions=True, language="en"))


@pytest.fixture
def limit(app, monkeypatch):
    """Set one of the IMPORT_MAX_* settings for this test."""
    def set_limit(name: str, value):
        monkeypatch.setitem(app.config, f"IMPORT_MAX_{name}", value)
    return set_limit


# ---- Excel ---------------------------------------------------------------------------


def test_millions_of_empty_cells_packed_small_are_refused_before_parsing(browser):
    """The review's file: a few hundred kilobytes unpacking to megabytes of empty inline cells."""
    empty_row = '<c t="inlineStr"/>' * 100
    data = xlsx_parts(header_row() + "".join(f"<row>{empty_row}</row>" for _ in range(6_000)))
    assert len(data) < 300 * 1024
    assert "This Excel file is too large once unpacked" in refused(upload(browser, data, "cells.xlsx"))


def test_cells_are_counted_empty_ones_too(browser, limit):
    """Cells that hold nothing still cost reading: the count stops the file at the limit."""
    limit("CELLS", 1_000)
    rows = "".join(f"<row>{'<c/>' * 20}</row>" for _ in range(60))
    message = refused(upload(browser, xlsx_parts(header_row() + rows), "cells.xlsx"))
    assert message == "The file has more than 1,000 cells: split it into smaller files, or delete the columns the " \
                      "import does not read."


def test_one_huge_shared_string_is_refused_unread(browser):
    """The review's other file: one shared string of tens of megabytes in a file of kilobytes."""
    data = xlsx_parts(header_row(), f"<si><t>{'x' * (30 * 1024 * 1024)}</t></si>")
    assert len(data) < 100 * 1024
    assert "This Excel file is too large once unpacked" in refused(upload(browser, data, "string.xlsx"))


def test_shared_strings_over_their_size_limit_are_refused_unread(browser, limit):
    limit("SHARED_STRINGS_MB", 0)
    data = xlsx_parts(header_row(), "<si><t>燕精工株式会社</t></si>")
    assert refused(upload(browser, data, "strings.xlsx")) == ("This Excel file holds more than 0 MB of text: split "
                                                             "it into smaller files.")


@pytest.mark.parametrize("where", ["shared", "inline"])
def test_a_very_long_cell_is_refused(browser, where):
    text = "燕" * 5_001
    if where == "shared":
        data = xlsx_parts(header_row() + '<row r="2"><c t="s"><v>0</v></c></row>', f"<si><t>{text}</t></si>")
    else:
        data = xlsx_parts(header_row() + f'<row r="2"><c t="inlineStr"><is><t>{text}</t></is></c></row>')
    assert refused(upload(browser, data, "long.xlsx")) == ("A cell holds more than 5,000 characters: shorten it and "
                                                          "try again.")


def test_too_many_columns_are_refused(browser):
    """A single cell far to the right would make every row thousands of cells wide."""
    data = xlsx_parts(header_row() + '<row r="2"><c r="XFD2"><v>1</v></c></row>')
    assert refused(upload(browser, data, "wide.xlsx")).startswith("The file has more than 200 columns")


def test_too_many_rows_are_refused(browser):
    """A single cell far below would make the reader walk a million empty rows."""
    data = xlsx_parts(header_row() + '<row r="1048576"><c><v>1</v></c></row>')
    assert refused(upload(browser, data, "tall.xlsx")) == ("The file has more than 50,000 rows: split it into "
                                                          "smaller files.")


def test_a_highly_compressed_part_is_refused_as_a_zip_bomb(browser):
    """Under the unpacked-size limit, but a thousand to one: no spreadsheet compresses so well."""
    data = xlsx_parts(header_row() + f"<row><c><v>{'0' * 5 * 1024 * 1024}</v></c></row>")
    assert "This Excel file is too large once unpacked" in refused(upload(browser, data, "bomb.xlsx"))


def test_a_doctype_is_refused(browser):
    """No entity declarations (a "billion laughs" or an external entity) are ever expanded."""
    sheet = (f'<!DOCTYPE worksheet [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><worksheet xmlns="{MAIN}">'
             f'<sheetData>{header_row()}<row><c t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>')
    data = xlsx_parts("", sheet=sheet)
    assert refused(upload(browser, data, "laughs.xlsx")).startswith("This file is not a readable Excel")


def test_a_slow_read_is_stopped_by_the_time_limit(browser, limit):
    """A legitimate file refused only because the time limit is set absurdly short: the limit
    is checked while reading, so no file holds a worker for longer than it allows."""
    limit("SECONDS", 0.001)
    data = xlsx_bytes([row(n) for n in range(1, 3_001)])
    assert refused(upload(browser, data, "slow.xlsx")) == ("Reading the file took longer than 0.001 seconds: split "
                                                          "it into smaller files and try again.")
    assert refused(upload(browser, csv_bytes([row(n) for n in range(1, 3_001)]))).startswith("Reading the file took")


def test_the_refusal_is_in_japanese_for_japanese_users(signed_in, app_context):
    real_region("新潟県", "燕市")
    browser = signed_in(UserFactory(role=Role.ADMIN, all_regions=True, language="ja"))
    data = xlsx_parts(header_row() + '<row r="2"><c r="XFD2"><v>1</v></c></row>')
    assert refused(upload(browser, data, "wide.xlsx")).startswith("列が200を超えています")


# ---- CSV -------------------------------------------------------------------------------


def test_a_csv_of_one_endless_line_is_refused_before_it_is_split(browser):
    data = csv_bytes([row(1)]) + b"," * (5 * 1024 * 1024)
    assert refused(upload(browser, data)).startswith("A line of the file is longer than 100,000 characters")


@pytest.mark.parametrize(("setting", "value", "rows", "message"), [
    ("ROWS", 5, [row(n) for n in range(1, 10)], "The file has more than 5 rows"),
    ("COLUMNS", 5, [row(1)], "The file has more than 5 columns"),
    ("CELLS", 50, [row(n) for n in range(1, 10)], "The file has more than 50 cells"),
    ("CELL_CHARS", 10, [row(1)], "A cell holds more than 10 characters"),
])
def test_csv_rows_columns_cells_and_cell_size_are_bounded(browser, limit, setting, value, rows, message):
    limit(setting, value)
    assert refused(upload(browser, csv_bytes(rows))).startswith(message)


def test_a_quoted_cell_over_many_lines_is_refused_as_too_long(browser):
    """Each line is short, but the cell runs past the csv module's own limit."""
    data = csv_bytes([row(1)]) + b'"' + b"x\n" * 70_000 + b'"\n'
    assert refused(upload(browser, data)).startswith("A cell holds more than 5,000 characters")


# ---- what still works ---------------------------------------------------------------


def test_the_command_line_has_the_same_limits_but_no_time_limit(app_context, limit, tmp_path):
    real_region("新潟県", "燕市")
    runner = app_context.test_cli_runner()
    limit("SECONDS", 0.001)
    path = tmp_path / "companies.xlsx"
    path.write_bytes(xlsx_bytes([row(n) for n in range(1, 1_001)]))
    done = runner.invoke(args=["companies", "import", str(path)])
    assert done.exit_code == 0 and "Imported: 1000 created, 0 updated." in done.output
    path.write_bytes(xlsx_parts(header_row() + '<row r="2"><c r="XFD2"><v>1</v></c></row>'))
    wide = runner.invoke(args=["companies", "import", str(path)])
    assert wide.exit_code == 1 and "The file has more than 200 columns" in wide.output
    assert len(companies()) == 1_000


def test_excel_files_are_read_as_openpyxl_reads_them(browser):
    """Shared strings with a phonetic reading, numbers, dates, gaps: the values people see."""
    strings = ("<si><t>燕精工株式会社</t><rPh sb=\"0\" eb=\"1\"><t>ツバメ</t></rPh></si>"
               "<si><r><t>新潟</t></r><r><t>県</t></r></si>")
    number = row(1)[0]
    sheet = (header_row() + f'<row r="3"><c t="inlineStr"><is><t>{number}</t></is></c><c t="s"><v>0</v></c>'
             '<c r="D3" t="s"><v>1</v></c><c t="inlineStr"><is><t>燕市</t></is></c>'
             '<c r="G3"><v>120.0</v></c><c><v>5E7</v></c><c><v>2018</v></c></row>')
    response = upload(browser, xlsx_parts(sheet, strings), "book.xlsx")
    assert response.status_code == 303, refused(response)
    assert confirm(browser, response).status_code == 303
    [company] = companies()
    assert (company.corporate_number, company.name, company.employees, company.capital,
            company.leader_selection_year) == (number, "燕精工株式会社", 120, 50_000_000, 2018)
