"""Every request hook in one place, in the order it runs, and why it sits there.

Before the view, in this order (the first hook that answers ends the request):

1. `db.choose_begin`: before the first statement, it decides whether this request's SQLite
   transaction starts IMMEDIATE (it may write) or deferred (a read).
2. `cache.read_token`: the page cache's data version, read before anything loads the user or
   anything else, so a cached page is never older than the token it is kept under
   (tracker/cache.py says why that holds on PostgreSQL's READ COMMITTED too).
3. `security.refuse_nul_characters`: a NUL in any argument or field is a 400 naming it, before
   anything (the CSRF check, the login, the view) reads the values.
4. Flask-WTF's `csrf_protect`: a POST without a valid token is a 400 before the user is loaded,
   so a forged request costs no database work and leaves a login as it was.
5. The user checks, which load the user (Flask-Login loads lazily, on first `current_user`);
   create_app passes them in their order:
   `auth.sessions.end_expired_login` ends a login past its absolute lifetime before any view
   runs, and `auth.permissions.enforce_access` comes last: the view's declared rule, for the
   user that is left.

After the view, Flask runs the hooks in the reverse of their registration: Flask-Login's
remember-me cookie is set or cleared, then `security.set_headers` adds the security headers
(last, so nothing after it can drop them). At the end of the app context, also in reverse:
`db.run_apart` writes what was queued for after the request (it closes the request's session
first), then `db.close_session` closes whatever is left.

tests/test_request_hooks.py asserts this order and, through requests, the reasons.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from flask import Flask
from flask.typing import ResponseReturnValue
from flask_login import LoginManager
from flask_wtf import CSRFProtect

from tracker import cache, db, security

BeforeHook = Callable[[], ResponseReturnValue | None]


def install(
    app: Flask, *, csrf: CSRFProtect, login: LoginManager, user_checks: Sequence[BeforeHook]
) -> None:
    """Register the request hooks on `app` in the order the module's docstring explains."""
    app.before_request(db.choose_begin)
    app.before_request(cache.read_token)
    app.before_request(security.refuse_nul_characters)
    csrf.init_app(app)  # registers its csrf_protect here, fourth
    for check in user_checks:
        app.before_request(check)

    app.after_request(security.set_headers)
    login.init_app(app)  # its remember-cookie hook, registered after, runs before the headers

    app.teardown_appcontext(db.close_session)
    app.teardown_appcontext(db.run_apart)
