"""Every module of tracker/ imports on its own, first, in a fresh interpreter: no import
works only because another module happened to be imported before it (a circle inside a
package hides exactly so)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import importlib, pkgutil, sys
import tracker
names = ["tracker"] + [m.name for m in pkgutil.walk_packages(tracker.__path__, "tracker.")]
failed = []
for name in names:
    for loaded in [m for m in sys.modules if m == "tracker" or m.startswith("tracker.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception as exc:
        failed.append(f"{name}: {type(exc).__name__}: {exc}")
print(len(names))
print("\\n".join(failed))
"""


def test_every_module_imports_first():
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    count, *failed = done.stdout.strip().split("\n")
    assert int(count) > 90  # every module was tried
    assert [f for f in failed if f] == []
