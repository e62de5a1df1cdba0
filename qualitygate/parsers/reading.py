"""One open per report: the registry opens the file to sniff it, and a parser that reads it from the start
(:func:`open_report`) goes on with the same file handle after the bytes already read, hashing every byte as
it passes, so the SHA-256 the verdict records (``InputInfo.sha256``) needs no second read
(:func:`take_digest`); a caller that records no digest (``qualitygate parse``) opens it with ``digest=False``
and nothing is hashed. Every parser reads through here (the JSON and CSV readers' ``read_text``, lcov's
block loop, lxml's ``iterparse`` fed from the file object, the Cobertura fast path), so ``collect`` hashes a
file itself only for a parser that does not (none today).

State is per process and per path, for the report being parsed now (``collect`` parses one at a time).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import BinaryIO

_open: list[_Opened] = []  # the report being parsed now (at most one)
_digests: dict[str, str] = {}


class _Opened:
    def __init__(self, path: str, fh: BinaryIO, head: bytes, digest: bool) -> None:
        self.path, self.fh, self.head, self.digest = path, fh, head, digest
        self.taken = False


@contextmanager
def opened(path: str, head_bytes: int, *, digest: bool = True) -> Iterator[bytes]:
    """Open ``path`` for its parse; yields its first ``head_bytes`` bytes (for sniffing). ``digest``: hash
    what the parser reads (:func:`take_digest`)."""
    from qualitygate.errors import ReportNotFoundError

    try:
        fh = open(path, "rb")  # noqa: SIM115  # closed below, after the parse that may continue on it
        head = fh.read(head_bytes)
    except OSError as exc:
        raise ReportNotFoundError(path, f"cannot read: {exc.strerror or exc}") from None
    _digests.pop(path, None)  # a digest left from an earlier read of this path is not this content's
    _open[:] = [_Opened(path, fh, head, digest)]
    try:
        yield head
    finally:
        _open.clear()
        fh.close()


def head(path: str) -> bytes | None:
    """The bytes sniffed from ``path`` when it is the report being parsed now, else None."""
    cur = _open[0] if _open else None
    return cur.head if cur is not None and cur.path == path else None


class HashingReader:
    """A binary file read from its start, hashed on the way (unless ``digest`` is False); at the end its
    digest is kept for the path."""

    def __init__(self, path: str, fh: BinaryIO, buffered: bytes, digest: bool = True) -> None:
        self.path, self._fh, self._buffered = path, fh, buffered
        if digest:
            import hashlib  # here: a read that records no digest does not load OpenSSL

            self._hash: hashlib._Hash | None = hashlib.sha256()
        else:
            self._hash = None

    def read(self, size: int = -1) -> bytes:
        if self._buffered:
            data = self._buffered if size < 0 else self._buffered[:size]
            self._buffered = self._buffered[len(data) :]
            if size < 0:
                data += self._fh.read()
        else:
            data = self._fh.read(size)
        return self._passed(data, at_end=size < 0 or (not data and size != 0))

    def readline(self) -> bytes:
        if self._buffered:
            cut = self._buffered.find(b"\n") + 1
            if cut:
                data, self._buffered = self._buffered[:cut], self._buffered[cut:]
                return self._passed(data, at_end=False)
            data, self._buffered = self._buffered + self._fh.readline(), b""
        else:
            data = self._fh.readline()
        return self._passed(data, at_end=not data)

    def _passed(self, data: bytes, *, at_end: bool) -> bytes:
        if self._hash is None:
            return data
        if data:
            self._hash.update(data)
        if at_end:  # every byte passed through here
            _digests[self.path] = self._hash.hexdigest()
        return data

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> HashingReader:
        return self

    def __exit__(
        self, _t: type[BaseException] | None, _e: BaseException | None, _tb: TracebackType | None
    ) -> None:
        self.close()


def open_report(path: str) -> HashingReader:
    """The report ``path`` to read from its start: the registry's open file when it is the one being
    parsed (once), else a new one."""
    cur = _open[0] if _open else None
    if cur is not None and cur.path == path and not cur.taken:
        cur.taken = True
        return HashingReader(path, cur.fh, cur.head, cur.digest)
    return HashingReader(path, open(path, "rb"), b"")  # closed by the caller


def take_digest(path: str) -> str | None:
    """The SHA-256 of ``path`` if a parser read all of it through :func:`open_report` (once)."""
    return _digests.pop(path, None)
