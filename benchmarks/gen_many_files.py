"""An Istanbul-layout lcov.info of many small files (the memory case: 478,000 files, ~200 MB by default).

    python3 benchmarks/gen_many_files.py /tmp/qg-many/lcov.info [--files 478000] [--seed 20250115]

Each record is a small JS module as jest writes it: 1-3 functions, 14-34 DA lines, 0-4 BRDA arms. Prints
the totals a correct parse must give (one JSON line).
"""

from __future__ import annotations

import argparse
import json
import random


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--files", type=int, default=478_000)
    ap.add_argument("--seed", type=int, default=20250115)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    tot = dict.fromkeys(("LF", "LH", "BRF", "BRH", "FNF", "FNH"), 0)
    with open(a.out, "w") as fh:
        for i in range(a.files):
            nf = rng.randint(1, 3)
            fns = [(1 + 7 * k, f"(anonymous_{k})" if k % 2 else f"handle{k}Event") for k in range(nf)]
            fh_ = [rng.choice((0, 1, 4, 12)) for _ in fns]
            nd = rng.randint(14, 34)
            lines, ln = [], 0
            for _ in range(nd):
                ln += rng.randint(1, 3)
                lines.append((ln, rng.choice((0, 1, 1, 2, 7, 31))))
            arms = [(lines[0][0], b // 2, b % 2, rng.choice((0, 1, 3))) for b in range(rng.choice((0, 2, 4)))]
            out = [f"TN:\nSF:packages/app-{i % 97}/src/components/Widget{i}.tsx\n"]
            out += [f"FN:{ln},{n}\n" for ln, n in fns]
            out.append(f"FNF:{nf}\nFNH:{sum(h > 0 for h in fh_)}\n")
            out += [f"FNDA:{h},{n}\n" for (_, n), h in zip(fns, fh_, strict=True)]
            out += [f"DA:{ln},{h}\n" for ln, h in lines]
            lh = sum(h > 0 for _, h in lines)
            out.append(f"LF:{nd}\nLH:{lh}\n")
            out += [f"BRDA:{ln},{b},{k},{t}\n" for ln, b, k, t in arms]
            brh = sum(t > 0 for *_, t in arms)
            out.append(f"BRF:{len(arms)}\nBRH:{brh}\nend_of_record\n")
            fh.write("".join(out))
            for k, v in zip(tot, (nd, lh, len(arms), brh, nf, sum(h > 0 for h in fh_)), strict=True):
                tot[k] += v
    print(json.dumps({"files": a.files, **tot}))


if __name__ == "__main__":
    main()
