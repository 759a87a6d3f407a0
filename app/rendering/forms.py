from flask_wtf import FlaskForm
from wtforms import HiddenField


class RenderForm(FlaskForm):
    """The Render button (CSRF only); ``force`` renders again even if nothing changed."""

    force = HiddenField(default="")
