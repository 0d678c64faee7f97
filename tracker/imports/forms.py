"""Forms of the import pages: the upload, and the confirmation of a previewed file."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from tracker.forms import OneTimeForm


class UploadForm(OneTimeForm, FlaskForm):
    file = FileField(
        _l("File (CSV or Excel .xlsx)"),
        validators=[FileRequired(message=_l("Choose a CSV or Excel (.xlsx) file."))],
        render_kw={"accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    )


class ConfirmForm(FlaskForm):
    """Only the CSRF token: the file to import is the one previewed."""
