"""`Server-Timing` on every response, when SERVER_TIMING is set: how long the
server spent on the request and how many SQL statements it ran.

Browsers' developer tools show the header next to the request, and the
benchmarks (bench/) read it, so that a figure is the server's own time, free of
the client's and the network's. Off by default: the header tells an observer
how much work a page costs, which production need not publish.

The statements are counted by one SQLAlchemy engine event for the whole
process; it adds to a counter kept in `flask.g`, which exists only between
this request's first hook and its response, so nothing leaks from one request
to the next and statements run outside a request (CLI, tests' own set-up) are
not counted.
"""

from time import perf_counter

import sqlalchemy as sa
from flask import Flask, current_app, g, has_app_context
from sqlalchemy.engine import Engine

HEADER = "Server-Timing"


def register_server_timing(app: Flask) -> None:
    """Time every request of `app` when app.config["SERVER_TIMING"] is true (else do nothing)."""
    if not app.config.get("SERVER_TIMING"):
        return
    if not sa.event.contains(Engine, "before_cursor_execute", _count_statement):
        sa.event.listen(Engine, "before_cursor_execute", _count_statement)
        sa.event.listen(Engine, "after_cursor_execute", _add_statement_time)
    # First before every other hook (the sign-in check's queries count too)...
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    # ...and, as after_request hooks run last-registered first, appended at the
    # front so that it runs after every other one.
    app.after_request_funcs.setdefault(None, []).insert(0, _finish)


class _Timing:
    """What one request has spent so far."""

    __slots__ = ("started", "queries", "sql_seconds", "statement_started")

    def __init__(self) -> None:
        self.started = perf_counter()
        self.queries = 0
        self.sql_seconds = 0.0
        self.statement_started = None


def _current() -> _Timing | None:
    """This request's timing, or None outside a timed request."""
    if not has_app_context():
        return None
    return g.get("_server_timing")


def _start() -> None:
    g._server_timing = _Timing()


def _count_statement(_conn, _cursor, _statement, _parameters, _context, _executemany) -> None:
    timing = _current()
    if timing is not None:
        timing.queries += 1
        timing.statement_started = perf_counter()


def _add_statement_time(_conn, _cursor, _statement, _parameters, _context, _executemany) -> None:
    timing = _current()
    if timing is not None and timing.statement_started is not None:
        timing.sql_seconds += perf_counter() - timing.statement_started
        timing.statement_started = None


def _finish(response):
    """Write the header: `total;dur=<ms>, db;dur=<ms>, queries;desc="<n>"`."""
    timing = g.pop("_server_timing", None)
    if timing is not None and current_app.config.get("SERVER_TIMING"):
        total = (perf_counter() - timing.started) * 1000
        response.headers[HEADER] = (
            f'total;dur={total:.2f}, db;dur={timing.sql_seconds * 1000:.2f}, queries;desc="{timing.queries}"'
        )
    return response


def parse(header: str) -> dict[str, float]:
    """The figures of a Server-Timing header written here: total and db in ms, queries."""
    figures = {}
    for metric in header.split(","):
        name, *params = (part.strip() for part in metric.split(";"))
        for param in params:
            key, _, value = param.partition("=")
            if (name, key) in (("total", "dur"), ("db", "dur")):
                figures[name] = float(value)
            elif (name, key) == ("queries", "desc"):
                figures["queries"] = int(value.strip('"'))
    return figures
