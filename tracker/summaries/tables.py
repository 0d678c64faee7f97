"""The summary as tables of figures, protected for officials.

The page, its charts and both exports show these same tables, so a figure
hidden on the page is hidden in every export too.
"""

import statistics
from dataclasses import dataclass, field

from flask_babel import gettext as _

from tracker.models import Barrier, InsightCategory, Phase
from tracker.outcomes.indicators import INDICATORS, format_value
from tracker.pipeline.fiscal import quarter_label, year_label
from tracker.summaries.privacy import protect
from tracker.summaries.queries import QUARTERS, Figures, Scope

COUNT, HOURS, PERCENT = "count", "hours", "percent"


@dataclass(frozen=True)
class Figure:
    """One cell: a number, or "<3" when hidden."""

    value: int | float | None
    unit: str = COUNT
    hidden: bool = False
    minimum: int = 0
    display: str | None = None  # a ready-made text (outcome changes: "+1.5 pt", "−¥120,000")

    @property
    def number(self) -> int | float | None:
        """The value for a spreadsheet cell (None when hidden or undefined)."""
        if self.hidden or self.value is None:
            return None
        return round(self.value, 1) if self.unit != COUNT else self.value

    @property
    def text(self) -> str:
        if self.hidden:
            return f"<{self.minimum}"
        if self.value is None:
            return "–"
        if self.display is not None:
            return self.display
        if self.unit == HOURS:
            return f"{self.value:.1f}"
        if self.unit == PERCENT:
            return f"{self.value:.0f}%"
        return str(self.value)

    @property
    def export(self) -> str | int | float:
        """What a CSV or XLSX cell holds: the number, "<3", or empty."""
        if self.hidden or self.display is not None:
            return self.text
        return "" if self.number is None else self.number


@dataclass
class Row:
    key: str
    label: str
    figures: list[Figure]
    is_total: bool = False


@dataclass
class Table:
    key: str
    title: str
    label_header: str
    headers: list[str]
    rows: list[Row] = field(default_factory=list)
    charted: tuple[int, ...] = ()  # columns drawn as bar charts


def _share(part: int, whole: int) -> float | None:
    return part * 100 / whole if whole else None


def hidden_keys(figures: Figures, minimum: int) -> set:
    """Which figures an official may not see: the companies behind each, and the additive tables."""
    counts = {("phase", phase): count for phase, count in figures.phases.items()}
    counts |= {
        "supported": figures.supported,
        "self_running": figures.self_running,
        "not_self_running": figures.supported - figures.self_running,
        "opened": figures.opened,
        "closed": figures.closed,
        "insights": figures.insights.companies,
        "actions": figures.actions_due.companies,
    }
    counts |= {("trend", key): sessions.companies for key, (sessions, _minutes) in figures.trend.items()}
    counts |= {("category", key): tally.companies for key, tally in figures.categories.items()}
    counts |= {("barrier", key): tally.companies for key, tally in figures.barriers.items()}
    groups = [
        ("supported", [("phase", phase) for phase in Phase]),
        ("supported", ["self_running", "not_self_running"]),
        (("trend", "year"), [("trend", quarter) for quarter in QUARTERS]),
        ("insights", [("category", category) for category in InsightCategory]),
        ("insights", [("barrier", barrier) for barrier in (*Barrier, None)]),
    ]
    return protect(counts, minimum, groups)


def summary_tables(figures: Figures, scope: Scope, minimum: int) -> list[Table]:
    """The summary's tables; `minimum` 0 shows exact figures (managers, admins)."""
    hidden = hidden_keys(figures, minimum)

    def figure(value, key, unit=COUNT, *also):
        return Figure(value, unit, any(k in hidden for k in (key, *also)), minimum)

    return [
        _key_figures(figures, scope, figure),
        _phases(figures, figure),
        _trend(figures, scope, figure),
        _insights("categories", _("Insights recorded, by category"), _("Category"),
                  [(category.value, str(category.label), ("category", category), figures.categories[category])
                   for category in InsightCategory], figures, figure),
        _insights("barriers", _("Insights recorded, by self-change barrier"), _("Barrier"),
                  [(barrier.value if barrier else "none", str(barrier.label) if barrier else _("No barrier recorded"),
                    ("barrier", barrier), figures.barriers[barrier]) for barrier in (*Barrier, None)],
                  figures, figure),
    ]


def _key_figures(figures: Figures, scope: Scope, figure) -> Table:
    period = scope.quarter or "year"
    sessions, minutes = figures.trend[period]
    due = figures.actions_due
    rows = [
        ("supported", _("Companies supported"), figure(figures.supported, "supported")),
        ("opened", _("Companies whose engagement opened"), figure(figures.opened, "opened")),
        ("closed", _("Companies whose engagement closed"), figure(figures.closed, "closed")),
        ("sessions", _("Dialogue sessions held"), figure(sessions.value, ("trend", period))),
        ("hours", _("Hours of dialogue"), figure(minutes.value / 60, ("trend", period), HOURS)),
        ("insights", _("Insights recorded"), figure(figures.insights.value, "insights")),
        ("actions_due", _("Actions due"), figure(due.value, "actions")),
        ("on_time", _("Share of actions due that were done on time"),
         figure(_share(figures.actions_on_time, due.value), "actions", PERCENT)),
        ("self_running", _("Companies that reached self-running"), figure(figures.self_running, "self_running")),
        ("self_running_share", _("Share of supported companies that reached self-running"),
         figure(_share(figures.self_running, figures.supported), "self_running", PERCENT, "supported")),
    ]
    return Table("key-figures", _("Key figures"), _("Figure"), [_("Value")],
                 [Row(key, label, [value]) for key, label, value in rows])


def _phases(figures: Figures, figure) -> Table:
    rows = [Row(phase.value, str(phase.label), [figure(figures.phases[phase], ("phase", phase))]) for phase in Phase]
    rows.append(Row("total", _("Total"), [figure(figures.supported, "supported")], is_total=True))
    return Table("phases", _("Companies supported, by current phase"), _("Phase"), [_("Companies")], rows,
                 charted=(0,))


def _trend(figures: Figures, scope: Scope, figure) -> Table:
    rows = []
    for key in (*QUARTERS, "year"):
        sessions, minutes = figures.trend[key]
        label = quarter_label(key) if key != "year" else year_label(scope.year)
        rows.append(Row(f"q{key}" if key != "year" else "total", label, [
            figure(sessions.value, ("trend", key)), figure(minutes.value / 60, ("trend", key), HOURS)
        ], is_total=key == "year"))
    return Table("trend", _("Sessions and hours of dialogue, by quarter of %(year)s", year=year_label(scope.year)),
                 _("Quarter"), [_("Sessions"), _("Hours")], rows, charted=(0, 1))


def _insights(key, title, label_header, parts, figures: Figures, figure) -> Table:
    rows = [Row(row_key, label, [figure(tally.value, hidden_key)]) for row_key, label, hidden_key, tally in parts]
    rows.append(Row("total", _("Total"), [figure(figures.insights.value, "insights")], is_total=True))
    return Table(key, title, label_header, [_("Insights")], rows, charted=(0,))


def outcome_table(changes: dict[str, list[float]], minimum: int) -> Table:
    """How the Local Benchmark indicators moved since support began: per indicator,
    how many companies, and the quartiles and median of their changes (never a
    single company's figures; hidden below `minimum` companies for officials)."""
    rows = []
    for indicator in INDICATORS:
        values = sorted(changes[indicator.key])
        hidden = 0 < len(values) < minimum
        if len(values) >= 2:
            lower, median, upper = statistics.quantiles(values, n=4, method="inclusive")
        else:
            lower = median = upper = values[0] if values else None

        def change(value, indicator=indicator, hidden=hidden):
            return Figure(value, "change", hidden, minimum, format_value(indicator.unit, value, change=True))

        rows.append(Row(indicator.key, str(indicator.label), [
            Figure(len(values), COUNT, hidden, minimum), change(lower), change(median), change(upper),
        ]))
    return Table("outcomes", _("How the outcome indicators moved since support began"), _("Indicator"),
                 [_("Companies"), _("Lower quartile"), _("Median change"), _("Upper quartile")], rows)
