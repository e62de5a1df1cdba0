"""The verdict document: the JSON a machine reads (schema: ``qualitygate schema --verdict``).

Keys in the model's field order (stable, schema_version first), 2-space indent, UTF-8 text as is, one trailing
newline: the same verdict gives the same bytes.
"""

from __future__ import annotations

import json

from qualitygate.verdict import Verdict


def render(verdict: Verdict) -> str:
    return json.dumps(verdict.model_dump(mode="json"), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
