"""The one way reading an import file fails: a message for the person who sent it."""

from flask_babel import lazy_gettext as _l

NOT_EXCEL = _l("This file is not a readable Excel file. Save it as .xlsx or CSV and try again.")


class FileProblem(Exception):
    """The file as a whole cannot be read; `message` says why, for the user."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message
