"""bench/results.md from the figures: the machine, a table per backend and size, the budgets."""

import os
import platform
import sqlite3
import subprocess
import time
from pathlib import Path

BUDGET_MS = {"page": 100, "pipeline": 100, "summary": 200, "search": 300}
MAX_QUERIES = 12
GROWTH = 1.5  # large / small, median server time
PIPELINE_SHARE = 0.5  # page throughput / floor throughput
IMPORT_SECONDS = 10  # "10,000 rows import in seconds": each step, checking and saving together
NOTES = Path(__file__).with_name("notes.md")


def machine() -> dict:
    """CPU, cores, memory, Python, SQLite and PostgreSQL versions, date."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                     if line.startswith("MemTotal"))
    postgres = ""
    if os.environ.get("TEST_DATABASE_URL"):
        import sqlalchemy as sa

        from config import database_url

        engine = sa.create_engine(database_url(os.environ["TEST_DATABASE_URL"], ""))
        with engine.connect() as connection:
            postgres = connection.execute(sa.text("SHOW server_version")).scalar()
        engine.dispose()
    try:
        load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        load = ""
    return {
        "cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(memory_kb / 1024 / 1024, 1),
        "python": platform.python_version(), "sqlite": sqlite3.sqlite_version, "postgresql": postgres,
        "os": f"{platform.system()} {platform.release()}", "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "load_after_run": load,
        "git": subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,  # noqa: S607
                              check=False).stdout.strip(),
    }


def mark(ok: bool | None) -> str:
    return "–" if ok is None else ("✓" if ok else "✗")


def _row(page: dict) -> str:
    figures, floor = page["page"], page.get("floor_figures")
    limit = BUDGET_MS[page["budget"]]
    ratio = f"{figures['median_ms'] / floor['median_ms']:.1f}×" if floor and floor["median_ms"] else "–"
    rps_share = f"{figures['rps'] / floor['rps']:.0%}" if floor and floor["rps"] else "–"
    queries = str(figures["queries"]) + ("" if figures["queries"] == figures["queries_min"]
                                         else f" ({figures['queries_min']}–{figures['queries']})")
    bad_status = "" if figures["statuses"] == [200] else f" **HTTP {figures['statuses']}**"
    return (f"| {page['name']}{bad_status} | {figures['median_ms']} | {figures['p95_ms']} | {queries} "
            f"| {figures['rps']} | {floor['median_ms'] if floor else '–'} | {floor['queries'] if floor else '–'} "
            f"| {floor['rps'] if floor else '–'} | {ratio} | {rps_share} "
            f"| {mark(figures['p95_ms'] <= limit)} ≤{limit} | {mark(figures['queries_min'] <= MAX_QUERIES)} |")


HEAD = ("| page | median ms | p95 ms | queries | req/s | floor median ms | floor queries | floor req/s "
        "| page/floor (median) | page/floor (req/s) | p95 budget | ≤12 queries |\n"
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: | :---: |")


def _growth(small: dict, large: dict) -> float:
    return large["median_ms"] / small["median_ms"] if small["median_ms"] else float("inf")


def growth_table(runs: list[dict]) -> tuple[list[str], list[str]]:
    """Per backend: large vs small (same queries, ≤1.5× the median), and the pipeline's throughput share."""
    lines, misses = [], []
    by_key = {(run["backend"], run["size"]): run for run in runs}
    for backend in dict.fromkeys(run["backend"] for run in runs):
        small, large = by_key.get((backend, "small")), by_key.get((backend, "large"))
        if not (small and large):
            continue
        lines += [f"\n**{backend}**: {small['sessions']:,} → {large['sessions']:,} sessions\n",
                  "| page | median small → large ms | growth | budget ≤1.5× | floor's growth "
                  "| queries small / large | same |",
                  "| --- | ---: | ---: | :---: | ---: | ---: | :---: |"]
        small_pages = {page["name"]: page for page in small["pages"]}
        for page in large["pages"]:
            before = small_pages.get(page["name"])
            if not before:
                continue
            a, b = before["page"], page["page"]
            growth = _growth(a, b)
            # The floor (one statement, the same template) shows how much of the growth is the
            # page's content: a page that shows more at the larger size draws more.
            floors = before.get("floor_figures"), page.get("floor_figures")
            floor_growth = f"{_growth(*floors):.2f}×" if all(floors) else "–"
            # The typical count (a once-a-minute session touch adds 2 statements to one request).
            same = a["queries_min"] == b["queries_min"]
            lines.append(f"| {page['name']} | {a['median_ms']} → {b['median_ms']} | {growth:.2f}× "
                         f"| {mark(growth <= GROWTH)} | {floor_growth} | {a['queries_min']} / {b['queries_min']} "
                         f"| {mark(same)} |")
            if growth > GROWTH:
                misses.append(f"{backend}: {page['name']} grows {growth:.2f}× from small to large "
                              f"({a['median_ms']} → {b['median_ms']} ms median)")
            if not same:
                misses.append(f"{backend}: {page['name']} runs {a['queries_min']} queries small, "
                              f"{b['queries_min']} large")
    return lines, misses


def size_misses(run: dict) -> list[str]:
    misses = []
    for page in run["pages"]:
        figures, floor = page["page"], page.get("floor_figures")
        where = f"{run['backend']} {run['size']} ({run['sessions']:,} sessions): {page['name']}"
        if figures["p95_ms"] > BUDGET_MS[page["budget"]]:
            misses.append(f"{where}: p95 {figures['p95_ms']} ms > {BUDGET_MS[page['budget']]} ms")
        if figures["queries_min"] > MAX_QUERIES:
            misses.append(f"{where}: {figures['queries_min']} queries > {MAX_QUERIES}")
        if figures["statuses"] != [200]:
            misses.append(f"{where}: answered HTTP {figures['statuses']}")
        if page["budget"] == "pipeline" and floor and floor["rps"] and figures["rps"] < PIPELINE_SHARE * floor["rps"]:
            misses.append(f"{where}: {figures['rps']} req/s is {figures['rps'] / floor['rps']:.0%} of the "
                          f"floor's {floor['rps']} (budget ≥ {PIPELINE_SHARE:.0%})")
    return misses


def import_section(runs: list[dict]) -> tuple[list[str], list[str]]:
    """The company import's steps (bench/imports.py) on each backend, against IMPORT_SECONDS."""
    steps = [(run["backend"], step) for run in runs for step in run.get("imports") or []]
    if not steps:
        return [], []
    lines = [
        "## Importing companies", "",
        f"{steps[0][1]['rows']:,} companies over every municipality of the country, beside the small data set, "
        "as the bench admin (bench/imports.py). Browser: the upload with its preview is one request, the import "
        "another; command line: the whole `flask companies import FILE`, starting the app included. Each step's "
        "counts are checked against what it must do.", "",
        "| backend | how | file | what | check and preview s | import s | whole s | created | updated "
        f"| ≤{IMPORT_SECONDS} s |",
        "| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | :---: |",
    ]
    misses = []
    for backend, step in steps:
        whole = step.get("total_s", round(step.get("preview_s", 0) + step.get("import_s", 0), 2))
        lines.append(f"| {backend} | {step['how']} | {step['file'].upper()} ({step['bytes'] / 1e6:.1f} MB) "
                     f"| {step['what']} | {step.get('preview_s', '–')} | {step.get('import_s', '–')} | {whole} "
                     f"| {step['created']:,} | {step['updated']:,} | {mark(whole <= IMPORT_SECONDS)} |")
        if whole > IMPORT_SECONDS:
            misses.append(f"{backend}: importing {step['rows']:,} companies ({step['how']}, {step['file']}, "
                          f"{step['what']}) took {whole} s")
    return [*lines, ""], misses


def render(results: dict) -> str:
    m, s = results["machine"], results["settings"]
    out = [
        "# Benchmark results", "",
        "Written by `make bench` (bench/run.py); bench/README.md says what is measured and how. "
        "Server time is the app's own (the `Server-Timing` header), queries are SQL statements per request, "
        f"req/s is throughput with {s['threads']} client threads for {s['seconds']} s against gunicorn with 2 sync "
        "workers. A floor is the same data fetched with one hand-written SQL statement and rendered with the same "
        "template (bench/floors.py).", "",
        "## Machine", "",
        f"- CPU: {m['cpu']}, {m['cores']} cores; memory {m['memory_gib']} GiB; {m['os']}",
        f"- Python {m['python']}, SQLite {m['sqlite']}, PostgreSQL {m['postgresql'] or 'not measured'}",
        f"- Date: {m['date']}; commit {m['git']}; load average after the run: {m['load_after_run']}",
        f"- Data: `{s['data']}`; {s['requests']} sequential requests per page after a warm-up; "
        f"whole run {results['total_minutes']} min",
        "",
    ]
    misses = []
    for run in results["runs"]:
        rows = run["targets"]["rows"]
        out += [f"## {run['backend']}, {run['size']}: {run['companies']:,} companies, {run['sessions']:,} sessions",
                "",
                f"Rows: {', '.join(f'{name} {count:,}' for name, count in rows.items())}. "
                f"Generated in {run['generation_seconds']} s. Measured on: timeline engagement "
                f"{run['targets']['timeline engagement']}, company {run['targets']['company']}, company search "
                f"“{run['targets']['company search']}”, notes search {run['targets']['notes search']}, "
                f"summary region {run['targets']['summary region']}; accounts {run['targets']['accounts']}.", "",
                HEAD, *(_row(page) for page in run["pages"]), ""]
        misses += size_misses(run)
    lines, growth_misses = growth_table(results["runs"])
    if lines:
        out += ["## From the small to the large data set", *lines, ""]
    misses += growth_misses
    lines, import_misses = import_section(results["runs"])
    out += lines
    misses += import_misses
    out += ["## Budgets missed and why", ""]
    out += [f"- {miss}" for miss in misses] or ["Every budget was met."]
    if NOTES.exists():
        out += ["", NOTES.read_text().strip()]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    # Re-write results.md from results.json (e.g. after editing bench/notes.md): python bench/report.py
    import json
    import sys

    source = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).with_name("results.json"))
    source.with_suffix(".md").write_text(render(json.loads(source.read_text())))
