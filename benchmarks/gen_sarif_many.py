"""A SARIF log with many compact results, for the peak-memory target (README, "Performance").

    python3 benchmarks/gen_sarif_many.py /tmp/qg-sarif/many.sarif [--results 1000000] [--order ruff|trivy]

The shape of ruff's ``--output-format sarif``: one run, 60 rules in ``tool.driver.rules``, then one line per
result with ``ruleId``, ``level``, ``message.text`` (four texts per rule: a linter repeats them) and one
``physicalLocation`` with the file's ``uri`` (5,000 files) and ``region.startLine``: ~185 bytes a result,
so 10**6 results make a ~185 MB file. ``--order ruff`` writes ``results`` before ``tool`` and ``version``
last, as ruff does; ``--order trivy`` the usual order, with a ``ruleIndex`` per result. Deterministic.
"""

from __future__ import annotations

import argparse
import json
import random

RULES = [f"{p}{n:03d}" for p in ("E", "F", "W", "S", "B", "C") for n in range(1, 11)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--results", type=int, default=1_000_000)
    ap.add_argument("--order", choices=("ruff", "trivy"), default="ruff")
    args = ap.parse_args()
    rnd = random.Random(20250115)
    files = [f"src/p{rnd.randrange(100):02d}/m{i:04d}.py" for i in range(5000)]
    texts = {r: [f"Problem {k} of rule {r}" for k in range(4)] for r in RULES}
    rules = [
        {
            "id": r,
            "shortDescription": {"text": f"rule {r}"},
            "defaultConfiguration": {"level": "error" if r[0] in "EFS" else "warning"},
            "properties": {"tags": ["security"] if r[0] == "S" else []},
        }
        for r in RULES
    ]
    tool = json.dumps({"driver": {"name": "ruff", "version": "0.8.0", "rules": rules}})

    def index(idx: int) -> str:  # Trivy writes ruleIndex, ruff does not
        return f'"ruleIndex":{idx},' if args.order == "trivy" else ""

    with open(args.out, "w", encoding="utf-8") as fh:
        fh.write('{"$schema": "https://json.schemastore.org/sarif-2.1.0.json", ')
        fh.write(
            '"runs": [{' if args.order == "ruff" else '"version": "2.1.0", "runs": [{"tool": ' + tool + ", "
        )
        fh.write('"results": [\n')
        for i in range(args.results):
            idx = rnd.randrange(len(RULES))
            r = RULES[idx]
            level = "error" if r[0] in "EFS" else "warning"
            loc = f'"uri":"{rnd.choice(files)}"}},"region":{{"startLine":{rnd.randrange(1, 900)}'
            res = (
                f'{{"ruleId":"{r}",{index(idx)}"level":"{level}","message":{{"text":"{rnd.choice(texts[r])}"}},'
                f'"locations":[{{"physicalLocation":{{"artifactLocation":{{{loc}}}}}}}]}}'
            )
            fh.write(res + (",\n" if i + 1 < args.results else "\n"))
        fh.write("]")
        fh.write(', "tool": ' + tool + '}], "version": "2.1.0"}\n' if args.order == "ruff" else "}]}\n")


if __name__ == "__main__":
    main()
