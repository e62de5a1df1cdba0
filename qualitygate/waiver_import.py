"""Waivers from other tools' ignore files, on request (``qualitygate waivers import FILE``), never
automatically: Trivy's ``.trivyignore`` and ``.trivyignore.yaml``, and SARIF results suppressed with
``status: accepted``.

What those files lack becomes a placeholder that fails policy validation until a person fills it in: every
imported waiver needs an owner, and one without an expiry needs a date. Trivy's expiry is exclusive (an
entry stops working at 00:00 UTC of its date) and a waiver's is inclusive, so ``exp:2027-04-01`` becomes
``expires: 2027-03-31``: the same last day of effect.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

OWNER_PLACEHOLDER = "<owner: fill in>"
EXPIRES_PLACEHOLDER = "<YYYY-MM-DD: fill in>"
_AVD = re.compile(r"^AVD-([A-Z]+-\d+)$")
_EXP = re.compile(r"^exp:(\d{4}-\d{2}-\d{2})$")


@dataclass(frozen=True, slots=True)
class Imported:
    rule: str | None
    reason: str
    expires: str  # a date, or the placeholder
    path: str | None = None
    fingerprint: str | None = None
    source: str = ""  # FILE:LINE it came from


class ImportFormatError(ValueError):
    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def _rule(trivy_id: str) -> str:
    """Trivy's SARIF names misconfigurations ``DS-0002``; ignore files may write ``AVD-DS-0002``."""
    m = _AVD.match(trivy_id)
    return m.group(1) if m else trivy_id


def _inclusive(trivy_date: str, where: str) -> str:
    try:
        day = dt.date.fromisoformat(trivy_date)
    except ValueError:
        raise ImportFormatError(f"{where}: {trivy_date!r} is not a date (YYYY-MM-DD)") from None
    return (day - dt.timedelta(days=1)).isoformat()


def from_trivyignore(text: str, name: str) -> list[Imported]:
    """``.trivyignore``: one id per line, an optional ``exp:YYYY-MM-DD``; the comment lines right above an
    entry are its reason."""
    out: list[Imported] = []
    comment: list[str] = []
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line.startswith("#"):
            comment.append(line.lstrip("#").strip())
            continue
        if not line:
            comment = []
            continue
        trivy_id, *rest = line.split()
        expires = EXPIRES_PLACEHOLDER
        for word in rest:
            m = _EXP.match(word)
            if not m:
                raise ImportFormatError(
                    f"{name}:{n}: unexpected {word!r} (only exp:YYYY-MM-DD may follow)", n
                )
            expires = _inclusive(m.group(1), f"{name}:{n}")
        reason = " ".join(c for c in comment if c) or f"imported from {name}"
        out.append(Imported(_rule(trivy_id), reason, expires, source=f"{name}:{n}"))
        comment = []
    return out


_TRIVY_SECTIONS = ("vulnerabilities", "misconfigurations", "secrets", "licenses")


def _trivy_entry(entry: object, section: str, where: str, name: str) -> list[Imported]:
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
        raise ImportFormatError(f"{where}: each entry needs an id")
    exp = entry.get("expired_at")
    expires = _inclusive(str(exp), where) if exp else EXPIRES_PLACEHOLDER
    reason = str(entry.get("statement") or f"imported from {name} ({section})")
    paths = entry.get("paths") or [None]
    return [Imported(_rule(entry["id"]), reason, expires, path=p, source=where) for p in paths]


def from_trivyignore_yaml(data: object, name: str) -> list[Imported]:
    """``.trivyignore.yaml``: sections of ``{id, paths, statement, expired_at}``; one waiver per path."""
    if not isinstance(data, dict):
        raise ImportFormatError(f"{name}: expected the sections {', '.join(_TRIVY_SECTIONS)}")
    out: list[Imported] = []
    for section in _TRIVY_SECTIONS:
        for k, entry in enumerate(data.get(section) or []):
            out += _trivy_entry(entry, section, f"{name}: {section}[{k}]", name)
    return out


def _location(result: dict[str, object]) -> str | None:
    try:
        return str(result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])  # type: ignore[index]
    except (KeyError, IndexError, TypeError):
        return None


def _fingerprint(result: dict[str, object]) -> str | None:
    for key in ("partialFingerprints", "fingerprints"):
        prints = result.get(key)
        if isinstance(prints, dict) and prints:
            k = sorted(prints)[0]
            return f"{k}={prints[k]}"
    return None


def from_sarif(text: str, name: str) -> list[Imported]:
    """Results suppressed with ``status: accepted`` (``underReview`` and ``rejected`` never waive)."""
    try:
        log = json.loads(text)
        runs = log["runs"]
    except (ValueError, KeyError, TypeError):
        raise ImportFormatError(f"{name}: not a SARIF log") from None
    out: list[Imported] = []
    for r, run in enumerate(runs):
        for i, result in enumerate(run.get("results") or []):
            for s in result.get("suppressions") or []:
                if s.get("status") != "accepted":
                    continue
                reason = str(s.get("justification") or f"accepted in {name}")
                out.append(
                    Imported(
                        result.get("ruleId"),
                        reason,
                        EXPIRES_PLACEHOLDER,
                        path=_location(result),
                        fingerprint=_fingerprint(result),
                        source=f"{name}: runs[{r}].results[{i}]",
                    )
                )
                break
    return out


def to_yaml(items: list[Imported], *, first_id: int = 1) -> str:
    """The ``waivers:`` entries to paste into the policy, each with its source as a comment."""
    if not items:
        return "# nothing to import\n"
    lines = ["waivers:"]
    for n, item in enumerate(items, start=first_id):
        fields = (("rule", item.rule), ("path", item.path), ("fingerprint", item.fingerprint))
        match = {k: v for k, v in fields if v}
        expires = json.dumps(item.expires) if item.expires == EXPIRES_PLACEHOLDER else item.expires
        lines += [
            f"  # from {item.source}",
            f"  - id: W-{n}",
            f"    match: {json.dumps(match)}",
            f"    reason: {json.dumps(item.reason)}",
            f"    owner: {json.dumps(OWNER_PLACEHOLDER)}",
            f"    expires: {expires}",
        ]
    return "\n".join(lines) + "\n"
