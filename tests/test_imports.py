"""Bulk import of companies: preview with a per-row report, then an all-or-nothing,
idempotent import; from the browser and from the command line."""

import csv
import io
import re

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from tests.conftest import login, post
from tests.factories import CompanyFactory, RegionFactory, UserFactory
from tracker.companies.text import corporate_number_check_digit
from tracker.database import utcnow
from tracker.extensions import db
from tracker.models import AuditEvent, Company, CompanyImport, ImportState, Region, Role
from tracker.reference.municipalities import find_municipality

HEADER_JA = ["法人番号", "企業名", "フリガナ", "都道府県", "市区町村", "業種コード", "従業員数", "資本金",
             "地域未来牽引企業選定年", "代表者"]
HEADER_EN = ["corporate_number", "name", "kana", "prefecture", "municipality", "industry_code", "employees",
             "capital", "selection_year", "representative"]


def number(n: int) -> str:
    """A valid corporate number (check digit first) made from `n`."""
    base = f"{n:012d}"
    return f"{corporate_number_check_digit(base)}{base}"


def real_region(prefecture: str, name: str) -> Region:
    m = find_municipality(prefecture, name)
    return RegionFactory(code=m.code, prefecture=m.prefecture, municipality=m.name,
                         prefecture_en=m.prefecture_en, municipality_en=m.name_en)


def row(n: int, **changes) -> list[str]:
    values = {"corporate_number": number(n), "name": f"燕精工{n}株式会社", "kana": f"ツバメセイコウ{n}",
              "prefecture": "新潟県", "municipality": "燕市", "industry_code": "24", "employees": "120",
              "capital": "50,000,000", "selection_year": "2018", "representative": "燕 太郎"}
    values.update(changes)
    return [values[name] for name in HEADER_EN]


def csv_bytes(rows, header=HEADER_JA, encoding="utf-8") -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out).writerows([header, *rows])
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows, header=HEADER_JA) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["企業一覧"])  # a title above the header, as such lists often have
    sheet.append(header)
    for values in rows:
        sheet.append(values)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(client, data: bytes, filename="companies.csv"):
    return post(client, "/companies/import/", {"file": (io.BytesIO(data), filename)},
                content_type="multipart/form-data", token_from="/companies/import/")


def confirm(client, response):
    """Confirm the import previewed at the redirect of `response`."""
    path = response.headers["Location"]
    return post(client, path, token_from=path)


def shown(response, element_id: str) -> str:
    match = re.search(rf'id="{element_id}">([^<]*)<', response.text)
    return match.group(1).strip() if match else ""


def companies() -> list[Company]:
    return list(db.session.scalars(sa.select(Company).order_by(Company.id)))


@pytest.fixture
def tsubame(app_context):
    return real_region("新潟県", "燕市")


@pytest.fixture
def importer(tsubame):
    """An admin who reads English."""
    return UserFactory(role=Role.ADMIN, all_regions=True, language="en")


# ---- clean files ---------------------------------------------------------------


@pytest.mark.parametrize(("filename", "make"), [
    ("utf8.csv", lambda rows: csv_bytes(rows)),
    ("bom.csv", lambda rows: csv_bytes(rows, encoding="utf-8-sig")),
    ("excel.csv", lambda rows: csv_bytes(rows, encoding="cp932")),
    ("english.csv", lambda rows: csv_bytes(rows, header=HEADER_EN)),
    ("book.xlsx", lambda rows: xlsx_bytes(rows)),
])
def test_a_clean_file_is_previewed_then_imported(signed_in, importer, tsubame, filename, make):
    client = signed_in(importer)
    response = upload(client, make([row(1), row(2, employees="１，２００", capital="5,000万円", industry_code="9")]),
                      filename)
    assert response.status_code == 303
    assert companies() == []  # nothing saved by the preview
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    assert (shown(page, "count-new"), shown(page, "count-updated"), shown(page, "count-errors")) == ("2", "0", "0")

    done = confirm(client, response)
    assert done.status_code == 303
    result = client.get(done.headers["Location"])
    assert shown(result, "created-count") == "2"
    first, second = companies()
    assert (first.name, first.kana, first.region_id, first.industry_code) == ("燕精工1株式会社", "ツバメセイコウ1",
                                                                              tsubame.id, "24")
    assert (second.employees, second.capital, second.industry_code) == (1200, 50_000_000, "09")
    assert second.leader_selection_year == 2018 and second.representative == "燕 太郎"
    listing = client.get("/companies/?q=燕精工")
    assert "燕精工1株式会社" in listing.text and "燕精工2株式会社" in listing.text
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "import"))
    assert event.changes == {"created": 2, "updated": 0, "file": filename}
    assert event.actor_id == importer.id


def test_importing_again_updates_and_never_duplicates(signed_in, importer, tsubame):
    client = signed_in(importer)
    data = csv_bytes([row(1), row(2)])
    confirm(client, upload(client, data))
    again = upload(client, data)
    page = client.get(again.headers["Location"])
    assert (shown(page, "count-new"), shown(page, "count-updated"), shown(page, "count-unchanged")) == ("0", "0", "2")
    confirm(client, again)
    assert len(companies()) == 2
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "import").order_by(AuditEvent.id))
    assert [event.changes["created"] for event in events] == [2, 0]

    # Changed figures update the company; an empty cell keeps what was recorded.
    before = companies()[0]
    version, updated_at = before.version, before.updated_at
    changed = upload(client, csv_bytes([row(1, employees="150", representative=""), row(2)]))
    page = client.get(changed.headers["Location"])
    assert (shown(page, "count-new"), shown(page, "count-updated"), shown(page, "count-unchanged")) == ("0", "1", "1")
    assert "Employees: 120 → 150" in page.text
    confirm(client, changed)
    db.session.expire_all()
    after = companies()[0]
    assert (after.employees, after.representative) == (150, "燕 太郎")
    assert after.version == version + 1 and after.updated_at > updated_at
    assert len(companies()) == 2


def test_capital_in_the_unit_the_header_names(signed_in, importer, tsubame):
    client = signed_in(importer)
    header = [*HEADER_JA[:7], "資本金（万円）", *HEADER_JA[8:]]
    confirm(client, upload(client, csv_bytes([row(1, capital="5,000"), row(2, capital="1億円")], header=header)))
    assert [c.capital for c in companies()] == [50_000_000, 100_000_000]


def test_an_admin_import_creates_a_real_region_not_recorded_yet(signed_in, importer, tsubame):
    client = signed_in(importer)
    response = upload(client, csv_bytes([row(1, prefecture="長野県", municipality="飯田市")]))
    page = client.get(response.headers["Location"])
    assert "長野県飯田市" in page.text and "the import creates them" in page.text
    assert db.session.scalar(sa.select(Region).where(Region.municipality == "飯田市")) is None
    confirm(client, response)
    iida = db.session.scalar(sa.select(Region).where(Region.municipality == "飯田市"))
    assert iida.code == find_municipality("長野県", "飯田市").code and iida.municipality_en == "Iida"
    assert companies()[0].region_id == iida.id


# ---- errors --------------------------------------------------------------------


def test_every_kind_of_row_error_is_reported_and_nothing_is_saved(signed_in, importer, tsubame):
    client = signed_in(importer)
    bad_check = number(3)[0] + number(3)[1:-1] + str((int(number(3)[-1]) + 1) % 10)
    rows = [
        row(1),
        row(2, corporate_number=bad_check),
        row(3, corporate_number="12345"),
        row(4, corporate_number=""),
        row(5, municipality="存在しない市"),
        row(6, industry_code="99X"),
        row(7, employees="-3"),
        row(8, capital="たくさん"),
        row(9, selection_year="1999"),
        row(10, name=""),
        row(11, kana="燕"),
        row(12, corporate_number=number(99)),
        row(13, corporate_number=number(99)),
        row(14, corporate_number="1.23457E+12"),
    ]
    response = upload(client, csv_bytes(rows))
    assert response.status_code == 422
    text = response.text
    for message in (
        "This is not a valid corporate number: check the digits.",
        "A corporate number has 13 digits.",
        "Enter the corporate number",
        "There is no municipality called 存在しない市 in 新潟県.",
        "Unknown industry code 99X",
        "Enter 0 or more.",
        "Enter an amount in yen",
        "Enter a year from 2017 to",
        "Enter the company&#39;s name.",
        "Write the reading in katakana or hiragana.",
        "The same corporate number is also on row 14.",
        "The same corporate number is also on row 13.",
        "The number was shortened by Excel",
    ):
        assert message in text, message
    assert shown(response, "count-errors") == "13"
    assert "Import" not in re.sub(r"Import companies|Import another", "", "".join(
        re.findall(r"<button[^>]*>([^<]*)</button>", text)))  # no import button, only the upload again
    assert companies() == [] and db.session.scalars(sa.select(CompanyImport)).all() == []


def test_text_from_the_file_is_shown_as_text(signed_in, importer, tsubame):
    response = upload(signed_in(importer), csv_bytes([row(1, municipality="<b>x</b>")]))
    assert response.status_code == 422
    assert "&lt;b&gt;x&lt;/b&gt;" in response.text and "<b>x</b>" not in response.text


@pytest.mark.parametrize(("data", "filename", "message"), [
    (csv_bytes([row(1)], header=HEADER_JA[:3] + HEADER_JA[5:]), "a.csv",
     "Required columns are missing: 都道府県 (prefecture), 市区町村 (municipality)."),
    (b"", "a.csv", "The file is empty."),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "old.xls", "This is an old Excel file (.xls)"),
    (b"PK\x03\x04 not really a zip", "book.xlsx", "This file is not a readable Excel file."),
    ("名前,住所\n燕,新潟\n".encode(), "a.csv", "No header row was found."),
    (csv_bytes([]), "a.csv", "The file has a header but no rows of companies."),
])
def test_an_unreadable_file_is_refused_with_a_message(signed_in, importer, data, filename, message):
    response = upload(signed_in(importer), data, filename)
    assert response.status_code == 422
    assert message in response.text
    assert db.session.scalars(sa.select(CompanyImport)).all() == []


def test_no_file_chosen(signed_in, importer):
    response = post(signed_in(importer), "/companies/import/", token_from="/companies/import/")
    assert response.status_code == 422 and "Choose a CSV or Excel (.xlsx) file." in response.text


def test_names_follow_the_forms_rule_invisible_dropped_direction_refused(signed_in, importer, tsubame):
    client = signed_in(importer)
    refused = upload(client, csv_bytes([row(1, name="燕精工\u202e社式株"), row(2, representative="燕\u2066太郎")]))
    assert refused.status_code == 422 and refused.text.count("Remove the text-direction characters") == 2
    fine = upload(client, csv_bytes([row(1, name="燕\u200b精工\ufeff株式会社", kana="ツバメ\u200dセイコウ")]))
    confirm(client, fine)
    assert [(c.name, c.kana) for c in companies()] == [("燕精工株式会社", "ツバメセイコウ")]


def test_a_deleted_company_with_the_number_is_reported(signed_in, importer, tsubame):
    CompanyFactory(region=tsubame, corporate_number=number(1), deleted_at=utcnow())
    response = upload(signed_in(importer), csv_bytes([row(1)]))
    assert response.status_code == 422 and "A deleted company has this corporate number" in response.text


# ---- managers and other roles ----------------------------------------------------


def test_a_manager_imports_only_into_their_regions(signed_in, tsubame):
    iida = real_region("長野県", "飯田市")
    manager = UserFactory(role=Role.MANAGER, regions=[tsubame], language="en")
    CompanyFactory(region=iida, corporate_number=number(4), name="飯田の会社")
    client = signed_in(manager)
    response = upload(client, csv_bytes([
        row(1),
        row(2, prefecture="長野県", municipality="飯田市"),  # a region, not theirs
        row(3, prefecture="新潟県", municipality="長岡市"),  # real, no region yet: only an admin creates regions
        row(4),  # the number belongs to a company of another region
    ]))
    assert response.status_code == 422
    assert "長野県飯田市 is not one of your regions." in response.text
    assert "新潟県長岡市 is not one of your regions." in response.text
    assert "This corporate number cannot be used." in response.text  # not where, nor that a company holds it
    assert "another region" not in response.text and "飯田の会社" not in response.text
    refusal = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "access_refused"))
    assert refusal.actor_id == manager.id and "1 corporate numbers held out of scope" in refusal.detail
    assert shown(response, "count-errors") == "3"
    assert [c.name for c in companies()] == ["飯田の会社"]

    fine = upload(client, csv_bytes([row(1)]))
    confirm(client, fine)
    assert len(companies()) == 2


def test_a_region_recorded_under_its_own_name_is_found(signed_in, region):
    """Regions not in the municipality reference match by prefecture and municipality as recorded."""
    manager = UserFactory(role=Role.MANAGER, regions=[region])
    client = signed_in(manager)
    confirm(client, upload(client, csv_bytes([row(1, prefecture=region.prefecture, municipality=region.municipality)])))
    assert companies()[0].region_id == region.id


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.OFFICIAL])
def test_consultants_and_officials_may_not_import(signed_in, tsubame, role):
    client = signed_in(UserFactory(role=role, regions=[tsubame]))
    assert client.get("/companies/import/").status_code == 403
    assert upload(client, csv_bytes([row(1)])).status_code == 403
    assert 'id="import-link"' not in client.get("/companies/").text
    assert companies() == []


def test_the_company_list_offers_the_import_to_importers(signed_in, importer):
    assert 'id="import-link"' in signed_in(importer).get("/companies/").text


def test_an_import_is_its_uploaders_alone(app_context, signed_in, importer, tsubame):
    response = upload(signed_in(importer), csv_bytes([row(1)]))
    path = response.headers["Location"]
    other_client = app_context.test_client()
    login(other_client, UserFactory(role=Role.ADMIN, all_regions=True))
    assert other_client.get(path).status_code == 404
    assert other_client.get(path + "/status").status_code == 404
    assert post(other_client, path).status_code == 404
    assert companies() == []


# ---- the confirmation --------------------------------------------------------------


def test_posts_without_the_csrf_token_are_refused(signed_in, importer, tsubame):
    client = signed_in(importer)
    refused = client.post("/companies/import/", data={"file": (io.BytesIO(csv_bytes([row(1)])), "a.csv")},
                          content_type="multipart/form-data")
    assert refused.status_code == 400
    response = upload(client, csv_bytes([row(1)]))
    assert client.post(response.headers["Location"]).status_code == 400
    assert companies() == []
    assert db.session.scalar(sa.select(CompanyImport.state)) == ImportState.READY


def test_confirming_twice_imports_once(signed_in, importer, tsubame):
    client = signed_in(importer)
    response = upload(client, csv_bytes([row(1)]))
    confirm(client, response)
    assert confirm(client, response).status_code == 303
    assert len(companies()) == 1
    status = client.get(response.headers["Location"] + "/status").get_json()
    assert status["state"] == "done" and status["total"] == 1


def test_an_import_already_running_is_not_started_again(signed_in, importer, tsubame):
    client = signed_in(importer)
    response = upload(client, csv_bytes([row(1)]))
    record = db.session.scalar(sa.select(CompanyImport))
    record.state, record.heartbeat_at = ImportState.IMPORTING, utcnow()
    db.session.commit()
    busy = confirm(client, response)
    assert busy.status_code == 409 and "already being imported" in busy.text
    assert companies() == []


def test_the_import_checks_the_records_again(signed_in, importer, tsubame):
    """A row that became wrong after the preview (here: the number's company was deleted) refuses it all."""
    company = CompanyFactory(region=tsubame, corporate_number=number(2))
    client = signed_in(importer)
    response = upload(client, csv_bytes([row(1), row(2)]))
    company.deleted_at = utcnow()
    db.session.commit()
    refused = confirm(client, response)
    assert refused.status_code == 422 and "A deleted company has this corporate number" in refused.text
    assert [c.corporate_number for c in db.session.scalars(
        sa.select(Company).execution_options(include_deleted=True))] == [number(2)]
    assert db.session.scalar(sa.select(CompanyImport.state)) == ImportState.FAILED


# ---- the command line ----------------------------------------------------------------


def test_the_command_line_import(app_context, tsubame, tmp_path):
    runner = app_context.test_cli_runner()
    path = tmp_path / "companies.csv"
    path.write_bytes(csv_bytes([row(1), row(2)], encoding="cp932"))

    dry = runner.invoke(args=["companies", "import", str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "2 new, 0 updated" in dry.output and companies() == []

    done = runner.invoke(args=["companies", "import", str(path)])
    assert done.exit_code == 0, done.output
    assert "Imported: 2 created, 0 updated." in done.output
    assert len(companies()) == 2

    again = runner.invoke(args=["companies", "import", str(path)])
    assert "Imported: 0 created, 0 updated." in again.output and len(companies()) == 2

    path.write_bytes(csv_bytes([row(3, municipality="存在しない市")]))
    failed = runner.invoke(args=["companies", "import", str(path)])
    assert failed.exit_code == 1
    assert "Row 2, City, town or village: There is no municipality called 存在しない市 in 新潟県." in failed.output
    assert len(companies()) == 2


def test_the_command_line_import_as_a_user(app_context, tsubame, tmp_path):
    runner = app_context.test_cli_runner()
    path = tmp_path / "companies.xlsx"
    path.write_bytes(xlsx_bytes([row(1, prefecture="長野県", municipality="飯田市")]))
    manager = UserFactory(role=Role.MANAGER, regions=[tsubame])
    consultant = UserFactory(role=Role.CONSULTANT, regions=[tsubame])

    refused = runner.invoke(args=["companies", "import", str(path), "--as", consultant.email])
    assert refused.exit_code == 2 and "may not import companies" in refused.output
    out_of_region = runner.invoke(args=["companies", "import", str(path), "--as", manager.email])
    assert out_of_region.exit_code == 1 and "is not one of your regions" in out_of_region.output
    assert companies() == []


# ---- size ------------------------------------------------------------------------------


def test_ten_thousand_rows_import(signed_in, importer, tsubame):
    client = signed_in(importer)
    data = csv_bytes([row(n) for n in range(1, 10_001)])
    response = upload(client, data)
    assert response.status_code == 303
    assert confirm(client, response).status_code == 303
    assert db.session.scalar(sa.select(sa.func.count(Company.id))) == 10_000
    page = client.get(response.headers["Location"])
    assert shown(page, "created-count") == "10,000"


def test_progress_is_visible_to_other_requests_while_the_import_runs(signed_in, importer, tsubame, monkeypatch):
    """The counts are committed on a connection of their own: another connection sees them
    while the import's transaction (with no company committed yet) is still open."""
    from tracker.imports import checking, progress, services

    monkeypatch.setattr(checking, "CHUNK", 2)
    monkeypatch.setattr(services, "CHUNK", 2)
    monkeypatch.setattr(progress, "_INTERVAL", 0)
    client = signed_in(importer)
    response = upload(client, csv_bytes([row(n) for n in range(1, 6)]))
    record = db.session.scalar(sa.select(CompanyImport))
    seen = []

    class Watched(progress.DatabaseProgress):
        def advance(self, count):
            super().advance(count)
            with db.engine.connect() as other:
                step, processed = other.execute(sa.select(CompanyImport.step, CompanyImport.processed)).one()
                companies_committed = other.scalar(sa.select(sa.func.count(Company.id)))
            seen.append((step, processed, companies_committed))

    assert services.claim(record)
    services.run_import(record, importer, Watched(record.id))
    assert [entry for entry in seen if entry[0] == "checking"] == [("checking", 2, 0), ("checking", 4, 0),
                                                                    ("checking", 5, 0)]
    if db.engine.dialect.name == "postgresql":  # SQLite: one writer at a time, so no counts while saving
        assert ("saving", 4, 0) in seen
    db.session.commit()
    assert client.get(response.headers["Location"] + "/status").get_json()["state"] == "done"
    assert len(companies()) == 5


def test_an_excel_file_that_unpacks_to_too_much_is_refused(signed_in, importer, tsubame):
    """A small upload that would unpack to hundreds of megabytes (a zip bomb) never reaches openpyxl."""
    import zipfile

    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b"0" * (101 * 1024 * 1024))
    assert len(packed.getvalue()) < 1024 * 1024
    response = upload(signed_in(importer), packed.getvalue(), "bomb.xlsx")
    assert response.status_code == 422
    assert "This Excel file is too large once unpacked" in response.text
