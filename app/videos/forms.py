from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional


class UploadForm(FlaskForm):
    file = FileField(_l("Video file"), validators=[FileRequired(_l("Choose a video file."))])
    title_ja = StringField(_l("Title (Japanese)"), validators=[DataRequired(), Length(max=200)])
    title_en = StringField(
        _l("Title (English, optional)"), validators=[Optional(), Length(max=200)]
    )
    description_ja = TextAreaField(
        _l("Description (Japanese, optional)"), validators=[Optional(), Length(max=2000)]
    )
    captions_ja = FileField(
        _l("Japanese captions (WebVTT or SRT, optional)"),
        validators=[FileAllowed(["vtt", "srt"], _l("Captions must be a .vtt or .srt file."))],
    )
    captions_en = FileField(
        _l("English captions (WebVTT or SRT, optional)"),
        validators=[FileAllowed(["vtt", "srt"], _l("Captions must be a .vtt or .srt file."))],
    )


class QualityForm(FlaskForm):
    quality = RadioField(
        _l("Picture quality"),
        choices=[
            SelectChoice("720", _l("Standard (720p)")),
            SelectChoice("360", _l("Light (360p)")),
        ],
        validators=[DataRequired()],
    )
    next = HiddenField()


class ConfirmForm(FlaskForm):
    """Only the CSRF token, for buttons that change something."""
