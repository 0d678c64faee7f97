"""Confidentiality (守秘義務): no official page or export ever shows what the team holds.

Every confidential field of the case records (a session's notes, statements,
reflection, next steps, review comment and revisions; an insight's text; an
action's title, description and updates; referral notes; phase-change
reasons; the engagement's theme and referral note; the company's contacts; the
team's names) gets a unique marker. Then an official of the region walks every
GET route of the application, filled with the id of every planted record, and
every link and GET form found on the pages reached, exports included (CSV,
XLSX and any zip-based file are unpacked). No marker may appear anywhere, and
nothing may answer 500. Routes are read from app.url_map at run time, so pages
added later are walked without this file naming them.
"""

import io
import itertools
import re
import zipfile
from collections import deque
from datetime import date, timedelta
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

from werkzeug.exceptions import HTTPException

from tests.conftest import login
from tests.factories import (
    ActionFactory,
    CompanyFactory,
    ContactFactory,
    DialogueSessionFactory,
    EngagementFactory,
    InsightFactory,
    OrganisationFactory,
    ReferralFactory,
    SupportMeasureFactory,
    UserFactory,
)
from tracker.extensions import db
from tracker.models import (
    ActionState,
    ActionUpdate,
    InsightState,
    Phase,
    PhaseChange,
    ReferralOutcome,
    Role,
    SessionRevision,
    SessionState,
    Statement,
)

# Every marker starts with PREFIX, so that even a truncated excerpt is caught.
PREFIX = "zqconf"
PAGE_LIMIT = 1500
OPTIONS_PER_SELECT = 12
COMBINATIONS_PER_ROUTE = 60


def mark(field: str, variant: str) -> str:
    return f"{PREFIX}-{field}-{variant}-7f3a"


# ---- the planted records -----------------------------------------------------------


def _plant_engagement(company, variant, team, phase, measure):
    """An engagement of `company` with a marker in every confidential field."""
    contact = ContactFactory(company=company, name=mark("contactname", variant), title=mark("contacttitle", variant),
                             email=f"{mark('contactemail', variant)}@example.org", phone=mark("phone", variant))
    engagement = EngagementFactory(company=company, team=team, phase=phase, theme=mark("theme", variant),
                                   referral_note=mark("referralsource", variant),
                                   started_on=date.today() - timedelta(days=400))
    engagement.phase_changes.append(PhaseChange(
        from_phase=Phase.CANDIDATE, to_phase=phase, changed_on=date.today() - timedelta(days=300),
        reason=mark("phasereason", variant), changed_by_id=team[0][0].id))
    sessions = []
    for n, state in enumerate(SessionState):
        session = DialogueSessionFactory(
            engagement=engagement, author=team[0][0], state=state, held_on=date.today() - timedelta(days=10 + n),
            notes=mark(f"notes{n}", variant), reflection=mark(f"reflection{n}", variant),
            next_steps=mark(f"nextsteps{n}", variant), review_comment=mark(f"reviewcomment{n}", variant))
        session.company_attendees.append(contact)
        session.team_attendees.extend(user for user, _lead in team)
        session.statements.append(Statement(position=0, speaker_id=contact.id, text=mark(f"statement{n}", variant)))
        session.revisions.append(SessionRevision(
            user_id=team[0][0].id, changes={"notes": [mark(f"revisionbefore{n}", variant), session.notes]}))
        sessions.append(session)
    insights = []
    for n, state in enumerate(InsightState):
        insight = InsightFactory(engagement=engagement, text=mark(f"insight{n}", variant), state=state,
                                 is_essential=n == 2)
        insight.sessions.append(sessions[0])
        insights.append(insight)
    referral = ReferralFactory(engagement=engagement, measure=measure, note=mark("referralnote", variant),
                               outcome=ReferralOutcome.IN_USE, outcome_note=mark("referraloutcome", variant))
    actions = []
    for n, state in enumerate(ActionState):
        action = ActionFactory(engagement=engagement, title=mark(f"actiontitle{n}", variant),
                               description=mark(f"actiondescription{n}", variant), state=state,
                               owner_contact=contact if n % 2 else None, owner_user=None if n % 2 else team[0][0],
                               due_on=date.today() + timedelta(days=n * 10 - 15), session_id=sessions[0].id)
        action.insights.append(insights[0])
        action.referrals.append(referral)
        action.updates.append(ActionUpdate(noted_on=date.today(), text=mark(f"actionupdate{n}", variant),
                                           state=state, author_id=team[0][0].id))
        actions.append(action)
    db.session.commit()
    return {"contact": [contact.id], "engagement": [engagement.id], "session": [s.id for s in sessions],
            "insight": [i.id for i in insights], "action": [a.id for a in actions], "referral": [referral.id]}


def plant(region, other_region, manager):
    """Case records in the official's region (open and closed) and in another region.

    Returns {kind: [ids]} for filling path parameters, and the in-region company.
    """
    organisation = OrganisationFactory(name="燕市産業振興課", name_en="Tsubame Industry Division")
    manager.organisation = organisation
    consultant = UserFactory(role=Role.CONSULTANT, regions=[region, other_region], name=mark("teammember", "in"))
    stranger = UserFactory(role=Role.MANAGER, regions=[other_region], name=mark("teammember", "out"))
    measure = SupportMeasureFactory()
    supported = CompanyFactory(region=region, name="燕市精密工業株式会社", industry_code="24")
    graduated = CompanyFactory(region=region, name="飯田電機株式会社")
    never = CompanyFactory(region=region, name="未着手株式会社")
    elsewhere = CompanyFactory(region=other_region, name=mark("outofscopecompany", "out"))
    ids = {"company": [supported.id, graduated.id, never.id, elsewhere.id], "measure": [measure.id],
           "region": [region.id, other_region.id], "user": [manager.id, consultant.id, stranger.id],
           "organisation": [organisation.id]}
    planted = [
        _plant_engagement(supported, "open", [(manager, True), (consultant, False)], Phase.ACCOMPANY, measure),
        _plant_engagement(graduated, "closed", [(manager, True)], Phase.SELF_RUNNING, measure),
        _plant_engagement(elsewhere, "out", [(stranger, True)], Phase.FRAMING, measure),
    ]
    for records in planted:
        for kind, record_ids in records.items():
            ids.setdefault(kind, []).extend(record_ids)
    return ids, supported


# ---- the walker ---------------------------------------------------------------------


class _Links(HTMLParser):
    """Hrefs, srcs and GET forms (with their fields' values and options) of a page."""

    def __init__(self):
        super().__init__()
        self.links, self.forms, self._form, self._select = [], [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("href", "src"):
            if attrs.get(name):
                self.links.append(attrs[name])
        if tag == "form":
            get = attrs.get("method", "get").lower() == "get"
            self._form = {"action": attrs.get("action") or "", "fields": {}, "options": {}} if get else None
            if get:
                self.forms.append(self._form)
        elif self._form is not None and tag == "input" and attrs.get("name"):
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                self._form["fields"][attrs["name"]] = attrs.get("value") or ""
        elif self._form is not None and tag == "select" and attrs.get("name"):
            self._select = attrs["name"]
            self._form["options"][self._select] = []
            self._form["fields"].setdefault(self._select, "")
        elif self._form is not None and tag == "option" and self._select:
            value = attrs.get("value") or ""
            self._form["options"][self._select].append(value)
            if "selected" in attrs or len(self._form["options"][self._select]) == 1:
                self._form["fields"][self._select] = value

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _form_urls(page_url: str, form: dict) -> list[str]:
    """The form submitted as shown, then with each option of each select in turn."""
    action = urljoin(page_url, form["action"] or page_url).split("?")[0]
    queries = [dict(form["fields"])]
    for name, options in form["options"].items():
        for option in options[:OPTIONS_PER_SELECT]:
            queries.append({**form["fields"], name: option})
    return [f"{action}?{urlencode(query)}" for query in queries]


def _contents(response) -> list[tuple[str, str]]:
    """(part, text) for the body and, for zip files (XLSX, DOCX...), each member."""
    parts = [("body", response.data)]
    if response.data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
            parts += [(name, archive.read(name)) for name in archive.namelist()]
    texts = [("headers", str(response.headers))]
    for name, raw in parts:
        texts.append((name, raw.decode("utf-8", errors="ignore")))
        if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
            texts.append((name, raw.decode("utf-16", errors="ignore")))
    return texts


def _fill(rule, ids: dict, extra_values: list) -> list[str]:
    """The paths of a rule with each combination of candidate values for its parameters."""
    every_id = sorted({i for values in ids.values() for i in values})
    candidates = []
    for argument in sorted(rule.arguments):
        converter = type(rule._converters[argument]).__name__
        kind = argument.removesuffix("_id")
        if converter == "IntegerConverter":
            values = ids.get(kind) or every_id + [v for v in extra_values if isinstance(v, int)] + [999_999]
        else:
            values = [str(v) for v in extra_values]
        candidates.append((argument, values))
    paths = []
    for combination in itertools.islice(
        itertools.product(*(values for _name, values in candidates)), COMBINATIONS_PER_ROUTE
    ):
        names = [name for name, _values in candidates]
        paths.append(rule.build(dict(zip(names, combination, strict=True)), append_unknown=False)[1])
    return paths


def walk(app, client, ids: dict, extra_values: list, limit: int = PAGE_LIMIT) -> dict:
    """GET every route (filled with the planted ids), then every link found, then GET forms.

    Each form is submitted once as shown and once per option of each select
    (the first few). Returns {url: (status, [(part, text)])}; an exception in a
    view counts as a 500.
    """
    links = deque(["/"])
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint != "static":
            links.extend(_fill(rule, ids, extra_values) if rule.arguments else [rule.rule])
    forms, form_shapes, seen, visited = deque(), set(), set(), {}
    while (links or forms) and len(visited) < limit:
        url = (links or forms).popleft().split("#")[0]
        if url in seen or not url.startswith("/") or url.startswith("/static/"):
            continue
        seen.add(url)
        try:
            response = client.get(url)
        except Exception as error:  # noqa: BLE001 — in testing, a view's exception propagates
            visited[url] = (500, [("exception", repr(error))])
            continue
        visited[url] = (response.status_code, _contents(response))
        if response.status_code in (301, 302, 303, 307, 308):
            links.append(_same_host(url, response.headers["Location"]))
        if response.mimetype == "text/html":
            page = _Links()
            page.feed(response.text)
            links.extend(_same_host(url, link) for link in page.links)
            for form in page.forms:
                shape = (urljoin(url, form["action"] or url).split("?")[0], tuple(sorted(form["fields"])))
                if shape not in form_shapes:
                    form_shapes.add(shape)
                    forms.extend(_same_host(url, link) for link in _form_urls(url, form))
    return visited


def _same_host(page_url: str, link: str) -> str:
    """The link as a path on this host, or "" for other hosts and schemes."""
    target = urlsplit(urljoin(f"http://localhost{page_url}", link))
    if target.scheme not in ("http", "https") or target.netloc != "localhost":
        return ""
    return target.path + (f"?{target.query}" if target.query else "")


def _endpoint(app, url: str) -> str | None:
    try:
        return app.url_map.bind("localhost").match(urlsplit(url).path)[0]
    except HTTPException:
        return None


def _leaks(visited: dict) -> list[str]:
    found = []
    for url, (_status, texts) in visited.items():
        for part, text in texts:
            for match in re.finditer(rf"{PREFIX}[\w@.-]*", text, re.I):
                found.append(f"{url} [{part}]: {match.group()}")
    return found


def _extra_values(region, other_region) -> list:
    """Values for path parameters that are not record ids (years, quarters, formats, codes)."""
    fiscal_year = date.today().year if date.today().month >= 4 else date.today().year - 1
    return [fiscal_year, fiscal_year - 1, 1, 2, 3, 4, "csv", "xlsx", "print", "all",
            region.code, other_region.code, str(region.id)]


# ---- the proof ---------------------------------------------------------------------------


def test_no_official_page_or_export_shows_anything_confidential(app, client, region, other_region, manager,
                                                                official):
    ids, supported = plant(region, other_region, manager)
    login(client, official)
    visited = walk(app, client, ids, _extra_values(region, other_region))

    assert len(visited) < PAGE_LIMIT, "the walk was cut short: raise PAGE_LIMIT so that every page is read"
    errors = {url: texts for url, (status, texts) in visited.items() if status >= 500}
    assert not errors, f"server errors: {errors}"
    leaks = _leaks(visited)
    assert not leaks, "confidential text shown to an official:\n" + "\n".join(leaks[:50])

    # Not vacuous: the official really read the pages that show the companies.
    ok = {url for url, (status, _texts) in visited.items() if status == 200}
    assert {"/", "/companies/", f"/companies/{supported.id}"} <= ok
    profile = dict(visited[f"/companies/{supported.id}"][1])["body"]
    assert supported.name in profile and "燕市産業振興課" in profile  # the lead organisation
    assert len(ok) >= 10, sorted(ok)
    routed = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods}
    reached = {_endpoint(app, url) for url in visited}
    assert routed - {"static"} <= reached, "routes never requested: " + ", ".join(sorted(routed - reached))


def test_the_markers_are_where_the_team_reads_them(app, client, region, other_region, manager, official):
    """The control: the same walk as the manager finds the markers, so the walker would catch a leak."""
    ids, _supported = plant(region, other_region, manager)
    login(client, manager)
    visited = walk(app, client, ids, _extra_values(region, other_region), limit=PAGE_LIMIT)
    shown = {re.sub(r"\d+-", "-", leak.rsplit(": ", 1)[1].lower()) for leak in _leaks(visited)}
    for field in ("notes", "statement", "reflection", "nextsteps", "insight", "actiontitle", "actionupdate",
                  "contactname", "theme", "phasereason", "referralnote"):
        assert f"{PREFIX}-{field}-open-7f3a" in shown, f"{field} not shown to the manager: the walker proves nothing"
    assert not any("-out-" in marker for marker in shown), "another region's records shown to the manager"


def test_the_detector_reads_csv_with_a_bom_and_inside_xlsx(app):
    """The walker's own check: markers are found in a UTF-8 CSV with BOM and in a zipped sheet."""
    from flask import Response

    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as xlsx:  # compressed, as real XLSX files are
        xlsx.writestr("xl/worksheets/sheet1.xml", f"<c t='inlineStr'><is><t>{mark('notes', 'x')}</t></is></c>")
    csv = Response(("\ufeff" + f"a,{mark('insight', 'x')}\r\n").encode("utf-8"), mimetype="text/csv")
    sheet = Response(archive.getvalue(), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    visited = {"/a.csv": (200, _contents(csv)), "/a.xlsx": (200, _contents(sheet))}
    assert mark("notes", "x").encode() not in sheet.data
    assert sorted(leak.split(": ")[1] for leak in _leaks(visited)) == [mark("insight", "x"), mark("notes", "x")]
