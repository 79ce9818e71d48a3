"""Team and member forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
)
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional

from tracker.forms import DateInRange, MultiCheckboxField
from tracker.team.models import LEVELS


class TeamForm(FlaskForm):
    name = StringField("Team name", validators=[InputRequired(), Length(max=120)])
    leads = MultiCheckboxField(
        "Leads", coerce=int, description="Everyone ticked can manage this team."
    )
    framework_id = SelectField(
        "Competency framework",
        coerce=lambda value: int(value) if value not in (None, "") else 0,  # 0: the default
        default=0,
        description="What this team's members are assessed against.",
    )
    sprint_length_days = IntegerField(
        "Sprint length (days)",
        default=14,
        validators=[Optional(), NumberRange(min=1, max=60)],
        description="What planning the next sprint proposes (1 to 60 days).",
    )


class MemberForm(FlaskForm):
    name = StringField("Name", validators=[InputRequired(), Length(max=120)])
    email = EmailField(
        "Email", validators=[InputRequired(), Length(max=254), Email(check_deliverability=False)]
    )
    job_title = StringField("Job title", validators=[Optional(), Length(max=120)])
    level = SelectField(
        "Career level",
        validate_choice=False,  # the service checks it and names the allowed levels
        choices=[(lvl, lvl) for lvl in LEVELS],
        description="The levels of the team's competency framework.",
    )
    start_date = DateField("Start date", validators=[Optional(), DateInRange()])
    cadence_days = IntegerField(
        "1:1 cadence (days)",
        default=14,
        validators=[InputRequired(), NumberRange(min=1, max=365)],
        description="How often you meet this person one to one.",
    )
    team_id = SelectField("Team", coerce=int)
