from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Regexp


class UploadForm(FlaskForm):
    file = FileField(
        _l("SCORM 1.2 package (.zip)"),
        validators=[
            FileRequired(_l("Choose the package's zip file.")),
            FileAllowed(["zip"], _l("A SCORM package is a .zip file.")),
        ],
    )
    slug = StringField(
        _l("Package id (used in course files: - scorm: <id>)"),
        validators=[
            DataRequired(_l("Give the package an id.")),
            Length(max=100),
            Regexp(
                r"^[a-z0-9][a-z0-9-]*$",
                message=_l("Use lower-case letters, digits and - (e.g. info-security-2027)."),
            ),
        ],
    )
