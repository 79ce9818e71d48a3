"""The delivery import's forms: the file, then the confirmation of its preview."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, StringField
from wtforms.validators import InputRequired, Length, Optional


class ImportForm(FlaskForm):
    file = FileField("Jira CSV export or GitHub milestones JSON", validators=[FileRequired()])
    project = StringField(
        "Project",
        validators=[Optional(), Length(max=120)],
        description="Blank: the Jira project key, or the GitHub repository name. "
        "A project of this name is created when the team has none.",
    )


class ImportConfirmForm(FlaskForm):
    content = HiddenField(validators=[InputRequired()])
    project = HiddenField()
