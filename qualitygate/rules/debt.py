"""Accepted debt in the verdict: a failing gate a gate waiver accepts, and the gate-like results of the
baseline and the waivers themselves.

* **Baseline up to date** (``baseline.stale``): baseline entries reality no longer matches. They fail when
  ``baseline.stale: fail`` (the default when ``CI`` is set), else warn with the command to run, so the
  baseline shrinks in the pull request that pays the debt.
* **Waivers in use** (``waivers.unused``): active waivers that matched nothing (``waiver_policy.unused``).
* **Waivers expiring** (``waivers.expiring``, a warning): active waivers that end within ``warn_days``.
* **Waivers expired** (``waivers.expired``, a warning): the items they covered count again in their gates.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

from qualitygate.accepted import STALE_KIND, UPDATE_COMMAND, Accepted, Gatekeeper, Now, kinds, stale_entries
from qualitygate.baseline import Stale, path_of
from qualitygate.policy import Gate, Policy
from qualitygate.rules.base import plural
from qualitygate.verdict import AcceptedInfo, Evidence, GateResult, Status, WaiverInfo
from qualitygate.waivers import Waiver


def accept_failure(result: GateResult, gate: Gate, keeper: Gatekeeper) -> GateResult:
    """A failing gate that an active gate waiver names becomes a warning that says so until the expiry;
    one an expired waiver named still fails, and says the waiver expired."""
    if result.status is not Status.FAIL:
        return result
    active, expired = keeper.accept_failure(gate)
    if active is not None:
        said = f" Accepted by waiver {active.id} until {active.expires} (owner {active.owner})."
        return replace(
            result, status=Status.WARN, message=result.message + said, waivers=[*result.waivers, active.id]
        )
    if expired is not None:
        return replace(result, message=result.message + f" The {expired.expired_note()}.")
    return result


def _result(
    gate_id: str, title: str, level: Literal["fail", "warn"], message: str, evidence: list[Evidence]
) -> GateResult:
    """A gate-like result over a list of items: it passes when the list is empty."""
    value = len(evidence)
    status = Status.PASS if value == 0 else (Status.FAIL if level == "fail" else Status.WARN)
    return GateResult(
        id=gate_id,
        title=title,
        metric=gate_id,
        operator="<=",
        threshold=0,
        actual=float(value),
        level=level,
        status=status,
        message=message,
        reason=None if status is Status.PASS else message.split(": ", 1)[-1].rstrip("."),
        evidence=evidence,
        evidence_total=len(evidence),
    )


def _stale_evidence(s: Stale) -> Evidence:
    return Evidence(
        kind=STALE_KIND[s.key[0]],
        title=" ".join(p for p in s.key[1:] if p and p != path_of(s.key)),
        path=path_of(s.key),
        detail=f"baselined {s.recorded}, now {s.now or 'gone'}",
    )


def _entries(n: int) -> str:
    return f"{n} {'entry' if n == 1 else 'entries'}"


def stale_mode(policy: Policy, accepted: Accepted) -> Literal["fail", "warn"]:
    chosen = policy.baseline.stale if policy.baseline is not None else None
    return chosen or ("fail" if accepted.ci else "warn")


def baseline_gate(policy: Policy, accepted: Accepted, stale: list[Stale]) -> GateResult:
    where = accepted.baseline_path or "the baseline"
    n = len(accepted.baseline.entries) if accepted.baseline is not None else 0
    if not stale:
        message = f"Baseline up to date: {where} matches the reports ({_entries(n)})."
    else:
        message = (
            f"Baseline up to date: {_entries(len(stale))} of {where} "
            f"no longer match (first: {stale[0].describe()}); the debt is paid: run `{UPDATE_COMMAND}` "
            "and commit it."
        )
    level = stale_mode(policy, accepted)
    evidence = [_stale_evidence(s) for s in stale]
    return _result("baseline.stale", "Baseline up to date", level, message, evidence)


def _waiver_evidence(w: Waiver, detail: str) -> Evidence:
    return Evidence(kind="input", title=w.id, detail=f"{detail} (owner {w.owner}): {w.reason}")


def waiver_gates(policy: Policy, keeper: Gatekeeper) -> list[GateResult]:
    ledger, wp = keeper.ledger, policy.waiver_policy
    today = ledger.today
    unused = ledger.unused()
    active = [w for w in policy.waivers if w.active(today)]
    if unused:
        names = ", ".join(w.id for w in unused)
        message = f"Waivers in use: {names} matched nothing; remove {'it' if len(unused) == 1 else 'them'}."
    else:
        message = f"Waivers in use: {len(active)} of {plural(len(active), 'active waiver')} applied."
    evidence = [_waiver_evidence(w, "matches nothing") for w in unused]
    out = [_result("waivers.unused", "Waivers in use", wp.unused, message, evidence)]
    return out + _expiring_gate(keeper, wp.warn_days) + _expired_gate(keeper)


def _expiring_gate(keeper: Gatekeeper, warn_days: int) -> list[GateResult]:
    ledger, today = keeper.ledger, keeper.ledger.today
    out = []
    expiring = ledger.expiring(warn_days)
    if expiring:
        first = min(expiring, key=lambda w: w.days_left(today))
        message = (
            f"Waivers expiring: {plural(len(expiring), 'waiver')} within {warn_days} days, first "
            f"{first.id} in {plural(first.days_left(today), 'day')} ({first.expires}, owner {first.owner})."
        )
        evidence = [
            _waiver_evidence(w, f"ends {w.expires}, in {plural(w.days_left(today), 'day')}") for w in expiring
        ]
        out.append(_result("waivers.expiring", "Waivers expiring", "warn", message, evidence))
    return out


def _expired_gate(keeper: Gatekeeper) -> list[GateResult]:
    out = []
    expired = keeper.ledger.expired()
    if expired:
        message = (
            f"Waivers expired: {', '.join(w.expired_note() for w in expired)}; what they covered counts "
            "again: renew or remove them."
        )
        evidence = [_waiver_evidence(w, f"expired {w.expires}") for w in expired]
        out.append(_result("waivers.expired", "Waivers expired", "warn", message, evidence))
    return out


def _waiver_info(w: Waiver, keeper: Gatekeeper, warn_days: int) -> WaiverInfo:
    today = keeper.ledger.today
    active = w.active(today)
    used = w.id in keeper.ledger.used
    return WaiverInfo(
        id=w.id,
        owner=w.owner,
        expires=w.expires,
        reason=w.reason,
        ticket=w.ticket,
        state="expired" if not active else ("applied" if used else "unused"),
        days_left=w.days_left(today),
        expiring=active and w.days_left(today) < warn_days,
        items=len(keeper.items.get(w.id, ())),
        gates=keeper.gate_waivers.get(w.id, []),
    )


def _baseline_part(
    policy: Policy, accepted: Accepted, now: Now | None
) -> tuple[list[Stale], list[GateResult]]:
    if accepted.baseline is None or now is None:
        return [], []
    stale = stale_entries(accepted.baseline, now)
    return stale, [baseline_gate(policy, accepted, stale)]


def _counts(gates: list[GateResult]) -> tuple[dict[str, int], dict[str, int]]:
    """Distinct waived and baselined items over every gate, by kind."""
    items = [e for g in gates for e in g.accepted_items]
    return kinds(e for e in items if e.waiver), kinds(e for e in items if e.baselined)


def finish(
    policy: Policy, accepted: Accepted, keeper: Gatekeeper, gates: list[GateResult], now: Now | None
) -> tuple[list[GateResult], AcceptedInfo]:
    """The gate-like results of the baseline and the waivers, and the verdict's ``accepted`` record."""
    stale, extra = _baseline_part(policy, accepted, now)
    extra += waiver_gates(policy, keeper) if policy.waivers else []
    waived, baselined = _counts(gates)
    info = AcceptedInfo(
        today=accepted.today.isoformat(),
        baseline=accepted.baseline_path if accepted.baseline is not None else None,
        waived=waived,
        baselined=baselined,
        stale=[s.describe() for s in stale],
        waivers=[_waiver_info(w, keeper, policy.waiver_policy.warn_days) for w in policy.waivers],
    )
    return extra, info
