"""The one order of the feature packages; tests/test_layers.py enforces it.

Core is every plain module in tracker/ (db, security, http, forms, errors, auditing, cache,
cli, ...): it imports no feature. Each feature package imports core and only the features
before it in FEATURES; a later one plugs into an earlier one through that feature's hooks.
The composition root (the app factory, the model registry, the seeds) may import everything.
New packages are placed here, where they belong in the order (docs/architecture.md).
"""

from __future__ import annotations

FEATURES: tuple[str, ...] = (
    "auth",
    "identity",  # two-factor: fills auth's login hook (auth.hooks.provide_second_step)
    "audit",
    "team",
    "sprints",
    "delivery",
    "competencies",
    "frameworks",
    "plans",
    "mentoring",
    "search",  # reads every feature above; nothing imports it
)

# Modules and packages that assemble the features: may import any of them; nothing imports
# them but the entry points (wsgi.py, migrations/env.py, tests, bench/).
COMPOSITION: tuple[str, ...] = ("tracker", "tracker.models", "tracker.seed")
