"""The benchmark's floors (bench/floors.py) render what the product renders.

A floor is worth comparing with its page only if it shows the same thing: on a
small `flask demo generate` data set, each bench role signs in, asks for every
measured page (bench/targets.py, with the records the bench would choose) and
for its floor, and the two answers must be the same HTML but for what differs
by request: the menu's current-page mark (the floors are another blueprint),
the CSRF tokens, and the language switch's return path.
"""

import re
from collections import Counter
from types import SimpleNamespace
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from bench import floors, targets
from config import database_url
from tests.conftest import IsolatedClient, empty_database, login
from tracker import create_app
from tracker.demo.generate import DEFAULT_PASSWORD, generate
from tracker.extensions import db
from tracker.models import User

COMPANIES, SESSIONS = 40, 1200
PAGES = [page["name"] for page in targets.pages(dict.fromkeys(
    ("engagement_id", "company_id", "region_id", "company_term", "short_term", "long_term"), "x"))]

MAIN_MENU = re.compile(r'<nav class="main-nav".*?</nav>', re.S)
PER_REQUEST = [
    (re.compile(r'(<meta name="csrf-token" content=")[^"]*'), r"\1…"),
    (re.compile(r'(name="csrf_token" value=")[^"]*'), r"\1…"),
    (re.compile(r'(name="next" value=")[^"]*'), r"\1…"),
]


def common_word(url: str, table: str) -> str:
    """The commonest three characters opening a word of the table's texts (as the bench chooses its words)."""
    engine = sa.create_engine(database_url(url, ""))
    with engine.connect() as connection:
        texts = connection.execute(sa.text(f"SELECT text FROM {table} ORDER BY id LIMIT 200")).scalars().all()  # noqa: S608 (a fixed name)
    engine.dispose()
    return Counter(word[:3] for text in texts for word in targets.WORDS.findall(text)).most_common(1)[0][0]


def normalised(html: str) -> str:
    """The page without what differs from one request or blueprint to another."""
    html = MAIN_MENU.sub(lambda nav: nav.group().replace(' aria-current="page"', ""), html)
    for pattern, replacement in PER_REQUEST:
        html = pattern.sub(replacement, html)
    return html


@pytest.fixture(scope="module")
def bench(app):
    """The bench's app (the product plus the floors) on the suite's database, filled by the
    generator; the records and accounts the bench would measure; a signed-in client per role."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    bench_app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    bench_app.register_blueprint(floors.bp)
    bench_app.test_client_class = IsolatedClient
    floors._CACHE.clear()  # reference lists of another database (the other backend's run)
    with bench_app.app_context():
        generate(COMPANIES, SESSIONS, seed=1)
        db.session.remove()
    chosen = targets.choose(url, "generate")
    chosen.update({f"{table}_term": common_word(url, table) for table in ("statements", "insights")})
    clients = {}
    with bench_app.app_context():  # login() reads the account (its authenticator key) from the database
        for role, email in chosen["accounts"].items():
            clients[role] = bench_app.test_client()
            account = db.session.scalar(sa.select(User).where(User.email == email))
            assert login(clients[role], account, DEFAULT_PASSWORD).status_code == 302
    yield SimpleNamespace(pages={page["name"]: page for page in targets.pages(chosen)}, chosen=chosen,
                          clients=clients)
    floors._CACHE.clear()
    with bench_app.app_context():
        db.engine.dispose()
        empty_database()


@pytest.mark.parametrize("name", PAGES)
def test_floor_renders_the_page(bench, name):
    page = bench.pages[name]
    assert page["floor"], f"{name} has no floor"
    client = bench.clients[page["role"]]
    product, floor = client.get(page["path"]), client.get(page["floor"])
    assert (product.status_code, floor.status_code) == (200, 200)
    assert normalised(floor.text) == normalised(product.text)


# The floors' other arguments, beyond the pages the bench measures: (role, path after /_floor or /).
OTHER_ARGUMENTS = {
    "timeline, earlier events": ("manager", "engagements/{engagement_id}/timeline?page=2"),
    "notes search, one kind, second page": ("manager", "search?q={long_term}&kind=session&page=2"),
    "notes search, short and long words": ("manager", "search?q={short_term}+{long_term}"),
    "notes search, the consultant's cases": ("consultant", "search?q={short_term}"),
    "summary, a quarter": ("admin", "summaries/?region={region_id}&quarter=1"),
    "summary, an official's": ("official", "summaries/"),
}


@pytest.mark.parametrize("name", OTHER_ARGUMENTS)
def test_floor_follows_the_arguments(bench, name):
    role, path = OTHER_ARGUMENTS[name]
    chosen = {key: quote(str(value)) for key, value in bench.chosen.items() if key.endswith(("_id", "_term"))}
    path = path.format(**chosen)
    client = bench.clients[role]
    product, floor = client.get(f"/{path}"), client.get(f"/_floor/{path}")
    assert (product.status_code, floor.status_code) == (200, 200)
    assert normalised(floor.text) == normalised(product.text)


def test_floor_bounds_a_short_word_scan_as_the_page_does(bench, monkeypatch):
    """A scope of more than SCAN_LIMIT sessions has short words looked for in its newest ones only."""
    for module in ("tracker.search.queries", "bench.floor_more"):
        monkeypatch.setattr(f"{module}.SCAN_LIMIT", 100)
    path = f"search?q={quote(bench.chosen['short_term'])}"
    client = bench.clients["manager"]
    product, floor = client.get(f"/{path}"), client.get(f"/_floor/{path}")
    assert "search-bounded" in product.text
    assert normalised(floor.text) == normalised(product.text)


@pytest.mark.parametrize("share", [0, 100])
@pytest.mark.parametrize("term", ["long_term", "statements_term", "insights_term"])
def test_floor_starts_from_the_side_the_page_starts_from(bench, monkeypatch, share, term):
    """SQLite, words of 3+ characters: from the FTS index (a large share: always) or from the
    scope (none: never), each kind as the page chooses; words found in each kind of record."""
    for module in ("tracker.search.queries", "bench.floor_more"):
        monkeypatch.setattr(f"{module}.INDEX_SHARE", share)
    path = f"search?q={quote(bench.chosen[term])}"
    client = bench.clients["manager"]
    product, floor = client.get(f"/{path}"), client.get(f"/_floor/{path}")
    assert 'class="card search-result"' in product.text
    assert normalised(floor.text) == normalised(product.text)
