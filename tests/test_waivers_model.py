"""Waivers: valid through their expiry day (UTC), matched on what they name, and accounted for."""

from __future__ import annotations

import datetime as dt

import pytest

from qualitygate.waivers import Item, Ledger, Match, Waiver, WaiverPolicy, horizon_problem

DS2 = Waiver(
    id="W-12",
    match=Match(rule="DS-0002", path="deploy/**"),
    reason="base image pinned by the platform team",
    owner="@acme/platform",
    expires="2027-03-31",
    ticket="PLAT-481",
)
FINDING = Item("finding", path="deploy/Dockerfile", rule="DS-0002")


@pytest.mark.parametrize(
    ("today", "active", "left"),
    [("2027-03-30", True, 1), ("2027-03-31", True, 0), ("2027-04-01", False, -1)],
)
def test_valid_through_the_expiry_day(today: str, active: bool, left: int) -> None:
    day = dt.date.fromisoformat(today)
    assert DS2.active(day) is active
    assert DS2.days_left(day) == left


@pytest.mark.parametrize(
    ("match", "item", "hit"),
    [
        (Match(rule="DS-0002", path="deploy/**"), FINDING, True),
        (
            Match(rule="DS-0002", path="deploy/**"),
            Item("finding", path="app/Dockerfile", rule="DS-0002"),
            False,
        ),
        (Match(rule="DS-0002"), Item("finding", path=None, rule="DS-0002"), True),
        (Match(path="deploy/**"), Item("finding", path=None, rule="X"), False),
        (Match(fingerprint="abc"), Item("finding", fingerprint="abc"), True),
        (Match(test="tests.test_money::*"), Item("test", name="tests.test_money::test_parse"), True),
        (Match(test="tests.test_money::*"), Item("finding", rule="tests.test_money::x"), False),
        (
            Match(function="import_*", path="backend/**"),
            Item("function", "backend/a.py", name="import_row"),
            True,
        ),
        (Match(metric="coverage.lines.pct"), FINDING, False),  # a gate waiver covers no item
    ],
)
def test_an_item_waiver_matches_every_field_it_names(match: Match, item: Item, hit: bool) -> None:
    from qualitygate.waivers import matches_item

    assert matches_item(match, item) is hit


def test_the_ledger_counts_use_and_remembers_expired_waivers() -> None:
    old = Waiver("W-1", Match(rule="DS-0002"), "r", "@o", "2026-01-01")
    ledger = Ledger(dt.date(2027, 3, 25), (old, DS2))
    assert ledger.cover([old, DS2], FINDING) is DS2
    assert ledger.used == {"W-12": 1}
    assert ledger.expired_hits == {}
    late = Ledger(dt.date(2027, 4, 1), (old, DS2))
    assert late.cover([old, DS2], FINDING) is None
    assert late.expired_hits == {"W-1": 1}
    assert DS2.expired_note() == "waiver W-12 expired 2027-03-31 (owner @acme/platform)"
    assert [w.id for w in ledger.expiring(14)] == ["W-12"]
    assert ledger.unused() == []
    assert [w.id for w in ledger.expired()] == ["W-1"]


def test_an_expiry_too_far_ahead_is_refused() -> None:
    today = dt.date(2026, 12, 6)
    assert horizon_problem(DS2, today, WaiverPolicy()) is None  # 115 days
    far = Waiver("W-9", Match(rule="X"), "r", "@o", "2027-12-31")
    assert horizon_problem(far, today, WaiverPolicy()) == (
        "expires 2027-12-31, 390 days ahead: at most waiver_policy.max_days (180) days; "
        "accepted debt needs a date to look at it again"
    )
