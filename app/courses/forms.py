from flask_wtf import FlaskForm


class ReadingDoneForm(FlaskForm):
    """The 「読みました」 button of a reading (CSRF only)."""


class ApplyAssignmentsForm(FlaskForm):
    """Re-evaluate every assignment rule now (CSRF only)."""
