"""Waivers: accepted debt on the record, each with an id, an owner, a reason and an expiry.

A waiver is valid **through** its ``expires`` day in UTC (Quality-time's inclusive reading; Trivy's
``exp:`` is exclusive, at 00:00 UTC of that day). Pure: the day is passed in by the caller, never read here.

Two kinds, by what ``match`` names:

* an **item** waiver names findings (``rule``, ``path``, ``fingerprint``), functions (``function``,
  ``path``) or tests (``test``): the items it matches leave the gate's count and are listed as waived;
* a **gate** waiver names only ``metric`` (and ``component``): it accepts that gate's failure until the
  expiry, and the gate says so.

``metric`` and ``component`` on an item waiver narrow the gates it applies to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from qualitygate.globs import compile_glob

ITEM_FIELDS = ("rule", "path", "fingerprint", "test", "function")


@dataclass(frozen=True, slots=True)
class Match:
    rule: str | None = None  # exact rule id (SARIF ruleId, radon does not have one)
    path: str | None = None  # a glob over repository paths
    fingerprint: str | None = None
    test: str | None = None  # a glob over test ids (``suite.Class::name``)
    function: str | None = None  # a glob over qualified function names
    metric: str | None = None
    component: str | None = None

    @property
    def is_item(self) -> bool:
        return any(getattr(self, name) is not None for name in ITEM_FIELDS)


@dataclass(frozen=True, slots=True)
class Waiver:
    id: str
    match: Match
    reason: str
    owner: str
    expires: str  # YYYY-MM-DD, valid through that day (UTC)
    ticket: str | None = None
    line: int = 0  # where the policy file declares it, for messages

    @property
    def expiry(self) -> dt.date:
        return dt.date.fromisoformat(self.expires)

    def active(self, today: dt.date) -> bool:
        return today <= self.expiry

    def days_left(self, today: dt.date) -> int:
        """0 on the last valid day; negative once expired."""
        return (self.expiry - today).days

    def describe(self) -> str:
        ticket = f", {self.ticket}" if self.ticket else ""
        return f"waiver {self.id} (owner {self.owner}{ticket})"

    def expired_note(self) -> str:
        return f"waiver {self.id} expired {self.expires} (owner {self.owner})"


@dataclass(frozen=True, slots=True)
class WaiverPolicy:
    max_days: int = 180
    warn_days: int = 14
    unused: Literal["warn", "fail"] = "warn"


def horizon_problem(w: Waiver, today: dt.date, policy: WaiverPolicy) -> str | None:
    """Why a waiver's expiry is refused (further ahead than ``max_days``), or None."""
    ahead = w.days_left(today)
    if ahead > policy.max_days:
        return (
            f"expires {w.expires}, {ahead} days ahead: at most waiver_policy.max_days "
            f"({policy.max_days}) days; accepted debt needs a date to look at it again"
        )
    return None


def _glob(pattern: str | None, value: str | None) -> bool:
    if pattern is None:
        return True
    return value is not None and compile_glob(pattern).match(value) is not None


@dataclass(frozen=True, slots=True)
class Item:
    """What an item waiver is matched against (one finding, function or test)."""

    kind: Literal["finding", "function", "test"]
    path: str | None = None
    rule: str | None = None
    fingerprint: str | None = None
    name: str | None = None  # test id or function qualname


# The item kind each field of a match can only name (``path`` names any kind).
_FIELD_KIND = {"rule": "finding", "fingerprint": "finding", "test": "test", "function": "function"}


def _field_matches(name: str, pattern: str, item: Item) -> bool:
    if item.kind != _FIELD_KIND[name]:
        return False
    if name == "rule":
        return pattern == item.rule
    if name == "fingerprint":
        return pattern == item.fingerprint
    return _glob(pattern, item.name)  # test id or function name


def matches_item(m: Match, item: Item) -> bool:
    """Every field the waiver names matches the item (a gate waiver matches no item)."""
    if not m.is_item:
        return False
    for name in _FIELD_KIND:
        pattern = getattr(m, name)
        if pattern is not None and not _field_matches(name, pattern, item):
            return False
    return _glob(m.path, item.path)


def applies_to_gate(m: Match, metric: str, component: str | None) -> bool:
    """Does the waiver concern this gate at all (``metric``/``component`` narrow it when given)?"""
    if m.metric is not None and m.metric != metric:
        return False
    return m.component is None or m.component == component


@dataclass(slots=True)
class Ledger:
    """What the waivers did during one evaluation: which were used, which items they covered, which
    expired waivers would have covered an item (so the verdict can say it came back and why)."""

    today: dt.date
    waivers: tuple[Waiver, ...]
    used: dict[str, int] = field(default_factory=dict)  # waiver id -> items (or gates) it covered
    expired_hits: dict[str, int] = field(default_factory=dict)

    def for_gate(self, metric: str, component: str | None) -> list[Waiver]:
        return [w for w in self.waivers if applies_to_gate(w.match, metric, component)]

    def cover(self, candidates: Iterable[Waiver], item: Item) -> Waiver | None:
        """The active waiver that covers ``item`` (the first declared), noting expired ones that would."""
        expired: Waiver | None = None
        for w in candidates:
            if not matches_item(w.match, item):
                continue
            if w.active(self.today):
                self.used[w.id] = self.used.get(w.id, 0) + 1
                return w
            expired = expired or w
        if expired is not None:
            self.expired_hits[expired.id] = self.expired_hits.get(expired.id, 0) + 1
            return None
        return None

    def expiring(self, warn_days: int) -> list[Waiver]:
        """Active waivers that end within ``warn_days`` days."""
        return [w for w in self.waivers if w.active(self.today) and w.days_left(self.today) < warn_days]

    def unused(self) -> list[Waiver]:
        """Active waivers that covered nothing (expired ones are reported as expired instead)."""
        return [w for w in self.waivers if w.active(self.today) and w.id not in self.used]

    def expired(self) -> list[Waiver]:
        return [w for w in self.waivers if not w.active(self.today)]
