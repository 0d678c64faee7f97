"""Horizontal bar charts drawn on the server as SVG: no script, printable,
readable without colour (every bar carries its label and its value; the
second series of a table is hatched)."""

from dataclasses import dataclass

from tracker.summaries.tables import Table

WIDTH = 640
LABEL_WIDTH = 250
BAR_SPACE = 300
BAR_HEIGHT = 22
ROW_HEIGHT = 32


@dataclass
class Bar:
    label: str
    text: str
    y: int
    width: float  # 0 when hidden or zero

    @property
    def text_x(self) -> float:
        return LABEL_WIDTH + self.width + 8


@dataclass
class Chart:
    id: str
    title: str
    bars: list[Bar]
    hatched: bool

    @property
    def height(self) -> int:
        return len(self.bars) * ROW_HEIGHT + 8

    width = WIDTH
    label_width = LABEL_WIDTH
    bar_height = BAR_HEIGHT


def bar_charts(table: Table) -> list[Chart]:
    """One chart per charted column; the total row is left out (it is in the table)."""
    charts = []
    for series, column in enumerate(table.charted):
        rows = [row for row in table.rows if not row.is_total]
        figures = [row.figures[column] for row in rows]
        longest = max((figure.number or 0 for figure in figures), default=0)
        bars = [
            Bar(row.label, figure.text, index * ROW_HEIGHT + 4,
                BAR_SPACE * (figure.number or 0) / longest if longest else 0)
            for index, (row, figure) in enumerate(zip(rows, figures, strict=True))
        ]
        title = f"{table.title}: {table.headers[column]}" if len(table.charted) > 1 else table.title
        charts.append(Chart(f"chart-{table.key}-{column}", title, bars, hatched=series % 2 == 1))
    return charts
