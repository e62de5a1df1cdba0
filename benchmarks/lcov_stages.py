"""CPU time of each stage of the lcov fast path (parsers/_lcov_istanbul.py), in one process.

    python3 benchmarks/lcov_stages.py /tmp/qg-reports/lcov.info [--rounds 3]

Cuts the file into the reader's 1 MiB blocks of whole records and times, per round, each step read_chunk
takes (the DA proof split into its parts). Prints one line per round; the machine is shared, so compare
stages within one line, and the line with the bare floor (../shared/bench/peer_floor_lcov.py) of the same
moment.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import time
from collections import defaultdict

from qualitygate.parsers import _lcov_istanbul as fast


def _blocks(path: str) -> tuple[list[str], float]:
    start = time.process_time()
    digest = hashlib.sha256()
    parts = []
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
            parts.append(block.decode())
    took = time.process_time() - start
    text = "".join(parts)
    chunks = []
    pos = 0
    while pos < len(text):
        end = text.find("\nend_of_record\n", pos + (1 << 20))
        end = len(text) if end < 0 else end + 15
        chunks.append(text[pos:end])
        pos = end
    return chunks, took


def _round(chunks: list[str], read: float) -> dict[str, float]:
    acc: dict[str, float] = defaultdict(float)
    acc["read+hash+decode"] = read
    clock = time.process_time
    for chunk in chunks:
        t = clock()
        pieces = chunk.split(fast._END)
        pieces.pop()
        chunk.count("end_of_record")
        acc["split"] += clock() - t
        t = clock()
        cuts = [c for c in map(fast._cut, pieces) if c is not None]
        acc["cut+count"] += clock() - t
        t = clock()
        text = "".join(["[0\n", *(c.da for c in cuts), "]"])
        acc["DA join"] += clock() - t
        t = clock()
        data = text.encode()
        nines = data.translate(fast._NINES)
        shape = b"".join((b"[\n", b"DA:,\n" * sum(c.n[2] for c in cuts), b"]"))
        assert nines.translate(None, b"9") == shape and fast._LONG_DA_LINE not in nines
        acc["DA shape"] += clock() - t
        t = clock()
        numbers = data.translate(fast._DA_JSON, b"DA")
        acc["DA translate"] += clock() - t
        t = clock()
        nums = json.loads(numbers)[1::2]
        acc["DA json"] += clock() - t
        t = clock()
        assert fast._ordered(cuts, nums)
        acc["DA order"] += clock() - t
        t = clock()
        assert fast._arms_fit(cuts)
        acc["BRDA"] += clock() - t
        t = clock()
        assert fast._functions_fit(cuts)
        acc["FN/FNDA"] += clock() - t
        t = clock()
        fast._items(pieces, list(cuts), {id(c) for c in cuts})
        acc["records"] += clock() - t
    return acc


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("file")
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    gc.disable()  # as lcov.parse does
    chunks, read = _blocks(a.file)
    for _ in range(a.rounds):
        acc = _round(chunks, read)
        print(" ".join(f"{k} {v:.3f}" for k, v in acc.items()), f"sum {sum(acc.values()):.3f}")


if __name__ == "__main__":
    main()
