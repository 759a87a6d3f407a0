from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length


class HandoverForm(FlaskForm):
    to_worker_id = SelectField(_l("New lead worker (主担当)"), coerce=int, choices=[])
    note = TextAreaField(_l("Handover note"), validators=[DataRequired(_l("Write the handover note.")), Length(max=4000)])
