"""The summary as CSV (UTF-8 with a byte-order mark, so Excel reads the
Japanese) and as XLSX, and the company list of a manager's scope as CSV.

Both summary files hold the same protected tables as the page. The company
list carries profile facts only: never a case record's text.
"""

import csv
import io

import sqlalchemy as sa
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy.orm import selectinload

from tracker.companies.queries import current_engagements
from tracker.extensions import db
from tracker.models import Company
from tracker.summaries.queries import Scope, company_ids
from tracker.summaries.tables import Table

BOM = "\ufeff"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value):
    """Text a spreadsheet would read as a formula is kept as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _lines(heading: list[tuple[str, str]], tables: list[Table]):
    """The rows of either file: a heading, then each table after a blank line.
    Each yielded row is (cells, is_title)."""
    for label, value in heading:
        yield [label, value], False
    for table in tables:
        yield [], False
        yield [table.title], True
        yield [table.label_header, *table.headers], True
        for row in table.rows:
            yield [row.label, *(figure.export for figure in row.figures)], row.is_total


def _csv(rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return (BOM + buffer.getvalue()).encode("utf-8")


def summary_csv(heading: list[tuple[str, str]], tables: list[Table]) -> bytes:
    return _csv(cells for cells, _bold in _lines(heading, tables))


def summary_xlsx(heading: list[tuple[str, str]], tables: list[Table]) -> bytes:
    """One sheet: the heading, then the tables one under the other."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("Summary")[:31]
    for cells, bold in _lines(heading, tables):
        sheet.append([safe_cell(cell) for cell in cells])
        if bold:
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 48
    for column in ("B", "C"):
        sheet.column_dimensions[column].width = 16
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def company_list_csv(scope: Scope) -> bytes:
    """Name, reading, corporate number, region, industry, phase, lead organisation
    and employees of every company in scope. Seven queries whatever their number."""
    companies = list(db.session.scalars(
        sa.select(Company)
        .where(Company.id.in_(company_ids(scope)))
        .options(selectinload(Company.region), selectinload(Company.industry))
        .order_by(sa.case((Company.kana == "", 1), else_=0), Company.kana, Company.name, Company.id)
    ))
    current = current_engagements([company.id for company in companies], with_lead=True)
    rows = [[_("Company"), _("Kana"), _("Corporate number"), _("Region"), _("Industry"), _("Phase"),
             _("Lead organisation"), _("Employees")]]
    for company in companies:
        engagement = current.get(company.id)
        lead = engagement.lead if engagement else None
        rows.append([
            company.name, company.kana, company.corporate_number or "", company.region.name,
            company.industry.display_name if company.industry else "",
            str(engagement.phase.label) if engagement else "",
            lead.organisation.display_name if lead and lead.organisation else "",
            "" if company.employees is None else company.employees,
        ])
    return _csv(rows)
