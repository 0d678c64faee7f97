"""The case records of one generated company: its contacts and figures, and for each
engagement its team, phase history, sessions (with statements and attendees),
insights (with their moves), referrals and actions (with updates), as row tuples.

Each company draws from its own random generator (seeded from the run's seed and
the company's position), so the data do not depend on how the run is chunked.
"""

import random
from datetime import UTC, date, datetime, time, timedelta

from tracker.demo import generate_text as text
from tracker.demo.cases import corporate_number
from tracker.demo.generate_plan import INTENSITY, CompanyPlan, EngagementPlan, Picker, weighted
from tracker.demo.outcomes import MILLION, REPORTING_PHASES
from tracker.pipeline.fiscal import fiscal_year

KINDS = {phase: Picker(weights) for phase, weights in {
    "candidate": {"president_dialogue": 9, "team_reflection": 1},
    "review": {"staff_interview": 6, "president_dialogue": 2, "findings_feedback": 1, "team_reflection": 1},
    "framing": {"president_dialogue": 5, "findings_feedback": 2, "team_reflection": 2, "project_meeting": 1},
    "accompany": {"project_meeting": 5, "president_dialogue": 3, "team_reflection": 1, "staff_interview": 1},
    "self_running": {"president_dialogue": 5, "project_meeting": 4, "team_reflection": 1},
}.items()}
FORMAT = Picker({"visit": 60, "online": 25, "our_office": 10, "phone": 5})
# Session states by the session's age: old ones are nearly all reviewed, recent ones still in the works.
OLD_STATE = Picker({"reviewed": 93, "returned": 1, "submitted": 4, "draft": 2})
RECENT_STATE = Picker({"reviewed": 60, "submitted": 30, "returned": 4, "draft": 6})
NEW_STATE = Picker({"reviewed": 15, "submitted": 45, "returned": 5, "draft": 35})
STATEMENT_COUNT = Picker({0: 20, 1: 35, 2: 30, 3: 15})
HOLDER = Picker({"president": 45, "executive": 20, "employee": 20, "team_hypothesis": 15})
LATE_ACTION = Picker({"done": 75, "dropped": 10, "in_progress": 10, "planned": 5})
OPEN_ACTION = Picker({"planned": 45, "in_progress": 45, "done": 10})
TOPIC_CATEGORY = {
    "事業承継": "organisation", "価格転嫁": "finance", "人材育成": "organisation", "DX": "digital",
    "新製品開発": "technology", "販路開拓": "business", "生産性向上": "technology", "海外展開": "business",
    "組織づくり": "organisation", "脱炭素": "other", "資金繰り": "finance",
}
BARRIERS = ["unseen", "unfaced", "unexecuted", "unfollowed", "lacking"]
NEXT_INSIGHT_STATE = {"hypothesis": "voiced", "voiced": "owned", "owned": "acted_on"}
ADVANCED = {"accompany", "self_running", "closed"}
REPORTING = {phase.value for phase in REPORTING_PHASES}


class CaseMaker:
    """Adds the rows of one company after another to a BulkWriter."""

    def __init__(self, writer, ids, seed: int, today: date, now: datetime, measures: list[int],
                 industries: set[str], consultants: set[int]):
        self.writer, self.ids, self.seed = writer, ids, seed
        self.today, self.now, self.measures, self.industries = today, now, measures, industries
        self.consultants = consultants
        self.sessions = 0

    def moment(self, day: date, hour: int = 1) -> datetime:
        """A time on that day (10:00 in Japan for hour 1), never later than now."""
        return min(datetime.combine(day, time(hour), tzinfo=UTC), self.now)

    def add(self, number: int, plan: CompanyPlan) -> None:
        rng = random.Random(f"{self.seed}/{number}")  # noqa: S311 (reproducible fake data)  # nosec B311
        industry = text.INDUSTRIES[plan.industry]
        contacts = self.company(rng, plan, industry)
        for engagement in plan.engagements:
            self.engagement(rng, plan, engagement, industry, contacts)
        latest = plan.engagements[-1] if plan.engagements else None
        if latest and latest.phase in REPORTING:
            self.snapshots(rng, plan, latest)

    # ---- the company ----------------------------------------------------------

    def company(self, rng, plan: CompanyPlan, industry) -> list[tuple[int, str, str]]:
        region, add = plan.region, self.writer.add
        suffix, suffix_kana = rng.choice(industry.suffixes)
        style = rng.random()
        if style < 0.45:
            core, core_kana = rng.choice(text.SURNAMES)
            name = f"株式会社{core}{suffix}"
        elif style < 0.75:
            core, core_kana = region.place, _place_kana(region)
            name = f"{core}{suffix}株式会社"
        else:
            core, core_kana = rng.choice(text.COINED)
            name = f"{'有限会社' if rng.random() < 0.2 else '株式会社'}{core}{suffix}"
        contacts = [(self.ids.next("contacts"), "president", text.person_name(rng), "代表取締役社長")]
        contacts += [(self.ids.next("contacts"), "executive", text.person_name(rng), rng.choice(text.EXECUTIVE_TITLES))
                     for _ in range(rng.randint(1, 2))]
        contacts += [(self.ids.next("contacts"), "employee", text.person_name(rng), rng.choice(text.EMPLOYEE_TITLES))
                     for _ in range(rng.randint(1, 4))]
        known = plan.engagements[0].started_on - timedelta(days=rng.randint(0, 60)) if plan.engagements else (
            self.today - timedelta(days=rng.randint(30, 1500)))
        created = self.moment(known)
        capital = rng.choice((10, 20, 30, 50, 80, 100, 300)) * MILLION
        add("companies", (
            plan.id, name, core_kana + suffix_kana,
            corporate_number(f"{800_000_000_000 + plan.id:012d}") if rng.random() < 0.95 else None,
            region.id, f"{region.prefecture}{region.municipality}{rng.choice(text.TOWNS)}{rng.randint(1, 4999)}番地",
            industry.code if industry.code in self.industries else None, plan.employees, capital,
            rng.randint(1900, 2015), rng.choice((2017, 2018, 2020, 2023)) if rng.random() < 0.45 else None,
            contacts[0][2], created, created, 1, None, None,
        ))
        for contact_id, side, person, title in contacts:
            add("contacts", (contact_id, plan.id, person, title, side, "", "", created, created))
        return [(contact_id, side, person) for contact_id, side, person, _ in contacts]

    def snapshots(self, rng, plan: CompanyPlan, engagement: EngagementPlan) -> None:
        """Local Benchmark inputs from the year before support began to the last closed
        fiscal year: a random walk of sales, margins improving a little year on year."""
        employees = plan.employees
        sales = employees * rng.uniform(12, 35) * MILLION
        previous = sales / (1 + rng.gauss(0.01, 0.05))
        debt_ratio = rng.uniform(0.3, 0.7)
        equity = rng.uniform(0.1, 0.5)
        first = fiscal_year(engagement.started_on) - 1
        for offset, year in enumerate(range(first, fiscal_year(self.today))):
            sales *= 1 + rng.gauss(0.02 + 0.005 * offset, 0.06)
            employees = max(1, employees + rng.randint(-3, 4))
            margin = rng.gauss(0.03 + 0.004 * offset, 0.03)
            total_assets = sales * rng.uniform(0.7, 1.1)
            debt_ratio = max(0.0, debt_ratio - rng.uniform(-0.02, 0.05))
            equity = min(0.8, equity + rng.uniform(-0.02, 0.04))
            created = self.moment(min(date(year + 1, 6, 30), self.today))
            self.writer.add("outcome_snapshots", (
                self.ids.next("outcome_snapshots"), plan.id, year, int(sales),
                int(previous) if offset == 0 or rng.random() < 0.5 else None,
                int(sales * margin), int(sales * rng.uniform(0.02, 0.05)), int(sales * debt_ratio),
                int(sales * rng.uniform(0.08, 0.2)), int(sales * rng.uniform(0.12, 0.22)),
                int(sales * rng.uniform(0.08, 0.2)), int(sales * rng.uniform(0.08, 0.15)),
                int(total_assets * equity), int(total_assets), employees, int(sales * rng.uniform(0.01, 0.06)),
                engagement.manager, created, created, 1,
            ))
            previous = sales

    # ---- the engagement -------------------------------------------------------

    def engagement(self, rng, plan: CompanyPlan, engagement: EngagementPlan, industry, contacts) -> None:
        add, region, manager = self.writer.add, plan.region, engagement.manager
        executive = next(person for _, side, person in contacts if side == "executive")
        slots = text.Slots(rng, industry, engagement.topics, successor=executive.split()[0], place=region.municipality)
        note = {"municipality": f"{region.municipality} 商工担当からの推薦",
                "financial_institution": "取引金融機関からの紹介"}.get(engagement.source, "")
        add("engagements", (
            engagement.id, plan.id, text.TOPICS[engagement.topics[0]][0], engagement.source, note,
            engagement.started_on, engagement.phase, engagement.phases[-1][1], engagement.closing_reason, manager,
            self.moment(engagement.started_on), self.moment(engagement.phases[-1][1]), 1, None, None,
        ))
        for index, user in enumerate(engagement.members):
            add("engagement_members", (engagement.id, user, index == 0))
        previous = None
        for phase, day in engagement.phases:
            add("phase_changes", (self.ids.next("phase_changes"), engagement.id, previous, phase, day,
                                  slots.pick(text.PHASE_REASONS[phase]), manager, self.moment(day)))
            previous = phase
        sessions = self.dialogue(rng, engagement, slots, contacts)
        insights = self.insights(rng, engagement, slots, sessions)
        referrals = self.referrals(rng, engagement, slots)
        self.actions(rng, engagement, slots, contacts, sessions, insights, referrals)

    def dialogue(self, rng, engagement: EngagementPlan, slots, contacts) -> list[tuple]:
        """The sessions, oldest first, as (id, day, phase, kind, author); their rows written."""
        segments = [s for s in engagement.segments(self.today) if s[0] != "closed"]
        weights = [((end - start).days + 1) * INTENSITY[phase] for phase, start, end in segments]
        if not engagement.sessions or not sum(weights):
            return []
        picked = rng.choices(segments, weights=weights, k=engagement.sessions)
        days = sorted((start + timedelta(days=rng.randint(0, (end - start).days)), phase) for phase, start, end in picked)
        team = engagement.members
        consultants = [user for user in team if user in self.consultants] or team
        by_side = {side: [c for c in contacts if c[1] == side] for side in ("president", "executive", "employee")}
        made = []
        for day, phase in days:
            made.append(self.session(rng, engagement, slots, day, phase, team, consultants, by_side))
        self.sessions += len(made)
        return made

    def session(self, rng, engagement, slots, day, phase, team, consultants, by_side) -> tuple:
        add = self.writer.add
        session_id = self.ids.next("dialogue_sessions")
        kind = KINDS[phase](rng)
        form = "our_office" if kind == "team_reflection" else FORMAT(rng)
        minutes = 30 if form == "phone" else rng.choice((60, 90, 120, 180 if kind == "staff_interview" else 90))
        author = rng.choice(consultants) if rng.random() < 0.85 else engagement.manager
        attendees = _attendees(rng, kind, by_side)
        age = (self.today - day).days
        state = (OLD_STATE if age > 45 else RECENT_STATE if age > 10 else NEW_STATE)(rng)
        created = self.moment(day, rng.randint(1, 9))
        submitted = reviewed = None
        reviewer, comment = None, ""
        if state != "draft":
            submitted = self.moment(day + timedelta(days=rng.randint(0, 2)), 9)
        if state in ("reviewed", "returned"):
            reviewed = max(submitted, self.moment(day + timedelta(days=rng.randint(1, 7)), 5))
            reviewer, comment = engagement.manager, slots.pick(text.REVIEW_COMMENTS)
        add("dialogue_sessions", (
            session_id, engagement.id, day, minutes, form, kind, text.notes(slots, kind),
            slots.pick(text.REFLECTIONS) if rng.random() < 0.7 else "",
            slots.pick(text.NEXT_STEPS) if rng.random() < 0.8 else "", state, author, submitted, reviewed,
            reviewer, comment, created, reviewed or submitted or created, 1, None, None,
        ))
        for contact_id, _side, _name in attendees:
            add("session_contacts", (session_id, contact_id))
        for user in dict.fromkeys([author, *rng.sample(team, rng.randint(0, min(2, len(team))))]):
            add("session_team", (session_id, user))
        if attendees:
            for position in range(STATEMENT_COUNT(rng)):
                speaker_id, side, _ = rng.choice(attendees)
                add("statements", (self.ids.next("statements"), session_id, position, speaker_id,
                                   slots.pick(text.STATEMENTS[side])))
        return session_id, day, phase, kind, author

    def insights(self, rng, engagement: EngagementPlan, slots, sessions) -> list[tuple[int, int]]:
        """Insights surfacing in sessions and moving on in later ones; returns (id, session index)."""
        if not sessions:
            return []
        add, advanced = self.writer.add, engagement.phase in ADVANCED
        count = round(len(sessions) * 0.2 * rng.uniform(0.6, 1.4))
        if engagement.phase != "candidate" and len(sessions) >= 2:
            count = max(1, count)
        made, essential = [], 0
        for at in sorted(rng.randrange(len(sessions)) for _ in range(count)):
            insight_id = self.ids.next("insights")
            kind = sessions[at][3]
            holder = "team_hypothesis" if kind == "team_reflection" else HOLDER(rng)
            state = "hypothesis" if holder == "team_hypothesis" else "voiced"
            steps = [(None, state, at)]
            while state in NEXT_INSIGHT_STATE and at < len(sessions) - 1 and rng.random() < (0.6 if advanced else 0.35):
                following = "dropped" if rng.random() < 0.08 else NEXT_INSIGHT_STATE[state]
                if following == "acted_on" and not advanced:
                    break
                at = rng.randint(at + 1, len(sessions) - 1)
                steps.append((state, following, at))
                state = following
            category = TOPIC_CATEGORY[rng.choice(engagement.topics)] if rng.random() < 0.6 else rng.choice(
                list(text.INSIGHTS))
            is_essential = (essential < 1 and state in ("owned", "acted_on") and holder != "team_hypothesis"
                            and engagement.phase not in ("candidate", "review"))
            essential += is_essential
            first, last = sessions[steps[0][2]], sessions[steps[-1][2]]
            add("insights", (
                insight_id, engagement.id, slots.pick(text.INSIGHTS[category]), holder, category,
                rng.choice(BARRIERS) if rng.random() < 0.8 else None, state, is_essential, first[4],
                self.moment(first[1], 2), self.moment(last[1], 2), 1, None, None,
            ))
            linked = {sessions[index][0] for _, _, index in steps}
            if rng.random() < 0.3:
                linked.add(sessions[rng.randint(steps[0][2], len(sessions) - 1)][0])
            for session_id in sorted(linked):
                add("insight_sessions", (insight_id, session_id))
            for before, after, index in steps:
                session_id, day, _, _, author = sessions[index]
                add("insight_state_changes", (self.ids.next("insight_state_changes"), insight_id, before, after,
                                              self.moment(day, 2), author, session_id))
            made.append((insight_id, steps[0][2]))
        return made

    def referrals(self, rng, engagement: EngagementPlan, slots) -> list[int]:
        """Referrals to the catalogue once the essential issue is being framed."""
        segments = [s for s in engagement.segments(self.today) if s[0] in ("framing", "accompany", "self_running")]
        if not segments or not self.measures:
            return []
        made = []
        for _ in range(rng.choices((0, 1, 2, 3), (30, 35, 25, 10))[0]):
            _phase, start, end = rng.choice(segments)
            day = start + timedelta(days=rng.randint(0, (end - start).days))
            age = (self.today - day).days
            outcome = weighted(rng, {"completed": 40, "in_use": 25, "not_pursued": 25, "pending": 10} if age > 180
                               else {"in_use": 40, "pending": 30, "completed": 10, "not_pursued": 20} if age > 60
                               else {"pending": 80, "in_use": 20})
            referral_id = self.ids.next("referrals")
            self.writer.add("referrals", (
                referral_id, engagement.id, rng.choice(self.measures), day, slots.pick(text.REFERRAL_NOTES), outcome,
                "" if outcome == "pending" else slots.pick(text.REFERRAL_RESULTS), engagement.members[0],
                self.moment(day), self.moment(day), 1,
            ))
            made.append(referral_id)
        return made

    def actions(self, rng, engagement, slots, contacts, sessions, insights, referrals) -> None:
        """Actions decided in sessions: mostly the company's, some the team's own support actions."""
        working = [index for index, session in enumerate(sessions) if session[2] in ("framing", "accompany",
                                                                                      "self_running")]
        if not working:
            return
        add = self.writer.add
        rate = 0.2 if engagement.phase in ADVANCED else 0.05
        for _ in range(round(len(sessions) * rate * rng.uniform(0.6, 1.4))):
            at = rng.choice(working)
            session_id, created_on, _, _, author = sessions[at]
            action_id = self.ids.next("actions")
            support = rng.random() < 0.25
            owner_contact = None if support else rng.choice(contacts)[0]
            owner_user = rng.choice(engagement.members) if support else None
            due = created_on + timedelta(days=rng.randint(14, 120))
            late = (self.today - due).days
            state = (LATE_ACTION if late > 30 else OPEN_ACTION)(rng)
            updates = _update_days(rng, state, created_on, min(self.today, due + timedelta(days=30)))
            done_on = updates[-1] if state == "done" else None
            add("actions", (
                action_id, engagement.id, slots.pick(text.SUPPORT_ACTION_TITLES if support else text.ACTION_TITLES),
                slots.fill(rng.choice(text.TOPICS[rng.choice(engagement.topics)][1])) if rng.random() < 0.5 else "",
                owner_contact, owner_user, due, state, done_on, session_id if rng.random() < 0.85 else None, author,
                self.moment(created_on, 3), self.moment(updates[-1] if updates else created_on, 3), 1, None, None,
            ))
            for number, day in enumerate(updates):
                moved = (state if number == len(updates) - 1 else "in_progress") if state != "planned" else None
                if moved == "in_progress" and number > 0:
                    moved = None
                add("action_updates", (self.ids.next("action_updates"), action_id, day,
                                       slots.pick(text.UPDATE_TEXTS[moved]), moved, owner_user or author,
                                       self.moment(day, 4)))
            earlier = [insight_id for insight_id, index in insights if index <= at]
            for insight_id in rng.sample(earlier, min(len(earlier), rng.choice((0, 0, 1, 2)))):
                add("action_insights", (action_id, insight_id))
            if support and referrals and rng.random() < 0.5:
                add("action_referrals", (action_id, rng.choice(referrals)))


def _place_kana(region) -> str:
    for ending in ("シ", "チョウ", "マチ", "ソン", "ムラ"):
        if region.kana.endswith(ending) and len(region.kana) > len(ending):
            return region.kana[: -len(ending)]
    return region.kana


def _attendees(rng, kind: str, by_side: dict) -> list[tuple]:
    """Who from the company attends each kind of session."""
    president, executives, employees = by_side["president"], by_side["executive"], by_side["employee"]
    if kind == "team_reflection":
        return []
    if kind == "president_dialogue":
        return president + (executives[:1] if rng.random() < 0.3 else [])
    if kind == "staff_interview":
        return rng.sample(employees, rng.randint(1, len(employees)))
    if kind == "findings_feedback":
        return president + executives
    return executives[:1] + rng.sample(employees, rng.randint(1, len(employees)))


def _update_days(rng, state: str, start: date, end: date) -> list[date]:
    """Dates of an action's progress notes: the last one carries the final state."""
    count = {"planned": rng.choice((0, 0, 1)), "in_progress": rng.randint(1, 2), "done": rng.randint(1, 3),
             "dropped": rng.randint(1, 2)}[state]
    span = max(0, (end - start).days)
    return sorted(start + timedelta(days=rng.randint(0, span)) for _ in range(count))
