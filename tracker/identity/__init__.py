"""Identity: two-factor authentication (TOTP) on top of auth's password login."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint, the login's second step and the operator's reset command."""
    from tracker.auth.hooks import provide_second_step
    from tracker.cli import tracker_cli
    from tracker.identity import cli
    from tracker.identity.views import bp, second_step

    app.config.setdefault("TWO_FACTOR_PENDING_LIFETIME_SECONDS", 300)
    app.register_blueprint(bp)
    provide_second_step(second_step)
    cli.register(tracker_cli)
