"""``qualitygate waivers``: list the policy's waivers (all, ``--expired`` or ``--expiring``);
``qualitygate waivers import FILE``: print waivers made from another tool's ignore file, to paste."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Literal

from qualitygate.errors import ReportFormatError, ReportNotFoundError
from qualitygate.waivers import Match, Waiver

Which = Literal["all", "expired", "expiring"]


def _match_text(m: Match) -> str:
    fields = ("rule", "path", "fingerprint", "test", "function", "metric", "component")
    return ", ".join(f"{k}={getattr(m, k)}" for k in fields if getattr(m, k) is not None)


def _rows(waivers: list[Waiver], today: object) -> list[list[str]]:
    import datetime as dt

    assert isinstance(today, dt.date)
    rows = [["ID", "OWNER", "EXPIRES", "DAYS LEFT", "MATCH", "REASON"]]
    for w in waivers:
        left = w.days_left(today)
        rows.append(
            [w.id, w.owner, w.expires, str(left) if left >= 0 else "expired", _match_text(w.match), w.reason]
        )
    return rows


def _chosen(w: Waiver, day: dt.date, which: Which, warn: int) -> bool:
    if which == "expired":
        return not w.active(day)
    if which == "expiring":
        return w.active(day) and w.days_left(day) < warn
    return True


def run_list(root: str, config: str | None, preset: str | None, which: Which) -> int:
    from qualitygate.acceptance import today
    from qualitygate.commands.check import CheckOptions, load_checked_policy

    day = today()
    policy = load_checked_policy(CheckOptions(root=root, config=config, preset=preset))
    warn = policy.waiver_policy.warn_days
    chosen = [w for w in policy.waivers if _chosen(w, day, which, warn)]
    if not chosen:
        words = {
            "all": "no waivers",
            "expired": "no expired waivers",
            "expiring": f"no waiver ends within {warn} days",
        }
        sys.stdout.write(f"{policy.source}: {words[which]} (today {day.isoformat()}, UTC)\n")
        return 0
    rows = _rows(chosen, day)
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    for r in rows:
        sys.stdout.write("  ".join(c.ljust(widths[i]) for i, c in enumerate(r[:-1])) + "  " + r[-1] + "\n")
    return 0


def run_import(path: str, first_id: int) -> int:
    from qualitygate import waiver_import as wi

    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except FileNotFoundError:
        raise ReportNotFoundError(path, "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportFormatError(path, f"cannot read: {exc}") from None
    try:
        if name.endswith((".sarif", ".json")):
            items = wi.from_sarif(text, path)
        elif name.endswith((".yaml", ".yml")):
            import yaml

            try:
                data = yaml.safe_load(text)
            except yaml.YAMLError as exc:
                raise ReportFormatError(path, f"not YAML: {exc}") from None
            items = wi.from_trivyignore_yaml(data, path)
        else:
            items = wi.from_trivyignore(text, path)
    except wi.ImportFormatError as exc:
        import re

        said = re.sub(rf"^{re.escape(path)}(:\d+)?:\s*", "", str(exc))
        raise ReportFormatError(path, said, line=exc.line) from None
    sys.stdout.write(wi.to_yaml(items, first_id=first_id))
    return 0
