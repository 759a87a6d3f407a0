from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField


class DashboardFilterForm(FlaskForm):
    """Filters read from the query string (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    course = SelectField(_l("Course"), choices=[], default="")
    division = SelectField(_l("Division (部)"), choices=[], default="")
    section = SelectField(_l("Section (課)"), choices=[], default="")
    status = SelectField(_l("Training status"), choices=[], default="all")
