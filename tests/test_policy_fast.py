"""The hand validator of the policy's common forms (qualitygate/policy_fast.py) against pydantic's schema:
whatever it accepts normalises to exactly the policy pydantic's validation gives (the cache's JSON, byte for
byte); whatever it does not accept it hands back (None), so pydantic reports every error."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from qualitygate.policy import policy_to_dict
from qualitygate.policy_fast import fast_spec
from qualitygate.policy_normalise import normalise
from qualitygate.policy_schema import PolicyFile

ROOT = Path(__file__).resolve().parent.parent
REPO_POLICIES = sorted(
    [*(ROOT / "qualitygate" / "presets").glob("*.yml"), *ROOT.glob("fixtures/*/.github/quality-gates.yml")]
)


def both(data: dict[str, Any]) -> tuple[str | None, str]:
    """The normalised policy as the cache writes it: from the hand validator (None if it declined) and from
    pydantic."""
    fast = fast_spec(data)
    slow = normalise(PolicyFile.model_validate(data), "p.yml")
    shown = json.dumps(policy_to_dict(slow))
    return (None if fast is None else json.dumps(policy_to_dict(normalise(fast, "p.yml")))), shown


@pytest.mark.parametrize("path", REPO_POLICIES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_policy_in_the_repository_is_validated_by_hand_with_pydantic_s_result(path: Path) -> None:
    fast, slow = both(yaml.safe_load(path.read_text()))
    assert fast == slow


COMMON = [
    "quality_gates: {coverage: {backend: '80%', web: {statements: 70, branches: 60.5}}}",
    "quality_gates: {coverage: {a: 80}, new_code: {coverage: 90, failing_tests: 0, min_lines: 5}}",
    "quality_gates: {new_code: {coverage: {a: '85%'}, duplications: 3, max_cyclomatic: 12}}",
    "quality_gates: {code_smells: {max_debt: 90}, complexity: {}, security_hotspots: 3}",
    "quality_gates: null\ngates: [{metric: tests.failing, max: 0, level: warn, missing: skip}]",
    "version: 1\nsecurity: {severity: 'critical, high', source: cvss, ignore_unfixed: true}\n"
    "gates: [{metric: tests.failing, max: 0}]",
    "k6: {http_req_duration: 'p(95)<200'}",
    "defaults: {missing: warn, level: warn}\ngates: [{metric: tests.failing, max: 0, missing: fail}]",
    "gates: [{metric: coverage.lines.pct, max_drop: 0.5, component: api, paths: 'api/**'}]",
    "gates: [{metric: complexity.cyclomatic.max, max_rise: '10%', id: cc, title: CC}]",
    "gates: [{metric: new.coverage.lines.pct, min: 80, min_lines: 3, paths: [a/**, b/*.py]}]",
    "gates: [{metric: k6.http_req_duration.p(95), lt: 200ms}]",
]


@pytest.mark.parametrize("text", COMMON)
def test_the_common_forms_are_validated_by_hand_with_pydantic_s_result(text: str) -> None:
    fast, slow = both(yaml.safe_load(text))
    assert fast == slow


# Accepted by pydantic, but not of the exact type the schema ends with, or a section the hand validator
# does not read: pydantic validates them (and its result is what the policy means).
UNUSUAL = [
    "quality_gates: {complexity: {max_cyclomatic: 10.0}}",
    "quality_gates: {complexity: {max_cyclomatic: '10'}}",
    "quality_gates: {security_hotspots: true}",
    "version: true\ngates: [{metric: tests.failing, max: 0}]",
    "components: {api: {paths: [api/**]}}\ngates: [{metric: tests.failing, max: 0}]",
    "security: {ignore_unfixed: 'yes'}\ngates: [{metric: tests.failing, max: 0}]",
]


@pytest.mark.parametrize("text", UNUSUAL)
def test_what_the_hand_validator_does_not_know_goes_to_pydantic(text: str) -> None:
    fast, slow = both(yaml.safe_load(text))
    assert fast is None
    assert json.loads(slow)["gates"]


INVALID = [
    "quality_gates: {coverage: {a: 101}}",
    "quality_gates: {coverage: {a: null}}",
    "quality_gates: {complexity: 0}",
    "quality_gates: {code_smells: ''}",
    "quality_gates: {duplications: {}}",
    "quality_gates: {complexity: {max_cyclomatc: 3}}",
    "quality_gates: {security_hotspots: -1}",
    "quality_gates: {code_smells: {max_debt: 1e400}}",
    "quality_gates: {new_code: {min_lines: 0}}",
    "version: 2",
    "security: null",
    "security: {severity: [BLOCKER]}",
    "k6: {http_req_duration: ['p(95)<<200']}",
    "gates: [{metric: tests.failng, max: 0}]",
    "gates: [{metric: tests.failing, max: 0, min: 1}]",
    "gates: [{metric: tests.failing}]",
    "gates: [{metric: tests.failing, max: 0, min_lines: 2}]",
    "gates: [{metric: tests.failing, max: 0, paths: null}]",
    "gates: [{metric: tests.failing, max: 0, missing: never}]",
    "gates: [{metric: coverage.lines.pct, max_drop: -1}]",
    "gates: [{max: 0}]",
    "gates: null",
    "defaults: {missing: null}",
    "defaults: {level: block}",
]


@pytest.mark.parametrize("text", INVALID)
def test_an_invalid_policy_is_left_to_pydantic_for_its_message(text: str) -> None:
    data = yaml.safe_load(text)
    assert fast_spec(data) is None
    with pytest.raises(ValueError):  # pydantic's ValidationError is a ValueError
        PolicyFile.model_validate(data)
