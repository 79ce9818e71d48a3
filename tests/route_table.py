"""Every route of the app, one row each: who may reach it (the view's declared rule), what each
persona gets on the `org` fixture's objects (tests/test_routes.py), the POSTs a persona may make
with a valid CSRF token (tests/test_csrf.py) and whether the privacy canary posts a failing form
to it (tests/test_canary.py). A route without a row, or a row without a route, fails
tests/test_routes.py; adding a route is adding its row here.

Rows run in this order: the access matrix requests them in turn and the CSRF tests post them
in turn, so each valid POST still makes sense after the ones before (the routes that end
sessions come last)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, NamedTuple

from tests.conftest import PASSWORD

ALL = ("admin", "lead", "engineer")
STAFF = ("admin", "lead")
ADMIN = ("admin",)
PUBLIC = ("public",)

# The personas of the access matrix: the lead owns `team` and `eng`; the other lead does not;
# Eve is `eng` herself (may read, not manage); anon is logged out.
MATRIX_ACTORS = ("admin", "lead", "other", "eve", "anon")

NEW_PASSWORD = "violet-otter-lantern-94"
SMALL_FRAMEWORK = b"""format: team-tracker/framework@1
name: CSRF test framework
scale:
  - {value: 1, label: Aware}
  - {value: 2, label: Working}
levels:
  - {name: Junior}
  - {name: Senior}
categories:
  - key: delivery
    name: Delivery
    competencies:
      - key: shipping
        name: Shipping
        levels:
          Junior: {expected: 1, descriptor: Ships small changes.}
          Senior: {expected: 2, descriptor: Ships large changes.}
"""
ANOTHER_FRAMEWORK = SMALL_FRAMEWORK.replace(b"CSRF test", b"Another")
JIRA_CSV = b"Issue key,Summary,Status,Due date\nML-1,Imported milestone,In Progress,2026-03-12\n"


def o(admin: int, lead: int, other: int, eve: int, anon: int) -> dict[str, int]:
    """The status each persona gets, for GET (or an empty-form POST on a POST-only route)."""
    return dict(zip(MATRIX_ACTORS, (admin, lead, other, eve, anon), strict=True))


# The shapes most rows share.
TEAM_ONLY = o(200, 200, 404, 403, 302)  # the team's leads and admins; hidden from other teams
OWN = o(200, 200, 404, 200, 302)  # ...and the member herself
EVERYONE = o(200, 200, 200, 200, 302)
ADMINS = o(200, 403, 403, 403, 302)


class Post(NamedTuple):
    """A POST someone may make: who, where, what; the status it gets with a valid token and
    whether it then writes."""

    actor: str
    url: str
    data: dict = {}
    status: int = 302
    writes: bool = True


Posts = Callable[[Any], list[Post]]


class Route(NamedTuple):
    """One endpoint: its access rule, its methods, what each persona gets (None: not in the
    access matrix, tested on its own), its valid POSTs on the CSRF `world`, whether the
    canary posts a failing form to it, and the formats of a `<fmt>` argument."""

    endpoint: str
    access: tuple[str, ...]
    methods: str
    outcomes: dict[str, int] | None
    posts: Posts | None = None
    junk_posted: bool = True
    formats: tuple[str, ...] = ()


def _d(day: date) -> str:
    return day.isoformat()


def _member_form(w: Any, **kw: str) -> dict[str, str]:
    data = {
        "name": "Pat Plain",
        "email": "pat@example.com",
        "job_title": "MLE",
        "level": "Entry",
        "start_date": "2024-01-15",
        "cadence_days": "21",
        "team_id": str(w.org.team.id),
    }
    return data | kw


def _one(*args: Any, **kwargs: Any) -> Posts:
    """A single POST whose URL and data may depend on the world: callables are called."""

    def posts(w: Any) -> list[Post]:
        values = [a(w) if callable(a) else a for a in args]
        extra = {k: (v(w) if callable(v) else v) for k, v in kwargs.items()}
        return [Post(*values, **extra)]

    return posts


ROUTES: list[Route] = [
    Route("static", PUBLIC, "GET", None),
    Route(
        "auth.login",
        PUBLIC,
        "GET POST",
        None,
        _one("anon", "/login", {"email": "lead@example.com", "password": PASSWORD}),
    ),
    Route("auth.accept_link", PUBLIC, "GET", o(404, 404, 404, 404, 404)),
    # No link opened in this browser: nothing to set a password with. In the CSRF world the
    # invitee's browser opened the invitation first.
    Route(
        "auth.welcome",
        PUBLIC,
        "GET POST",
        o(404, 404, 404, 404, 404),
        _one("invitee", "/welcome", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}),
    ),
    Route("auth.users", ADMIN, "GET", ADMINS),
    Route(
        "auth.new_user",
        ADMIN,
        "GET POST",
        ADMINS,
        _one(
            "admin",
            "/admin/users/new",
            {"email": "new@example.com", "name": "New Person", "role": "engineer"},
            status=200,
        ),
    ),
    Route(
        "auth.edit_user",
        ADMIN,
        "GET POST",
        ADMINS,
        _one(
            "admin",
            lambda w: f"/admin/users/{w.org.eng.user_id}",
            {"name": "Eve Renamed", "role": "engineer"},
        ),
    ),
    Route(
        "auth.deactivate_user",
        ADMIN,
        "POST",
        o(302, 403, 403, 403, 302),
        _one("admin", lambda w: f"/admin/users/{w.org.eng.user_id}/deactivate"),
        junk_posted=False,
    ),
    Route(
        "auth.reactivate_user",
        ADMIN,
        "POST",
        o(302, 403, 403, 403, 302),
        _one("admin", lambda w: f"/admin/users/{w.org.eng.user_id}/reactivate"),
        junk_posted=False,
    ),
    Route(
        "auth.reset_password",
        ADMIN,
        "POST",
        ADMINS,
        _one("admin", lambda w: f"/admin/users/{w.org.eng.user_id}/reset", status=200),
    ),
    Route("auth.reset_requests", ADMIN, "GET", ADMINS),
    Route(
        "auth.organisation",
        ADMIN,
        "GET POST",
        ADMINS,
        _one("admin", "/admin/organisation", {"time_zone": "Europe/London"}),
    ),
    # An empty form is valid here: no zone of one's own, the organisation's.
    Route(
        "auth.set_time_zone",
        ALL,
        "POST",
        o(302, 302, 302, 302, 302),
        _one("lead", "/account/time-zone", {"time_zone": "Europe/Berlin"}),
    ),
    Route(
        "auth.approve_reset",
        ADMIN,
        "POST",
        o(404, 403, 403, 403, 302),
        _one("admin", lambda w: f"/admin/resets/{w.lead_reset}/approve", status=200),
    ),
    Route(
        "auth.cancel_reset",
        ADMIN,
        "POST",
        o(404, 403, 403, 403, 302),
        _one("admin", lambda w: f"/admin/resets/{w.other_reset}/cancel"),
    ),
    Route(
        "auth.dismiss_notices",
        ALL,
        "POST",
        o(302, 302, 302, 302, 302),
        _one("lead", "/account/notices/dismiss"),
    ),
    # The login's second step: only a browser whose password was right has anything here; the
    # others go back to the login page (logged in: home). tests/identity/ posts real codes.
    Route(
        "identity.login_code",
        PUBLIC,
        "GET POST",
        o(302, 302, 302, 302, 302),
        _one("anon", "/login/two-factor", {"code": "123456"}, writes=False),
    ),
    Route(
        "identity.login_setup",
        PUBLIC,
        "GET POST",
        o(302, 302, 302, 302, 302),
        _one("anon", "/login/two-factor/setup", {"code": "123456"}, writes=False),
    ),
    Route("identity.account", ALL, "GET", EVERYONE),
    Route(
        "identity.start",
        ALL,
        "POST",
        o(302, 302, 302, 302, 302),
        _one("lead", "/account/two-factor/start"),
    ),
    # A code that is no code: the form comes back with its message, nothing is turned on.
    Route(
        "identity.confirm",
        ALL,
        "POST",
        o(400, 400, 400, 400, 302),
        _one(
            "lead", "/account/two-factor/confirm", {"code": "not-a-code"}, status=400, writes=False
        ),
    ),
    Route(
        "identity.turn_off",
        ALL,
        "POST",
        o(400, 400, 400, 400, 302),
        _one(
            "lead",
            "/account/two-factor/off",
            {"password": PASSWORD, "code": "not-a-code"},
            status=400,
            writes=False,
        ),
    ),
    Route(
        "identity.renew_codes",
        ALL,
        "POST",
        o(400, 400, 400, 400, 302),
        _one(
            "lead",
            "/account/two-factor/recovery-codes",
            {"renew-password": PASSWORD, "renew-code": "not-a-code"},
            status=400,
            writes=False,
        ),
    ),
    Route(
        "identity.admin",
        ADMIN,
        "GET POST",
        ADMINS,
        _one("admin", "/admin/two-factor", {"required": "y"}),
    ),
    # Eve has no second factor: the reset and the approval are refused with a message.
    Route(
        "identity.reset",
        ADMIN,
        "POST",
        o(302, 403, 403, 403, 302),
        _one("admin", lambda w: f"/admin/users/{w.org.eng.user_id}/two-factor/reset", writes=False),
    ),
    Route(
        "identity.approve",
        ADMIN,
        "POST",
        o(302, 403, 403, 403, 302),
        _one(
            "admin", lambda w: f"/admin/users/{w.org.eng.user_id}/two-factor/approve", writes=False
        ),
    ),
    Route("audit.index", ADMIN, "GET", ADMINS),
    Route("audit.job_list", ADMIN, "GET", ADMINS),
    # No job has failed in the world: the admin's POST finds none (tests/test_jobs.py has one).
    Route(
        "audit.retry_job",
        ADMIN,
        "POST",
        o(404, 403, 403, 403, 302),
        _one("admin", "/admin/jobs/no-such-job/retry", status=404, writes=False),
    ),
    Route(
        "audit.dismiss_job",
        ADMIN,
        "POST",
        o(404, 403, 403, 403, 302),
        _one("admin", "/admin/jobs/no-such-job/dismiss", status=404, writes=False),
    ),
    Route("frameworks.index", ALL, "GET", EVERYONE),
    Route("frameworks.show", ALL, "GET", EVERYONE),
    Route("frameworks.compare_levels", ALL, "GET", EVERYONE),
    Route("frameworks.changes", ALL, "GET", EVERYONE),
    Route("frameworks.export", ALL, "GET", EVERYONE, formats=("yaml", "json")),
    Route(
        "frameworks.import_upload",
        ADMIN,
        "GET POST",
        ADMINS,
        _one(
            "admin",
            "/admin/frameworks/import",
            {"file": (ANOTHER_FRAMEWORK, "f.yaml")},
            status=200,
            writes=False,
        ),
    ),
    Route(
        "frameworks.import_confirm",
        ADMIN,
        "POST",
        o(400, 403, 403, 403, 302),
        _one(
            "admin",
            "/admin/frameworks/import/confirm",
            {"content": ANOTHER_FRAMEWORK.decode(), "filename": "f.yaml", "make_default": ""},
        ),
    ),
    Route(
        "frameworks.make_default",
        ADMIN,
        "POST",
        o(302, 403, 403, 403, 302),
        lambda w: [
            Post("admin", f"/admin/frameworks/{w.second_framework.id}/default"),
            Post("admin", f"/admin/frameworks/{w.framework_id}/default"),
        ],
        junk_posted=False,
    ),
    Route("team.home", ALL, "GET", None),
    Route("team.teams", STAFF, "GET", o(200, 200, 200, 403, 302)),
    Route("team.team", STAFF, "GET", TEAM_ONLY),
    Route("team.member", ALL, "GET", OWN),
    Route(
        "team.new_team",
        STAFF,
        "GET POST",
        o(200, 200, 200, 403, 302),
        _one(
            "lead",
            "/teams/new",
            lambda w: {
                "name": "New Team",
                "leads": str(w.org.lead.id),
                "framework_id": "0",
                "sprint_length_days": "14",
            },
        ),
    ),
    Route(
        "team.edit_team",
        STAFF,
        "GET POST",
        TEAM_ONLY,
        _one(
            "lead",
            lambda w: f"/teams/{w.org.team.id}/edit",
            lambda w: {
                "name": "ML Platform",
                "leads": str(w.org.lead.id),
                "framework_id": "0",
                "sprint_length_days": "10",
            },
        ),
    ),
    Route(
        "team.new_member",
        STAFF,
        "GET POST",
        TEAM_ONLY,
        _one(
            "lead",
            lambda w: f"/teams/{w.org.team.id}/members/new",
            lambda w: _member_form(w, name="Nina New", email="nina@example.com"),
        ),
    ),
    Route(
        "team.edit_member",
        ALL,
        "GET POST",
        TEAM_ONLY,
        _one(
            "lead",
            lambda w: f"/members/{w.org.plain.id}/edit",
            lambda w: _member_form(w, name="Pat Renamed"),
        ),
    ),
    Route(
        "team.archive_member",
        ALL,
        "POST",
        o(302, 302, 404, 403, 302),
        _one("lead", lambda w: f"/members/{w.invitee.id}/archive"),
        junk_posted=False,
    ),
    Route(
        "team.restore_member",
        ALL,
        "POST",
        o(302, 302, 404, 403, 302),
        _one("lead", lambda w: f"/members/{w.invitee.id}/restore"),
        junk_posted=False,
    ),
    Route(
        "team.invite_member",
        ALL,
        "POST",
        o(302, 302, 404, 403, 302),
        _one("lead", lambda w: f"/members/{w.invitee.id}/invite", status=200),
    ),
    Route("competencies.member", ALL, "GET", OWN),
    # An empty rating form (no rating at all): refused as incomplete for those who may rate,
    # hidden from others. The page's one form posts every competency's c<id>, n<id>, u<id>.
    Route(
        "competencies.rate",
        ALL,
        "POST",
        o(400, 400, 404, 400, 302),
        _one(
            "lead",
            lambda w: f"/members/{w.org.eng.id}/ratings",
            lambda w: {
                f"c{w.comp.id}": "3",
                f"n{w.comp.id}": "Shown in review",
                f"u{w.comp.id}": "",
            },
        ),
    ),
    Route("competencies.radar", ALL, "GET", OWN),
    Route("competencies.matrix", STAFF, "GET", TEAM_ONLY),
    Route("competencies.export_matrix", STAFF, "GET", TEAM_ONLY, formats=("csv", "xlsx", "json")),
    # Growth plans (org.eng has a plan with one goal): Eve reads and comments on her own plan
    # but may not edit it (POSTs to plans.plan are in test_plans.py); the empty forms are
    # refused as incomplete (400).
    Route(
        "plans.plan",
        ALL,
        "GET POST",
        OWN,
        _one(
            "lead",
            lambda w: f"/members/{w.org.eng.id}/plan",
            {"target_level": "Lead", "target_date": "2027-12-31", "summary": "Aim higher"},
        ),
    ),
    Route(
        "plans.add_goal",
        ALL,
        "POST",
        o(400, 400, 404, 403, 302),
        _one(
            "lead",
            lambda w: f"/members/{w.org.eng.id}/plan/goals",
            {
                "title": "Write a design doc",
                "competency_key": "",
                "target_proficiency": "",
                "due_date": "",
            },
        ),
    ),
    Route(
        "plans.gap_goal",
        ALL,
        "POST",
        o(400, 400, 404, 403, 302),
        _one(
            "lead",
            lambda w: f"/members/{w.org.eng.id}/plan/gap-goal",
            {"competency_key": "python-programming"},
        ),
    ),
    Route(
        "plans.edit_goal",
        ALL,
        "GET POST",
        TEAM_ONLY,
        _one(
            "lead",
            lambda w: f"/goals/{w.goal.id}/edit",
            {
                "title": "Own the feature store",
                "status": "done",
                "competency_key": "",
                "target_proficiency": "",
                "due_date": "",
            },
        ),
    ),
    Route(
        "plans.add_comment",
        ALL,
        "POST",
        o(400, 400, 404, 400, 302),
        _one("lead", lambda w: f"/goals/{w.goal.id}/comments", {"body": "Well done"}),
    ),
    Route("plans.print_plan", ALL, "GET", OWN),
    Route("plans.goal_comments", ALL, "GET", OWN),
    Route("plans.plan_history", ALL, "GET", OWN),
    # Mentoring: the session is org.lead's with Eve; its item is Eve's own (mentee-owned).
    Route("mentoring.dashboard", STAFF, "GET", o(200, 200, 200, 403, 302)),
    Route("mentoring.me", ALL, "GET", EVERYONE),
    Route("mentoring.session", ALL, "GET", OWN),
    Route("mentoring.timeline", ALL, "GET", OWN),
    Route("mentoring.open_items", ALL, "GET", OWN),
    Route("mentoring.calendar", STAFF, "GET", o(200, 200, 200, 403, 302)),
    Route("mentoring.calendar_feed", PUBLIC, "GET", o(404, 404, 404, 404, 404)),
    Route(
        "mentoring.new_session",
        STAFF,
        "GET POST",
        TEAM_ONLY,
        _one(
            "lead",
            lambda w: f"/members/{w.org.eng.id}/sessions/new",
            lambda w: {
                "kind": "one_on_one",
                "held_at": f"{_d(w.today)}T09:00",
                "duration_minutes": "30",
                "mood": "",
            },
        ),
    ),
    # Only the author edits a session: the admin may read it, not rewrite it.
    Route(
        "mentoring.edit_session",
        STAFF,
        "GET POST",
        o(403, 200, 404, 403, 302),
        _one(
            "lead",
            lambda w: f"/sessions/{w.session.id}/edit",
            {"kind": "career", "held_at": "2026-11-02T10:00", "duration_minutes": "45", "mood": ""},
        ),
    ),
    Route(
        "mentoring.add_item",
        STAFF,
        "POST",
        o(403, 400, 404, 403, 302),
        _one(
            "lead",
            lambda w: f"/sessions/{w.session.id}/items",
            {"text": "Follow up", "owner": "lead", "due_date": ""},
        ),
    ),
    Route(
        "mentoring.item_done",
        ALL,
        "POST",
        o(302, 302, 404, 302, 302),
        _one("lead", lambda w: f"/items/{w.item.id}/done"),
        junk_posted=False,
    ),
    Route(
        "mentoring.item_reopen",
        ALL,
        "POST",
        o(302, 302, 404, 302, 302),
        _one("lead", lambda w: f"/items/{w.item.id}/reopen"),
        junk_posted=False,
    ),
    # Agenda templates: the one in the world is org.lead's own, which only org.lead sees (an
    # admin keeps the organisation's, not the leads'); engineers have none.
    Route("mentoring.templates_index", STAFF, "GET", o(200, 200, 200, 403, 302)),
    Route(
        "mentoring.new_template",
        STAFF,
        "GET POST",
        o(200, 200, 200, 403, 302),
        _one("lead", "/sessions/templates/new", {"name": "Retro 1:1", "body": "- What went well"}),
    ),
    Route(
        "mentoring.edit_template",
        STAFF,
        "GET POST",
        o(404, 200, 404, 403, 302),
        _one(
            "lead",
            lambda w: f"/sessions/templates/{w.template.id}/edit",
            {"name": "Weekly 1:1", "body": "- Wins\n- Blockers"},
        ),
    ),
    Route(
        "mentoring.archive_template",
        STAFF,
        "POST",
        o(404, 302, 404, 403, 302),
        _one("lead", lambda w: f"/sessions/templates/{w.template.id}/archive"),
        junk_posted=False,
    ),
    Route(
        "mentoring.restore_template",
        STAFF,
        "POST",
        o(404, 302, 404, 403, 302),
        _one("lead", lambda w: f"/sessions/templates/{w.template.id}/restore"),
        junk_posted=False,
    ),
    # The new address is shown once, on the page the POST answers with.
    Route(
        "mentoring.reset_calendar",
        STAFF,
        "POST",
        o(200, 200, 200, 403, 302),
        _one("lead", "/calendar/reset", status=200),
        junk_posted=False,
    ),
    # Delivery: the team's leads and admins only; engineers see their own milestones (mine).
    Route("sprints.index", STAFF, "GET", TEAM_ONLY),
    Route("sprints.project", STAFF, "GET", TEAM_ONLY),
    Route("sprints.milestone", STAFF, "GET", TEAM_ONLY),
    Route("sprints.board", STAFF, "GET", TEAM_ONLY),
    Route(
        "sprints.new_project",
        STAFF,
        "GET POST",
        TEAM_ONLY,
        _one(
            "lead",
            lambda w: f"/teams/{w.org.team.id}/projects/new",
            {"name": "Search", "status": "active", "owner_id": ""},
        ),
    ),
    Route(
        "sprints.edit_project",
        STAFF,
        "GET POST",
        TEAM_ONLY,
        _one(
            "lead",
            lambda w: f"/projects/{w.org.project.id}/edit",
            lambda w: {
                "name": "Feature store",
                "status": "on hold",
                "owner_id": str(w.org.mate.id),
            },
        ),
    ),
    Route(
        "sprints.new_milestone",
        STAFF,
        "GET POST",
        TEAM_ONLY,
        _one(
            "lead",
            lambda w: f"/projects/{w.org.project.id}/milestones/new",
            {"title": "Launch", "status": "planned", "owner_id": "", "sprint_id": ""},
        ),
    ),
    Route(
        "sprints.edit_milestone",
        STAFF,
        "GET POST",
        TEAM_ONLY,
        _one(
            "lead",
            lambda w: f"/milestones/{w.org.milestone.id}/edit",
            lambda w: {
                "title": "Backfill",
                "status": "in progress",
                "owner_id": str(w.org.eng.id),
                "sprint_id": str(w.org.sprint.id),
                "due_date": _d(w.today),
            },
        ),
    ),
    # The board's one-step move of a card (status and/or sprint), back to the board.
    Route(
        "sprints.move_milestone",
        STAFF,
        "POST",
        o(302, 302, 404, 403, 302),
        _one(
            "lead",
            lambda w: f"/milestones/{w.org.milestone.id}/move",
            lambda w: {"status": "done", "board": str(w.org.sprint.id)},
        ),
    ),
    Route(
        "sprints.new_sprint",
        STAFF,
        "GET POST",
        TEAM_ONLY,
        _one(
            "lead",
            lambda w: f"/teams/{w.org.team.id}/sprints/new",
            lambda w: {
                "name": "Far",
                "start_date": _d(w.today + timedelta(days=100)),
                "end_date": _d(w.today + timedelta(days=113)),
                "goal": "",
            },
        ),
    ),
    Route(
        "sprints.edit_sprint",
        STAFF,
        "GET POST",
        TEAM_ONLY,
        _one(
            "lead",
            lambda w: f"/sprints/{w.org.sprint.id}/edit",
            lambda w: {
                "name": "Now",
                "start_date": _d(w.org.sprint.start_date),
                "end_date": _d(w.org.sprint.end_date),
                "goal": "Ship it",
            },
        ),
    ),
    Route(
        "sprints.close_sprint",
        STAFF,
        "GET POST",
        TEAM_ONLY,
        _one(
            "lead",
            lambda w: f"/sprints/{w.org.sprint.id}/close",
            lambda w: {
                "start_next": "",
                "carry_reason": "",
                f"action_{w.org.milestone.id}": "carry",
            },
        ),
        junk_posted=False,
    ),
    # The sprint is already active: starting it again is refused with a message (redirect).
    Route(
        "sprints.start_sprint",
        STAFF,
        "POST",
        o(302, 302, 404, 403, 302),
        _one("lead", lambda w: f"/sprints/{w.later.id}/start"),
        junk_posted=False,
    ),
    Route("delivery.dashboard", STAFF, "GET", o(200, 200, 200, 403, 302)),
    Route("delivery.mine", ALL, "GET", EVERYONE),
    Route("delivery.report", STAFF, "GET", TEAM_ONLY),
    Route("delivery.trend_chart", STAFF, "GET", TEAM_ONLY),
    Route("delivery.burnup_chart", STAFF, "GET", TEAM_ONLY),
    Route(
        "delivery.import_upload",
        STAFF,
        "GET POST",
        TEAM_ONLY,
        _one(
            "lead",
            lambda w: f"/teams/{w.org.team.id}/delivery/import",
            {"file": (JIRA_CSV, "jira.csv"), "project": ""},
            status=200,
            writes=False,
        ),
    ),
    Route(
        "delivery.import_confirm",
        STAFF,
        "POST",
        o(400, 400, 404, 403, 302),
        _one(
            "lead",
            lambda w: f"/teams/{w.org.team.id}/delivery/import/confirm",
            {"content": JIRA_CSV.decode(), "project": ""},
        ),
    ),
    # Search: the page for everyone logged in; the terms are posted (never in a URL), the
    # results are the answer to the POST, and a search writes nothing.
    Route(
        "search.index",
        ALL,
        "GET POST",
        EVERYONE,
        _one("lead", "/search", {"q": "Eve"}, status=200, writes=False),
    ),
    # Last: these end sessions (one of the lead's other devices, then all but this one, then
    # a new password, then every session; the admin logs out, ending its login row).
    Route(
        "auth.end_session",
        ALL,
        "POST",
        o(404, 404, 404, 404, 302),
        _one("lead", lambda w: f"/account/sessions/{w.phone}/end"),
        junk_posted=False,
    ),
    Route(
        "auth.end_other_sessions",
        ALL,
        "POST",
        o(302, 302, 302, 302, 302),
        _one("lead", "/account/sessions/end-others"),
        junk_posted=False,
    ),
    Route(
        "auth.account",
        ALL,
        "GET POST",
        EVERYONE,
        _one(
            "lead",
            "/account",
            {"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        ),
    ),
    Route(
        "auth.logout_everywhere",
        ALL,
        "POST",
        None,
        _one("lead", "/account/logout-everywhere"),
        junk_posted=False,
    ),
    Route("auth.logout", PUBLIC, "POST", None, _one("admin", "/logout"), junk_posted=False),
]

BY_ENDPOINT = {route.endpoint: route for route in ROUTES}
