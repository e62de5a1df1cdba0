"""The baseline: accepted debt recorded in the repository, that only shrinks.

``qualitygate baseline update`` is its only writer. It records what exists now, keyed **without line
numbers** so that editing a file does not make its entries drift:

* findings: ``finding`` + tool + rule + path + normalised message, with a count;
* complexity offenders: ``complexity`` + measure + path + function, with the score;
* failing tests: ``test`` + test id.

The file is JSON written one entry per line, sorted, each line ending in a comma before a fixed closing
line, so two branches that both update it merge line by line (``.gitattributes``: ``merge=union`` keeps
both sides' lines; a key that then appears twice counts with its smaller value: the baseline only shrinks)::

    {"qualitygate_baseline": 1, "entries": [
    ["complexity", "cyclomatic", "backend/legacy.py", "import_legacy_row", 14],
    ["finding", "ruff", "PLR2004", "backend/api.py", "Magic value used in comparison, ...", 3],
    null]}

Pure (no I/O): reading a file and the rename map are the caller's business.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

FORMAT = 1
HEADER = f'{{"qualitygate_baseline": {FORMAT}, "entries": ['
FOOTER = "null]}"

Key = tuple[str, ...]

_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_SPACE = re.compile(r"\s+")


def normalise_message(message: str) -> str:
    """The first line, numbers replaced by ``N`` and blanks folded: a value or a line number quoted in a
    message must not make a finding new."""
    first = message.strip().splitlines()[0] if message.strip() else ""
    return _SPACE.sub(" ", _NUMBER.sub("N", first))[:300]


def finding_key(tool: str, rule: str, path: str | None, message: str) -> Key:
    return ("finding", tool, rule, path or "", normalise_message(message))


def complexity_key(measure: str, path: str, function: str) -> Key:
    return ("complexity", measure, path, function)


def test_key(test_id: str) -> Key:
    return ("test", test_id)


_PATH_INDEX = {"finding": 3, "complexity": 2}


def path_of(key: Key) -> str | None:
    i = _PATH_INDEX.get(key[0])
    return key[i] if i is not None else None


def with_path(key: Key, path: str) -> Key:
    i = _PATH_INDEX[key[0]]
    return (*key[:i], path, *key[i + 1 :])


@dataclass(slots=True)
class Baseline:
    """Entries by key: a count for findings, the score for complexity, 1 for a failing test."""

    entries: dict[Key, int] = field(default_factory=dict)
    merged_duplicates: int = 0  # keys seen more than once (a union merge): the smaller value was kept

    def add(self, key: Key, value: int) -> None:
        old = self.entries.get(key)
        if old is not None:
            self.merged_duplicates += 1
            value = min(old, value)
        self.entries[key] = value

    def of_kind(self, kind: str) -> dict[Key, int]:
        return {k: v for k, v in self.entries.items() if k[0] == kind}

    def renamed(self, renames: Mapping[str, str]) -> Baseline:
        """The baseline with paths followed through a rename map (old path -> new path)."""
        if not renames:
            return self
        out = Baseline(merged_duplicates=self.merged_duplicates)
        for key, value in self.entries.items():
            path = path_of(key)
            new = renames.get(path) if path is not None else None
            out.add(with_path(key, new) if new is not None else key, value)
        return out


class BaselineFormatError(ValueError):
    """The text is not a baseline; ``line`` (1-based) where known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def _shown(value: object, limit: int = 60) -> str:
    """A value as an error message quotes it: its repr, cut to ``limit`` characters (one line)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _entry(item: object, line: int) -> tuple[Key, int]:
    if not isinstance(item, list) or len(item) < 3 or not all(isinstance(p, str) for p in item[:-1]):
        raise BaselineFormatError("an entry is a list of strings ending in a number", line)
    value = item[-1]
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 2**31:
        raise BaselineFormatError(f"the entry's value {_shown(value)} is not a positive count or score", line)
    key = tuple(item[:-1])
    if key[0] not in ("finding", "complexity", "test") or len(key) != {"finding": 5, "complexity": 4}.get(
        key[0], 2
    ):
        raise BaselineFormatError(f"unknown entry {_shown(key[0])} of {len(key)} fields", line)
    return key, value


def _check_header(text: str, lines: list[str]) -> None:
    if lines and lines[0].strip() == HEADER:
        return
    try:
        head = json.loads(text).get("qualitygate_baseline") if text.strip() else None
    except (ValueError, AttributeError, RecursionError):
        head = None
    why = f"format {head} is not {FORMAT}" if head not in (None, FORMAT) else "not a qualitygate baseline"
    raise BaselineFormatError(f"{why} (write it with `qualitygate baseline update`)", 1)


def _entry_line(raw: str, n: int) -> tuple[Key, int]:
    s = raw.strip()
    if not s.endswith(","):
        raise BaselineFormatError("each entry line ends with a comma", n)
    try:
        item = json.loads(s[:-1])
    except ValueError as exc:
        raise BaselineFormatError(f"not a JSON entry ({exc})", n) from None
    except RecursionError:
        raise BaselineFormatError("not a JSON entry (nested too deeply)", n) from None
    return _entry(item, n)


def loads(text: str) -> Baseline:
    """Read a baseline, line by line (so an error names its line). Raises :class:`BaselineFormatError`."""
    lines = text.splitlines()
    _check_header(text, lines)
    out = Baseline()
    for n, raw in enumerate(lines[1:], start=2):
        if raw.strip() == FOOTER:
            if any(rest.strip() for rest in lines[n:]):
                raise BaselineFormatError("text after the closing line", n + 1)
            return out
        if raw.strip():
            out.add(*_entry_line(raw, n))
    raise BaselineFormatError("truncated: no closing line", len(lines))


def dumps(entries: Mapping[Key, int]) -> str:
    """The canonical text: sorted, one entry per line, every entry line ending in a comma."""
    body = [json.dumps([*key, value], ensure_ascii=False) + "," for key, value in sorted(entries.items())]
    return "\n".join([HEADER, *body, FOOTER]) + "\n"


@dataclass(frozen=True, slots=True)
class Stale:
    """A baseline entry that reality no longer matches: gone, or lower than recorded."""

    key: Key
    recorded: int
    now: int

    def describe(self) -> str:
        what = " ".join(p for p in self.key[1:] if p)
        if self.now == 0:
            return f"{self.key[0]} {what}: baselined {self.recorded}, now gone"
        return f"{self.key[0]} {what}: baselined {self.recorded}, now {self.now}"


def compare_counts(now: Mapping[Key, int], recorded: Mapping[Key, int]) -> tuple[dict[Key, int], list[Stale]]:
    """For counted entries (findings, failing tests): how many of each key go beyond the baseline, and the
    stale entries (fewer now than recorded)."""
    beyond = {k: n - recorded.get(k, 0) for k, n in now.items() if n > recorded.get(k, 0)}
    stale = [Stale(k, r, now.get(k, 0)) for k, r in sorted(recorded.items()) if now.get(k, 0) < r]
    return beyond, stale


def compare_scores(
    now: Mapping[Key, int], recorded: Mapping[Key, int], limit_breached: Mapping[Key, bool]
) -> tuple[set[Key], list[Stale]]:
    """For complexity offenders: the keys the baseline covers (recorded, and the score did not grow) and
    the stale entries (function gone, back within the limit, or lower than recorded). A score that grew
    is not covered: a baselined 14 that became 17 fails."""
    covered = {k for k, s in now.items() if k in recorded and s <= recorded[k]}
    stale = []
    for k, r in sorted(recorded.items()):
        s = now.get(k, 0)
        if s == 0 or not limit_breached.get(k, False) or s < r:
            stale.append(Stale(k, r, s))
    return covered, stale
