"""The verdict document: the JSON a machine reads (schema: ``qualitygate schema --verdict``).

Keys in the model's field order (stable, schema_version first), 2-space indent, UTF-8 text as is, one trailing
newline: the same verdict gives the same bytes.
"""

from __future__ import annotations

from qualitygate.verdict import Verdict, verdict_to_json


def render(verdict: Verdict) -> str:
    return verdict_to_json(verdict, indent=2) + "\n"
