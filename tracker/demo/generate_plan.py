"""The shape of a generated data set, decided before any case record is written:
regions over all prefectures, organisations, the manager groups and their teams,
the companies with their engagements' phase histories and session counts.

Small enough to hold in memory (one object per company, engagement and account);
the bulky records (sessions and what hangs off them) are made later, streamed.
"""

import math
import random
from bisect import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate

from tracker.demo import data
from tracker.demo.generate_text import INDUSTRIES, TOPIC_NAMES
from tracker.models.accounts import jis_check_digit
from tracker.reference.municipalities import all_municipalities

OPEN_PHASES = ["candidate", "review", "framing", "accompany", "self_running"]
FINAL_PHASES = {"candidate": 8, "review": 10, "framing": 12, "accompany": 40, "self_running": 14, "closed": 16}
# From which phase engagements get closed, and why.
CLOSED_FROM = {"candidate": 12, "review": 14, "framing": 14, "accompany": 35, "self_running": 25}
CLOSING_REASONS = {
    "candidate": {"withdrawn": 3, "paused": 1}, "review": {"withdrawn": 2, "paused": 2},
    "framing": {"paused": 3, "withdrawn": 1, "other": 1}, "accompany": {"paused": 3, "graduated": 2, "merged": 1},
    "self_running": {"graduated": 8, "merged": 1, "other": 1},
}
DURATION_DAYS = {"candidate": (20, 120), "review": (45, 160), "framing": (45, 200), "accompany": (200, 900),
                 "self_running": (180, 800)}
# Sessions per day in each phase, relative: the review (総点検) is the busiest.
INTENSITY = {"candidate": 0.3, "review": 1.6, "framing": 1.2, "accompany": 1.0, "self_running": 0.25, "closed": 0.0}
EARLIEST = date(2019, 4, 1)
REGIONS_PER_MANAGER = 6
ENGAGEMENTS_PER_CONSULTANT = 25
SOURCES = {"municipality": 50, "bureau": 12, "support_organisation": 15, "financial_institution": 15,
           "company": 5, "other": 3}
BUREAUS = [  # (first and last prefecture code, name, English name)
    (1, 1, "北海道経済産業局", "Hokkaido Bureau of Economy, Trade and Industry"),
    (2, 7, "東北経済産業局", "Tohoku Bureau of Economy, Trade and Industry"),
    (8, 15, "関東経済産業局", "Kanto Bureau of Economy, Trade and Industry"),
    (16, 17, "中部経済産業局", "Chubu Bureau of Economy, Trade and Industry"),
    (18, 18, "近畿経済産業局", "Kinki Bureau of Economy, Trade and Industry"),
    (19, 20, "関東経済産業局", "Kanto Bureau of Economy, Trade and Industry"),
    (21, 21, "中部経済産業局", "Chubu Bureau of Economy, Trade and Industry"),
    (22, 22, "関東経済産業局", "Kanto Bureau of Economy, Trade and Industry"),
    (23, 24, "中部経済産業局", "Chubu Bureau of Economy, Trade and Industry"),
    (25, 30, "近畿経済産業局", "Kinki Bureau of Economy, Trade and Industry"),
    (31, 35, "中国経済産業局", "Chugoku Bureau of Economy, Trade and Industry"),
    (36, 39, "四国経済産業局", "Shikoku Bureau of Economy, Trade and Industry"),
    (40, 46, "九州経済産業局", "Kyushu Bureau of Economy, Trade and Industry"),
    (47, 47, "内閣府 沖縄総合事務局", "Okinawa General Bureau"),
]


def weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class Picker:
    """A weighted choice prepared once, drawn many times (the hot loops draw millions)."""

    def __init__(self, weights: dict):
        self.items = list(weights)
        self.cumulative = list(accumulate(weights.values()))
        self.total = self.cumulative[-1]

    def __call__(self, rng: random.Random):
        return self.items[bisect(self.cumulative, rng.random() * self.total)]


def bureau_of(code: str) -> tuple[str, str]:
    """The regional bureau (経済産業局) of a municipality, by its prefecture code."""
    prefecture = int(code[:2])
    return next((name, name_en) for first, last, name, name_en in BUREAUS if first <= prefecture <= last)


def apportion(total: int, weights: list[float], minimum: int = 0) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainder), each at least `minimum` if possible."""
    floor = minimum if total >= minimum * len(weights) else 0
    rest = total - floor * len(weights)
    whole = sum(weights) or 1
    shares = [rest * weight / whole for weight in weights]
    counts = [floor + int(share) for share in shares]
    order = sorted(range(len(weights)), key=lambda i: int(shares[i]) - shares[i])
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


@dataclass
class RegionPlan:
    code: str
    prefecture: str
    municipality: str
    prefecture_en: str
    municipality_en: str
    kana: str
    pilot_year: int | None
    id: int = 0
    companies: int = 0
    group: int = 0

    @property
    def place(self) -> str:
        """The municipality without 市 / 町 / 村, as used in company names."""
        return self.municipality[:-1] if len(self.municipality) > 2 else self.municipality


def choose_regions(rng: random.Random, count: int) -> list[RegionPlan]:
    """The pilot regions, then cities spread over every prefecture (when `count` allows),
    more in prefectures with more cities; in JIS code order."""
    municipalities = all_municipalities()
    pilots = {code: year for code, *_rest, year in data.REGIONS}
    cities = defaultdict(list)
    for municipality in municipalities.values():
        if municipality.name.endswith("市") and "区" not in municipality.name:
            cities[municipality.prefecture].append(municipality)
    chosen = [municipalities[code + jis_check_digit(code)] for code in pilots][:count]
    prefectures = list(cities)
    if count >= len(prefectures):
        quotas = apportion(count - len(prefectures), [len(cities[p]) for p in prefectures])
        for prefecture, quota in zip(prefectures, quotas, strict=True):
            taken = sum(1 for m in chosen if m.prefecture == prefecture)
            rest = [m for m in cities[prefecture] if m not in chosen]
            chosen += rng.sample(rest, max(0, min(len(rest), quota + 1 - taken)))
    else:
        uncovered = [p for p in prefectures if p not in {m.prefecture for m in chosen}]
        for prefecture in rng.sample(uncovered, max(0, count - len(chosen))):
            chosen.append(rng.choice(cities[prefecture]))
    return [
        RegionPlan(m.code, m.prefecture, m.name, m.prefecture_en, m.name_en, m.kana, pilots.get(m.code5))
        for m in sorted(chosen, key=lambda m: m.code)
    ]


def group_regions(regions: list[RegionPlan]) -> list[list[RegionPlan]]:
    """Manager groups: each prefecture's regions in groups of at most REGIONS_PER_MANAGER."""
    by_prefecture = defaultdict(list)
    for region in regions:
        by_prefecture[region.code[:2]].append(region)
    groups = []
    for members in by_prefecture.values():
        parts = math.ceil(len(members) / REGIONS_PER_MANAGER)
        size = math.ceil(len(members) / parts)
        groups += [members[i : i + size] for i in range(0, len(members), size)]
    for number, group in enumerate(groups):
        for region in group:
            region.group = number
    return groups


@dataclass
class EngagementPlan:
    id: int
    company_id: int
    group: int
    phases: list[tuple[str, date]]  # (phase, from), oldest first
    closing_reason: str | None
    topics: list[str]
    source: str
    weight: float = 0.0
    sessions: int = 0
    members: list[int] = field(default_factory=list)  # user ids, the lead first
    manager: int = 0

    @property
    def phase(self) -> str:
        return self.phases[-1][0]

    @property
    def started_on(self) -> date:
        return self.phases[0][1]

    def segments(self, today: date) -> list[tuple[str, date, date]]:
        """(phase, first day, last day) of each phase; the current one runs to today."""
        ends = [day - timedelta(days=1) for _, day in self.phases[1:]] + [today]
        return [(phase, start, max(start, end)) for (phase, start), end in zip(self.phases, ends, strict=True)]


@dataclass
class CompanyPlan:
    id: int
    region: RegionPlan
    industry: int  # index in INDUSTRIES
    employees: int
    engagements: list[EngagementPlan] = field(default_factory=list)


def plan_phases(rng: random.Random, latest: date, *, final: str | None = None, closed_from: str | None = None):
    """A plausible phase history ending on or before `latest`: forward through the
    phases (now and then back from accompanying to framing), closed from any phase."""
    final = final or weighted(rng, FINAL_PHASES)
    last_open = (closed_from or weighted(rng, CLOSED_FROM)) if final == "closed" else final
    first = 1 if rng.random() < 0.15 else 0
    path = OPEN_PHASES[min(first, OPEN_PHASES.index(last_open)) : OPEN_PHASES.index(last_open) + 1]
    if "accompany" in path and rng.random() < 0.05:  # the essential issue is reframed once
        at = path.index("accompany") + 1
        path[at:at] = ["framing", "accompany"]
    if final == "closed":
        path.append("closed")
    durations = [rng.randint(*DURATION_DAYS[phase]) for phase in path[:-1]]
    low, high = DURATION_DAYS.get(final, (10, 900))
    durations.append(rng.randint(3, int(high * 1.1)) if final != "closed" else rng.randint(10, 900))
    room = (latest - EARLIEST).days
    if sum(durations) > room:
        durations = [max(1, d * room // sum(durations)) for d in durations]
    day = latest - timedelta(days=sum(durations))
    phases = []
    for phase, days in zip(path, durations, strict=True):
        phases.append((phase, day))
        day += timedelta(days=days)
    reason = weighted(rng, CLOSING_REASONS[last_open]) if final == "closed" else None
    return phases, reason


def weight_of(engagement: EngagementPlan, today: date) -> float:
    """How many sessions an engagement gets, relatively: days in each phase times its intensity."""
    return sum(((end - start).days + 1) * INTENSITY[phase] for phase, start, end in engagement.segments(today))


def plan_companies(rng: random.Random, regions: list[RegionPlan], companies: int, ids, today: date):
    """Companies per region (uneven, like real regions), 88 % of them engaged, a few with an
    earlier closed engagement; returns the companies and all engagements."""
    weights = [rng.lognormvariate(0, 0.8) * (1.5 if region.pilot_year else 1) for region in regions]
    for region, count in zip(regions, apportion(companies, weights, minimum=1), strict=True):
        region.companies = count
    industry_weights = [industry.weight for industry in INDUSTRIES]
    plans, engagements = [], []
    for region in regions:
        for _ in range(region.companies):
            company = CompanyPlan(
                ids.next("companies"), region, rng.choices(range(len(INDUSTRIES)), industry_weights)[0],
                max(5, min(2000, int(rng.lognormvariate(math.log(60), 0.8)))),
            )
            plans.append(company)
            if rng.random() >= 0.88:
                continue
            phases, reason = plan_phases(rng, today)
            if rng.random() < 0.03 and (phases[0][1] - EARLIEST).days > 400:
                gap = timedelta(days=rng.randint(60, 300))
                earlier, earlier_reason = plan_phases(
                    rng, phases[0][1] - gap, final="closed", closed_from=rng.choice(["candidate", "review", "framing"])
                )
                company.engagements.append(_engagement(rng, ids, company, earlier, earlier_reason))
            company.engagements.append(_engagement(rng, ids, company, phases, reason))
            engagements += company.engagements
    return plans, engagements


def _engagement(rng, ids, company: CompanyPlan, phases, reason) -> EngagementPlan:
    return EngagementPlan(
        ids.next("engagements"), company.id, company.region.group, phases, reason,
        rng.sample(TOPIC_NAMES, 2), weighted(rng, SOURCES),
    )


def assign_sessions(engagements: list[EngagementPlan], sessions: int, today: date) -> None:
    """Exactly `sessions` dialogue sessions, shared out by weight."""
    for engagement in engagements:
        engagement.weight = weight_of(engagement, today)
    counts = apportion(sessions, [engagement.weight for engagement in engagements]) if engagements else []
    for engagement, count in zip(engagements, counts, strict=True):
        engagement.sessions = count


def staff_teams(rng: random.Random, groups, engagements, ids) -> tuple[list[int], dict[int, list[int]]]:
    """One manager per group (on each of its teams, reviewing its sessions) and enough
    consultants for about ENGAGEMENTS_PER_CONSULTANT engagements each, shared out by
    capacity (some are part-time); returns the manager ids and each group's consultant ids."""
    managers = [ids.next("users") for _ in groups]
    by_group = defaultdict(list)
    for engagement in engagements:
        by_group[engagement.group].append(engagement)
    consultants = {}
    for number in range(len(groups)):
        members = by_group[number]
        count = max(2, round(len(members) * 1.8 / ENGAGEMENTS_PER_CONSULTANT))
        team = [ids.next("users") for _ in range(count)]
        capacity = {user: rng.uniform(0.4, 1.6) for user in team}
        load = dict.fromkeys(team, 0)
        for engagement in members:
            size = min(len(team), rng.choices((1, 2, 3), (35, 45, 20))[0])
            candidates = rng.sample(team, min(len(team), size + 3))
            chosen = sorted(candidates, key=lambda user: load[user] / capacity[user])[:size]
            for user in chosen:
                load[user] += 1
            engagement.manager = managers[number]
            if rng.random() < 0.3:
                engagement.members = [managers[number], *chosen]
            else:
                engagement.members = [*chosen, managers[number]]
        consultants[number] = sorted(team, key=lambda user: load[user])
    return managers, consultants
