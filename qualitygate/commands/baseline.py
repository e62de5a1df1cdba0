"""``qualitygate baseline update``: the only writer of the baseline file.

It records what exists now that no active waiver covers (:func:`qualitygate.accepted.record`, the function a
check compares the baseline with), writes the file atomically in its canonical form (sorted, one entry per
line) and, when ``.gitattributes`` does not say so yet, adds ``PATH merge=union`` so that two branches that
both update the baseline merge line by line.
"""

from __future__ import annotations

import os
import sys

from qualitygate.errors import QualityGateError, UsageError

MERGE_ATTRIBUTE = "merge=union"


def _describe(entries: dict[tuple[str, ...], int]) -> str:
    by_kind: dict[str, int] = {}
    for key in entries:
        by_kind[key[0]] = by_kind.get(key[0], 0) + 1
    words = {"finding": "finding keys", "complexity": "functions", "test": "failing tests"}
    return ", ".join(f"{n} {words[k]}" for k, n in sorted(by_kind.items())) or "nothing"


def _previous(root: str, policy: object) -> dict[tuple[str, ...], int]:
    """The entries written before (none when the file is absent or unreadable: the update rewrites it)."""
    from qualitygate.acceptance import read_baseline
    from qualitygate.policy import Policy

    assert isinstance(policy, Policy)
    try:
        old = read_baseline(root, policy)
    except QualityGateError:
        return {}
    return old.entries if old is not None else {}


def ensure_union_merge(root: str, rel: str) -> bool:
    """Add ``REL merge=union`` to ROOT/.gitattributes unless a line already sets it; True when added."""
    path = os.path.join(root, ".gitattributes")
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except FileNotFoundError:
        text = ""
    for line in text.splitlines():
        words = line.split()
        if words and words[0] in (rel, "/" + rel) and MERGE_ATTRIBUTE in words[1:]:
            return False
    sep = "" if not text or text.endswith("\n") else "\n"
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(f"{sep}{rel} {MERGE_ATTRIBUTE}\n")
    return True


def run_update(root: str, config: str | None, preset: str | None) -> int:
    from qualitygate.acceptance import today
    from qualitygate.accepted import record
    from qualitygate.baseline import dumps
    from qualitygate.collect import collect
    from qualitygate.commands.check import CheckOptions, load_checked_policy
    from qualitygate.render import write_atomic

    policy = load_checked_policy(CheckOptions(root=root, config=config, preset=preset))
    if policy.baseline is None:
        raise UsageError(f"{policy.source}: `baseline: false`: the policy keeps no baseline to update")
    rel = policy.baseline.path
    entries = record(policy, collect(policy, root), today()).entries()
    old = _previous(root, policy)
    target = os.path.join(root, rel)
    os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
    write_atomic(target, dumps(entries))
    added = sum(1 for k in entries if k not in old)
    removed = sum(1 for k in old if k not in entries)
    out = [f"wrote {rel}: {_describe(entries)} ({added} added, {removed} removed since the last update)"]
    if ensure_union_merge(root, rel):
        out.append(
            f"added `{rel} {MERGE_ATTRIBUTE}` to .gitattributes: two branches' updates merge line by line"
        )
    out.append(f"commit {rel} with the change that paid (or accepted) the debt")
    sys.stdout.write("\n".join(out) + "\n")
    return 0
