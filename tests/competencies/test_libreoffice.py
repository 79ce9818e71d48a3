"""The XLSX export opened by LibreOffice itself (skipped where LibreOffice is not installed)."""

from __future__ import annotations

import csv
import shutil
import subprocess

import pytest

soffice = shutil.which("soffice")
pytestmark = pytest.mark.skipif(soffice is None, reason="LibreOffice (soffice) is not installed")


def test_libreoffice_opens_the_xlsx_and_evaluates_no_formula(
    client_as, org, db, framework, rate, tmp_path
):
    rate(org.mate, "python-programming", 5, rater=org.lead)
    org.plain.name = '=HYPERLINK("http://evil.example","x")'
    org.eng.name = "=1+1"
    db.commit()
    client = client_as("lead")
    xlsx = tmp_path / "matrix.xlsx"
    xlsx.write_bytes(client.get(f"/teams/{org.team.id}/matrix.xlsx").data)
    profile = tmp_path / "profile"
    # Every sheet to CSV, UTF-8, formulas' *results* as LibreOffice computes them.
    out = subprocess.run(
        [
            soffice,
            "--headless",
            f"-env:UserInstallation=file://{profile}",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
            str(xlsx),
            "--outdir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert out.returncode == 0, out.stderr
    sheets = {p.stem.split("-", 1)[1]: p for p in tmp_path.glob("matrix-*.csv")}
    assert set(sheets) == {"Ratings", "Gaps", "Framework"}
    rows = list(csv.reader(sheets["Ratings"].open(encoding="utf-8")))
    names = [r[0] for r in rows[2:]]
    assert '=HYPERLINK("http://evil.example","x")' in names  # text, not a link or a value
    assert "=1+1" in names and "2" not in names
    header = rows[1]
    col = header.index("Python and programming")
    assert rows[2 + names.index("Max Mate")][col] == "5"
