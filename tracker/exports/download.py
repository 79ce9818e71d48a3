"""Download headers that every browser and server accepts, whatever the file's name."""

from __future__ import annotations

import re
from urllib.parse import quote


def attachment(stem: str, ext: str) -> dict[str, str]:
    """Content-Disposition for `stem.ext`: an ASCII name, plus the exact one (RFC 6266/5987).

    HTTP headers are Latin-1: a team called "数据" must not break the download.
    """
    ascii_stem = re.sub(r"[^A-Za-z0-9]+", "-", stem).strip("-").lower() or "download"
    exact = quote(f"{stem}.{ext}", safe="")
    return {
        "Content-Disposition": f'attachment; filename="{ascii_stem}.{ext}"; '
        f"filename*=UTF-8''{exact}"
    }
