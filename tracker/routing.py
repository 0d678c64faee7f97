"""What arrives in a request, kept within what the database can hold.

An id or a page number of forty digits is no record and no page: a route
whose `<int:...>` argument is out of range answers 404, and a query-string
number read with `request.args.get(name, type=int)` falls back to the
default, instead of reaching the database and failing there (SQLite refuses
integers over 2**63). NUL characters, which nobody types and PostgreSQL
refuses in text, are dropped from every query and form value.
"""

from flask import Request, abort
from werkzeug.datastructures import ImmutableMultiDict, MultiDict

# The range of a 32-bit SQL INTEGER: every id column, and page numbers whose offset still fits 64 bits.
LARGEST = 2**31 - 1


def refuse_ids_out_of_range(_endpoint, values) -> None:
    """url_value_preprocessor: an id no column can hold names no record."""
    if values and any(isinstance(value, int) and not -LARGEST <= value <= LARGEST for value in values.values()):
        abort(404)


def _without_nul(value):
    return value.replace("\x00", "") if isinstance(value, str) else value


class RequestValues(ImmutableMultiDict):
    """Query and form values (and uploaded files, left as they are): no NUL, and
    `get(..., type=int)` gives the default for numbers out of range."""

    def __init__(self, mapping=None):
        if mapping is not None:
            mapping = [(_without_nul(key), _without_nul(value)) for key, value in MultiDict(mapping).items(multi=True)]
        super().__init__(mapping)

    def get(self, key, default=None, type=None):  # noqa: A002 — werkzeug's name
        value = super().get(key, default, type)
        if type is int and isinstance(value, int) and not -LARGEST <= value <= LARGEST:
            return default
        return value


class TrackerRequest(Request):
    parameter_storage_class = RequestValues


def guard_request_values(app) -> None:
    """Keep ids, query numbers and text within what the database holds, for every route."""
    app.url_value_preprocessor(refuse_ids_out_of_range)
    app.request_class = TrackerRequest
