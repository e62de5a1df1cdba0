"""Agreement with the producing tools: ``../shared/conformance/check.py`` over ``../shared/real-reports``.

Every real report there carries the numbers its own tool computed; ``qualitygate parse`` must print the same
numbers, and refuse every hostile input with exit 3. Skipped cleanly when ``../shared`` is absent.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys

import pytest

from tests.conftest import REAL_REPORTS, SHARED

CHECK = SHARED / "conformance" / "check.py"


@pytest.mark.skipif(
    not (CHECK.is_file() and REAL_REPORTS.is_dir()), reason="../shared/conformance not present"
)
def test_every_real_report_agrees_with_its_producing_tool() -> None:
    cmd = [
        sys.executable,
        str(CHECK),
        str(REAL_REPORTS),
        "--qualitygate",
        shlex.join([sys.executable, "-m", "qualitygate"]),
    ]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=900, check=False)
    last = p.stdout.strip().splitlines()[-1]
    m = re.fullmatch(r"(\d+)/(\d+) cases agree", last)
    assert m, p.stdout + p.stderr
    disagreements = [line for line in p.stdout.splitlines() if line.startswith("DISAGREE")]
    assert disagreements == []
    assert m.group(1) == m.group(2) and int(m.group(2)) > 0
    assert p.returncode == 0
