"""Finding identity across commits: which findings of the head are new, unchanged or moved, and which of
the base's are fixed.

Line numbers drift, so they never identify a finding on their own. Passes, strongest first, each pairing
only what the previous ones left:

1. **fingerprint**: the SARIF ``partialFingerprints``/``fingerprints`` of the same tool on both sides;
2. **same line text**: tool + rule + path (the base's path followed through git's renames) + normalised
   message + a hash of the source line's text. Unchanged, unless the change added the head's line: then
   the line was cut and pasted within the file, and the finding is *moved*;
3. **relocation**: tool + rule + message + line text in another file, paired only when exactly one old
   and one new finding share the key (moved code is *moved*, not new); any N:M ambiguity stays new/fixed;
4. **same file**: tool + rule + path + message, the line's text edited: the finding was already there
   (a finding on an edited line that existed before is *unchanged*). After relocation: numbers folded
   out of messages make this key ambiguous within a file, and it would pair a finding that moved away.

Within a group of equal keys, pairs are made in line order. Pure: line texts, hashes and the change are
computed at the edge.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from qualitygate.baseline import normalise_message

Bucket = Literal["new", "unchanged", "moved", "fixed"]


@dataclass(frozen=True, slots=True)
class Ident:
    """What identifies one finding: stored in the verdict for the base, computed for the head."""

    tool: str
    rule: str
    path: str
    message: str  # normalised (numbers folded, first line)
    line: int = 0
    line_hash: str | None = None  # of the source line's stripped text; None when it could not be read
    fingerprint: str | None = None

    @staticmethod
    def of(
        tool: str,
        rule: str,
        path: str | None,
        message: str,
        *,
        line: int | None = None,
        line_hash: str | None = None,
        fingerprint: str | None = None,
    ) -> Ident:
        return Ident(tool, rule, path or "", normalise_message(message), line or 0, line_hash, fingerprint)


@dataclass(slots=True)
class Matching:
    """Indexes into the head's (``new``) and the base's (``old``) findings, by bucket."""

    unchanged: list[tuple[int, int]] = field(default_factory=list)  # (old, new)
    moved: list[tuple[int, int]] = field(default_factory=list)
    new: list[int] = field(default_factory=list)
    fixed: list[int] = field(default_factory=list)

    def counts(self) -> dict[Bucket, int]:
        return {
            "new": len(self.new),
            "unchanged": len(self.unchanged),
            "moved": len(self.moved),
            "fixed": len(self.fixed),
        }

    def bucket_of_new(self) -> dict[int, Bucket]:
        out: dict[int, Bucket] = dict.fromkeys(self.new, "new")
        out.update({j: "unchanged" for _, j in self.unchanged})
        out.update({j: "moved" for _, j in self.moved})
        return out


Added = Callable[[str, int], bool]  # did the change add this line of this (head) path?

_Key = tuple[object, ...]


def _group(
    idents: Sequence[Ident], free: set[int], key: Callable[[Ident], _Key | None]
) -> dict[_Key, list[int]]:
    groups: dict[_Key, list[int]] = defaultdict(list)
    for i in sorted(free, key=lambda i: (idents[i].path, idents[i].line, i)):
        k = key(idents[i])
        if k is not None:
            groups[k].append(i)
    return groups


def _pairs(
    old: Sequence[Ident],
    new: Sequence[Ident],
    free_old: set[int],
    free_new: set[int],
    key: Callable[[Ident], _Key | None],
    *,
    one_to_one: bool = False,
) -> Iterable[tuple[int, int]]:
    """Pair equal keys in line order (``one_to_one``: only keys held by exactly one finding each side)."""
    olds = _group(old, free_old, key)
    for k, js in _group(new, free_new, key).items():
        is_ = olds.get(k)
        if not is_ or (one_to_one and (len(is_) != 1 or len(js) != 1)):
            continue
        for i, j in zip(is_, js, strict=False):
            free_old.discard(i)
            free_new.discard(j)
            yield i, j


def match(
    old: Sequence[Ident],
    new: Sequence[Ident],
    *,
    renames: Mapping[str, str] | None = None,
    added: Added | None = None,
) -> Matching:
    """Sort the head's findings (``new``) and the base's (``old``) into the four buckets."""
    renames = renames or {}
    base = [_renamed(o, renames) for o in old]
    free_old, free_new = set(range(len(base))), set(range(len(new)))
    out = Matching()

    def fp(f: Ident) -> _Key | None:
        return (f.tool, f.fingerprint) if f.fingerprint else None

    for i, j in _pairs(base, new, free_old, free_new, fp):
        (out.unchanged if base[i].path == new[j].path else out.moved).append((i, j))

    def text(f: Ident) -> _Key | None:
        return (f.tool, f.rule, f.path, f.message, f.line_hash) if f.line_hash else None

    for i, j in _pairs(base, new, free_old, free_new, text):
        cut_and_pasted = added is not None and added(new[j].path, new[j].line) and base[i].line != new[j].line
        (out.moved if cut_and_pasted else out.unchanged).append((i, j))

    def relocated(f: Ident) -> _Key | None:
        return (f.tool, f.rule, f.message, f.line_hash) if f.line_hash else None

    # before same-file: a line's text found 1:1 in another file is stronger evidence than a rule and message
    # alone, which number-folded messages make ambiguous within a file (``replacing `3``` / ```5```)
    out.moved.extend(_pairs(base, new, free_old, free_new, relocated, one_to_one=True))

    def same_file(f: Ident) -> _Key:
        return (f.tool, f.rule, f.path, f.message)

    out.unchanged.extend(_pairs(base, new, free_old, free_new, same_file))
    out.new = sorted(free_new)
    out.fixed = sorted(free_old)
    return out


def _renamed(f: Ident, renames: Mapping[str, str]) -> Ident:
    to = renames.get(f.path)
    if to is None:
        return f
    return Ident(f.tool, f.rule, to, f.message, f.line, f.line_hash, f.fingerprint)


def line_hash(text: str) -> str:
    """The hash of a source line as identities use it: blanks around it do not count."""
    import hashlib

    return hashlib.blake2b(" ".join(text.split()).encode(), digest_size=8).hexdigest()
