"""``qualitygate schema``: the JSON Schemas of the policy file and of the verdict.

The same documents are committed as ``qualitygate/schemas/*.schema.json`` (a test keeps them in sync) so
editors can validate ``.github/quality-gates.yml`` (``# yaml-language-server: $schema=...``).
"""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

SCHEMA_ID = "https://qualitygate.dev/schemas/{}.schema.json"


def schema(which: str) -> dict[str, Any]:
    if which == "verdict":
        from qualitygate.verdict import verdict_schema

        doc = verdict_schema()
    else:
        from qualitygate.policy_schema import PolicyFile

        doc = PolicyFile.model_json_schema(mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID.format(which), **doc}


def dumps(which: str) -> str:
    return json.dumps(schema(which), indent=2, sort_keys=True) + "\n"


def run(which: str, out: TextIO = sys.stdout) -> int:
    out.write(dumps(which))
    return 0
