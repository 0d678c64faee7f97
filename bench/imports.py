"""The company import at national size: BENCH_IMPORT_ROWS companies (10,000) from a
CSV file and an XLSX file, through the browser's pages and through the command line.

Run by bench/run.py on the small data set of each backend, after its pages are
measured, as the bench admin: the companies go to municipalities all over the
country (an admin's import creates the regions they need), beside the 10,000
generated ones. Four steps, each checked by what the app answers:

1. browser, CSV: upload and preview, then import → every company created;
2. browser, XLSX, the same companies with other employee counts → every one updated;
3. command line, that XLSX again → nothing changes (the import is idempotent);
4. command line, the first CSV again → every company updated back.

Browser times run from the request's start to its answer (upload and preview
are one request, the import another); command-line times are the whole
command's, starting the app included.
"""

import csv
import io
import re
import subprocess
import sys
import time
from pathlib import Path

from openpyxl import Workbook
from urllib3 import encode_multipart_formdata

from bench.client import CSRF, FORM_KEY, ROOT, Client
from tracker.companies.text import corporate_number_check_digit
from tracker.reference.municipalities import all_municipalities

HEADER = ["法人番号", "企業名", "フリガナ", "都道府県", "市区町村", "業種コード", "従業員数", "資本金",
          "地域未来牽引企業選定年", "代表者"]
# Far from the generator's corporate numbers, so that every row is a new company.
FIRST_NUMBER = 900_000_000_000
COUNT = re.compile(r'id="(created|updated)-count">([\d,]+)<')
IMPORTED = re.compile(r"Imported: (\d+) created, (\d+) updated\.")


def company_rows(count: int, employees: int) -> list[list]:
    """`count` valid rows, spread over every municipality of the country."""
    places = list(all_municipalities().values())
    rows = []
    for n in range(count):
        base = f"{FIRST_NUMBER + n:012d}"
        place = places[n % len(places)]
        rows.append([f"{corporate_number_check_digit(base)}{base}", f"ベンチ工業{n}株式会社", f"ベンチコウギョウ{n}",
                     place.prefecture, place.name, "29", str(employees + n % 50), "30,000,000", "2020",
                     "山田 太郎"])
    return rows


def csv_file(rows: list[list]) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out).writerows([HEADER, *rows])
    return out.getvalue().encode()


def xlsx_file(rows: list[list]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for values in [HEADER, *rows]:
        sheet.append(values)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def through_browser(client: Client, filename: str, data: bytes) -> dict:
    """Upload and preview, then import; the counts the finished import's page shows."""
    _, _, page, _ = client.request("/companies/import/")
    body, content_type = encode_multipart_formdata(
        {"csrf_token": CSRF.search(page).group(1), "form_key": FORM_KEY.search(page).group(1),
         "file": (filename, data, "application/octet-stream")}
    )
    status, headers, _, preview_ms = client.request("/companies/import/", body, content_type=content_type)
    if status != 303:
        raise SystemExit(f"import of {filename}: the upload answered {status}")
    location = headers["Location"]
    _, _, page, _ = client.request(location)
    status, _, _, import_ms = client.request(location, {"csrf_token": CSRF.search(page).group(1)})
    if status != 303:
        raise SystemExit(f"import of {filename}: the import answered {status}")
    _, _, page, _ = client.request(location)
    counts = {kind: int(number.replace(",", "")) for kind, number in COUNT.findall(page)}
    return {"preview_s": round(preview_ms / 1000, 2), "import_s": round(import_ms / 1000, 2), **counts}


def through_command_line(env: dict, path: Path) -> dict:
    """`flask companies import FILE`; the counts it prints."""
    started = time.perf_counter()
    result = subprocess.run(  # noqa: S603 (our own CLI)
        [sys.executable, "-m", "flask", "companies", "import", str(path)],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )
    seconds = time.perf_counter() - started
    found = IMPORTED.search(result.stdout)
    if result.returncode or not found:
        raise SystemExit(f"flask companies import {path.name} failed:\n{result.stdout}\n{result.stderr}")
    return {"total_s": round(seconds, 2), "created": int(found[1]), "updated": int(found[2])}


def measure(admin: Client, env: dict, workdir: Path, count: int) -> list[dict]:
    """The four steps of the module's docstring, with their figures."""
    first, changed = company_rows(count, 120), company_rows(count, 80)
    files = {"csv": csv_file(first), "xlsx": xlsx_file(changed)}
    paths = {}
    for kind, data in files.items():
        paths[kind] = workdir / f"companies-{count}.{kind}"
        paths[kind].write_bytes(data)
    steps = [  # (how, file, what it does, expected (created, updated))
        ("browser", "csv", "new companies", (count, 0)),
        ("browser", "xlsx", "every company changed", (0, count)),
        ("command line", "xlsx", "the same file again", (0, 0)),
        ("command line", "csv", "every company changed back", (0, count)),
    ]
    figures = []
    for how, kind, what, expected in steps:
        if how == "browser":
            found = through_browser(admin, paths[kind].name, files[kind])
        else:
            found = through_command_line(env, paths[kind])
        if (found.get("created"), found.get("updated")) != expected:
            raise SystemExit(f"import ({how}, {kind}, {what}): {found}, expected (created, updated) {expected}")
        figures.append({"how": how, "file": kind, "rows": count, "what": what, "bytes": len(files[kind]), **found})
    return figures
