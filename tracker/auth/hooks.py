"""The second step of a login, offered by auth and filled by a later feature (identity's TOTP).

After a correct password, `login` asks `second_step(user, remember, next)`: None lets the
login go ahead at once; a response (the two-factor page) is sent instead and the browser is
not logged in. The feature that answered finishes the login itself with
`tracker.auth.views.start_session` once its own check passes.
"""

from __future__ import annotations

from collections.abc import Callable

from flask.typing import ResponseReturnValue

from tracker.auth.models import User

SecondStep = Callable[[User, bool, str | None], ResponseReturnValue | None]
SECOND_STEPS: list[SecondStep] = []


def provide_second_step(step: SecondStep) -> None:
    """Ask `step` after every correct password (once per step)."""
    if step not in SECOND_STEPS:
        SECOND_STEPS.append(step)


def second_step(user: User, remember: bool, next_url: str | None) -> ResponseReturnValue | None:
    """The first answer of the registered steps, or None: the login may go ahead."""
    for step in SECOND_STEPS:
        answer = step(user, remember, next_url)
        if answer is not None:
            return answer
    return None
