"""Demo case records: the support-measure catalogue, and fictional companies of the
pilot regions with their engagements, sessions, insights, actions and referrals.

The records are written out in tracker/demo/casebook/ (one module per region, the
format described there); this module turns them into rows. Dates in the casebook
are counted back from today, so the demo looks current whenever it is loaded.
"""

from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from tracker.companies.text import corporate_number_check_digit
from tracker.database import utcnow
from tracker.demo.casebook import CASES
from tracker.extensions import db
from tracker.models import (
    Action,
    ActionState,
    ActionUpdate,
    Barrier,
    ClosingReason,
    Company,
    Contact,
    ContactSide,
    DialogueSession,
    Engagement,
    EngagementMember,
    Industry,
    Insight,
    InsightCategory,
    InsightHolder,
    InsightState,
    InsightStateChange,
    MeasureKind,
    Phase,
    PhaseChange,
    Referral,
    ReferralOutcome,
    ReferralSource,
    Region,
    Role,
    SessionFormat,
    SessionKind,
    SessionState,
    Statement,
    SupportMeasure,
    User,
)

# The team members the casebook names by these short names (see tracker/demo/data.py).
TEAM = {
    "M": "manager@example.com",
    "M2": "manager2@example.com",
    "C": "consultant@example.com",
    "C2": "consultant2@example.com",
    "C3": "consultant3@example.com",
    "C4": "consultant4@example.com",
}

# The catalogue: (name, English name, kind, provider, description). All fictional.
MEASURES = [
    ("DX推進伴走支援（架空）", "DX Companion Support (fictional)", MeasureKind.DIGITALISATION,
     "関東DX推進センター（架空）",
     "中小企業のデジタル化を専門スタッフが最長1年間伴走して支援する。データの取り方・使い方から社内の体制づくりまで。"),
    ("オープンイノベーション・マッチング（架空）", "Open-Innovation Matching (fictional)", MeasureKind.OPEN_INNOVATION,
     "関東オープンイノベーション推進協議会（架空）",
     "大手企業・異業種の企業と地域の中小企業との面談の場をつくり、共同開発や新規取引につなげる。"),
    ("専門家派遣事業（架空）", "Expert Dispatch Programme (fictional)", MeasureKind.EXPERT_DISPATCH,
     "中小企業診断士 伴走研究会（架空）",
     "品質管理、生産管理、組織づくりなどの専門家を、年10回まで無料で派遣する。"),
    ("北関東工科大学 産学連携窓口（架空）", "North Kanto Institute of Technology — Industry Liaison Office (fictional)",
     MeasureKind.UNIVERSITY, "北関東工科大学（架空）",
     "研究室の紹介、技術相談、共同研究・受託研究の契約までを一つの窓口で受け付ける。"),
    ("越後中央銀行 事業性評価融資（架空）", "Echigo Central Bank — Business-Assessment Loan (fictional)",
     MeasureKind.FINANCIAL_INSTITUTION, "越後中央銀行（架空）",
     "担保や保証に頼らず、事業の内容と将来性の評価に基づいて融資する。"),
    ("信州みらい信用金庫 事業承継相談（架空）", "Shinshu Mirai Shinkin Bank — Business-Succession Desk (fictional)",
     MeasureKind.FINANCIAL_INSTITUTION, "信州みらい信用金庫（架空）",
     "親族内・社内での承継の計画づくりと、そのための資金の相談に応じる。"),
    ("地域ものづくり設備投資補助金（架空）", "Regional Manufacturing Investment Subsidy (fictional)", MeasureKind.SUBSIDY,
     "地域産業振興財団（架空）",
     "生産性の向上につながる設備投資の費用の2分の1を補助する（上限1,000万円）。"),
    ("販路開拓・展示会出展支援（架空）", "Market Development and Trade-Fair Support (fictional)", MeasureKind.SUBSIDY,
     "地域産業振興財団（架空）",
     "国内外の展示会への出展費用と、出展に向けた準備の専門家相談を支援する。"),
    ("ものづくり共創パートナーズ 技術相談（架空）", "Monozukuri Co-Creation Partners — Technical Consultation (fictional)",
     MeasureKind.PARTNER_COMPANY, "ものづくり共創パートナーズ株式会社（架空）",
     "大手メーカー出身の技術者が、試作・量産化・品質保証の相談に応じる。"),
    ("事業承継・引継ぎ相談窓口（架空）", "Business Succession and Transfer Desk (fictional)", MeasureKind.OTHER,
     "地域事業承継支援センター（架空）",
     "親族内承継、従業員承継、第三者への引継ぎ、合併などの相談を受け付け、専門家を紹介する。"),
]

CASE_COUNTS = ("companies", "engagements", "sessions", "insights", "actions", "referrals")


def corporate_number(base: str) -> str:
    """The 13-digit 法人番号 of a 12-digit base number: the check digit, then the base."""
    return f"{corporate_number_check_digit(base)}{base}"


def load_measures() -> int:
    """Add the catalogue entries missing by name; return how many were added."""
    existing = set(db.session.scalars(sa.select(SupportMeasure.name)))
    missing = [row for row in MEASURES if row[0] not in existing]
    for name, name_en, kind, provider, description in missing:
        db.session.add(SupportMeasure(name=name, name_en=name_en, kind=kind, provider=provider,
                                      description=description))
    return len(missing)


def load_cases(today: date | None = None) -> dict[str, int]:
    """Add the casebook, unless any company exists already (then add nothing).

    Needs the demo regions, accounts and catalogue in the session; does not commit.
    """
    if db.session.scalar(sa.select(Company.id).limit(1)) is not None:
        return dict.fromkeys(CASE_COUNTS, 0)
    loader = _CaseLoader(today or date.today())
    for case in CASES:
        loader.add(case)
    loader.link_state_changes_to_sessions()
    return loader.added


class _CaseLoader:
    """Builds the rows of one casebook entry after another, in memory."""

    def __init__(self, today: date):
        self.today = today
        self.now = utcnow()
        self.regions = {region.code[:5]: region for region in db.session.scalars(sa.select(Region))}
        team = db.session.scalars(sa.select(User).where(User.email.in_(TEAM.values())))
        by_email = {user.email: user for user in team}
        self.users = {short: by_email[email] for short, email in TEAM.items()}
        self.industries = set(db.session.scalars(sa.select(Industry.code)))
        self.measures = {measure.name: measure for measure in db.session.scalars(sa.select(SupportMeasure))}
        self.added = dict.fromkeys(CASE_COUNTS, 0)
        # Insight state changes name their session by id, known only after a flush.
        self.state_change_sessions: list[tuple[InsightStateChange, DialogueSession]] = []

    def day(self, days_ago: int) -> date:
        return self.today - timedelta(days=days_ago)

    def moment(self, day: date, hour: int = 6) -> datetime:
        """A time on that day (15:00 in Japan), never later than now."""
        return min(datetime.combine(day, time(hour), tzinfo=UTC), self.now)

    def stamp(self, record, day: date) -> None:
        record.created_at = record.updated_at = self.moment(day)

    def add(self, case: dict) -> None:
        company = self.company(case)
        db.session.add(company)
        self.added["companies"] += 1
        spec = case.get("engagement")
        if spec is not None:
            self.engagement(spec, company)

    def company(self, case: dict) -> Company:
        spec = case["company"]
        contacts = [Contact(name=name, title=title, side=ContactSide(side))
                    for name, title, side in case["contacts"]]
        phases = case.get("engagement", {}).get("phases")
        company = Company(
            name=spec["name"], kana=spec["kana"], corporate_number=corporate_number(spec["number"]),
            region=self.regions[case["region"]], address=spec["address"],
            industry_code=spec["industry"] if spec["industry"] in self.industries else None,
            employees=spec["employees"], capital=spec["capital"], founded_year=spec["founded"],
            leader_selection_year=spec.get("leader"), representative=contacts[0].name, contacts=contacts,
        )
        known_since = self.day(phases[0][0] if phases else 400)
        for record in (company, *contacts):
            self.stamp(record, known_since)
        return company

    def engagement(self, spec: dict, company: Company) -> None:
        team = [self.users[spec["lead"]]] + [self.users[short] for short in spec["team"]]
        manager = next(user for user in team if user.role == Role.MANAGER)
        scribe = next((user for user in team if user.role == Role.CONSULTANT), manager)
        engagement = Engagement(
            company=company, theme=spec["theme"], referral_source=ReferralSource(spec["source"]),
            referral_note=spec["source_note"], created_by_id=manager.id,
            closing_reason=ClosingReason(spec["closing"]) if "closing" in spec else None,
            members=[EngagementMember(user=user, is_lead=index == 0) for index, user in enumerate(team)],
        )
        previous = None
        for days_ago, phase, reason in spec["phases"]:
            changed_on = self.day(days_ago)
            engagement.phase_changes.append(PhaseChange(
                from_phase=previous, to_phase=Phase(phase), changed_on=changed_on, reason=reason,
                changed_by=manager, recorded_at=self.moment(changed_on),
            ))
            previous = Phase(phase)
        first, last = engagement.phase_changes[0], engagement.phase_changes[-1]
        engagement.started_on = first.changed_on
        engagement.phase, engagement.phase_since = last.to_phase, last.changed_on
        self.stamp(engagement, first.changed_on)
        engagement.updated_at = self.moment(last.changed_on)
        db.session.add(engagement)
        self.added["engagements"] += 1

        contacts = company.contacts
        sessions = {row["key"]: self.session(row, engagement, contacts, manager)
                    for row in spec.get("sessions", [])}
        insights = [self.insight(row, engagement, sessions, scribe) for row in spec.get("insights", [])]
        referrals = [self.referral(row, engagement, scribe) for row in spec.get("referrals", [])]
        for row in spec.get("actions", []):
            self.action(row, engagement, contacts, sessions, insights, referrals, scribe)

    def session(self, row: dict, engagement: Engagement, contacts: list[Contact], manager: User):
        team = [self.users[short] for short in row["team"]]
        held_on = self.day(row["ago"])
        session = DialogueSession(
            engagement=engagement, held_on=held_on, duration_minutes=row["minutes"],
            format=SessionFormat(row["format"]), kind=SessionKind(row["kind"]),
            notes=row["notes"], reflection=row.get("reflection", ""), next_steps=row.get("next", ""),
            state=SessionState(row.get("state", "reviewed")), author=team[0],
            company_attendees=[contacts[index] for index in row["company"]], team_attendees=team,
            statements=[Statement(position=position, speaker=contacts[speaker], text=text)
                        for position, (speaker, text) in enumerate(row.get("said", []))],
        )
        self.stamp(session, held_on)
        if session.state != SessionState.DRAFT:
            session.submitted_at = session.updated_at = self.moment(held_on + timedelta(days=1))
        if session.state in (SessionState.REVIEWED, SessionState.RETURNED):
            session.reviewed_by = manager
            session.reviewed_at = self.moment(held_on + timedelta(days=3))
            session.review_comment = row.get("review", "")
        db.session.add(session)
        self.added["sessions"] += 1
        return session

    def insight(self, row: dict, engagement: Engagement, sessions: dict, scribe: User) -> Insight:
        """An insight and its path: where it surfaced, then each move (a session key or days ago)."""
        steps = []
        for where, state in row["path"]:
            session = sessions[where] if isinstance(where, str) else None
            steps.append((session, session.held_on if session else self.day(where), InsightState(state)))
        linked = [session for session, _, _ in steps if session]
        linked += [sessions[key] for key in row.get("seen", [])]
        insight = Insight(
            engagement=engagement, text=row["text"], holder=InsightHolder(row["holder"]),
            category=InsightCategory(row["category"]),
            barrier=Barrier(row["barrier"]) if row.get("barrier") else None,
            state=steps[-1][2], is_essential=row.get("essential", False),
            created_by_id=(steps[0][0].author if steps[0][0] else scribe).id,
            sessions=list(dict.fromkeys(linked)),
        )
        previous = None
        for session, day, state in steps:
            change = InsightStateChange(from_state=previous, to_state=state, changed_at=self.moment(day),
                                        changed_by_id=(session.author if session else scribe).id)
            insight.state_changes.append(change)
            if session is not None:
                self.state_change_sessions.append((change, session))
            previous = state
        self.stamp(insight, steps[0][1])
        insight.updated_at = self.moment(steps[-1][1])
        db.session.add(insight)
        self.added["insights"] += 1
        return insight

    def referral(self, row: dict, engagement: Engagement, scribe: User) -> Referral:
        referral = Referral(
            engagement=engagement, measure=self.measures[row["measure"]], referred_on=self.day(row["ago"]),
            note=row.get("note", ""), outcome=ReferralOutcome(row.get("outcome", "pending")),
            outcome_note=row.get("result", ""), created_by_id=scribe.id,
        )
        self.stamp(referral, referral.referred_on)
        db.session.add(referral)
        self.added["referrals"] += 1
        return referral

    def action(self, row, engagement, contacts, sessions, insights, referrals, scribe) -> Action:
        owner = row["owner"]
        owner_user = self.users[owner] if isinstance(owner, str) else None
        session = sessions[row["from"]] if "from" in row else None
        action = Action(
            engagement=engagement, title=row["title"], description=row.get("about", ""),
            owner_contact=contacts[owner] if isinstance(owner, int) else None, owner_user=owner_user,
            due_on=self.today + timedelta(days=row["due"]), session=session,
            insights=[insights[index] for index in row.get("insights", [])],
            referrals=[referrals[index] for index in row.get("referrals", [])],
            created_by_id=(session.author if session else scribe).id, state=ActionState.PLANNED,
        )
        updates = row.get("updates", [])
        created_on = session.held_on if session else self.day(updates[0][0] + 7 if updates else 0)
        self.stamp(action, max(created_on, engagement.started_on))
        for days_ago, text, state in updates:
            noted_on = self.day(days_ago)
            action.updates.append(ActionUpdate(
                noted_on=noted_on, text=text, state=ActionState(state) if state else None,
                author_id=(owner_user or scribe).id, created_at=self.moment(noted_on),
            ))
            if state:
                action.state = ActionState(state)
                action.done_on = noted_on if action.state == ActionState.DONE else None
            action.updated_at = self.moment(noted_on)
        db.session.add(action)
        self.added["actions"] += 1
        return action

    def link_state_changes_to_sessions(self) -> None:
        db.session.flush()
        for change, session in self.state_change_sessions:
            change.session_id = session.id
