"""Importing other tools' ignore entries as waivers: the same last day of effect, placeholders for what
they lack, and nothing but accepted SARIF suppressions."""

from __future__ import annotations

import json

import pytest
import yaml

from qualitygate import waiver_import as wi

TRIVYIGNORE = """\
# base image pinned by the platform team
AVD-DS-0002 exp:2027-04-01

# accepted, no fix upstream
CVE-2023-2650
"""


def test_trivyignore_expiry_becomes_inclusive_and_comments_become_reasons() -> None:
    got = wi.from_trivyignore(TRIVYIGNORE, ".trivyignore")
    assert got == [
        wi.Imported(
            "DS-0002", "base image pinned by the platform team", "2027-03-31", source=".trivyignore:2"
        ),
        wi.Imported(
            "CVE-2023-2650", "accepted, no fix upstream", wi.EXPIRES_PLACEHOLDER, source=".trivyignore:5"
        ),
    ]


def test_trivyignore_junk_names_its_line() -> None:
    with pytest.raises(wi.ImportFormatError, match=r"^\.trivyignore:1: unexpected 'until:2027'"):
        wi.from_trivyignore("CVE-1 until:2027\n", ".trivyignore")


def test_trivyignore_yaml_gives_one_waiver_per_path() -> None:
    data = yaml.safe_load(
        """
misconfigurations:
  - id: AVD-DS-0002
    paths: [docs/Dockerfile, deploy/Dockerfile]
    statement: The image needs root privileges
    expired_at: 2027-01-01
secrets:
  - id: aws-access-key-id
"""
    )
    got = wi.from_trivyignore_yaml(data, ".trivyignore.yaml")
    assert [(i.rule, i.path, i.expires, i.reason) for i in got] == [
        ("DS-0002", "docs/Dockerfile", "2026-12-31", "The image needs root privileges"),
        ("DS-0002", "deploy/Dockerfile", "2026-12-31", "The image needs root privileges"),
        ("aws-access-key-id", None, wi.EXPIRES_PLACEHOLDER, "imported from .trivyignore.yaml (secrets)"),
    ]


def test_only_accepted_sarif_suppressions_become_waivers() -> None:
    def result(status: str, rule: str) -> dict[str, object]:
        return {
            "ruleId": rule,
            "partialFingerprints": {"primaryLocationLineHash": "ab12"},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": "src/a.py"}}}],
            "suppressions": [{"kind": "external", "status": status, "justification": f"{rule} ok"}],
        }

    log = {
        "runs": [
            {
                "results": [
                    result("accepted", "S105"),
                    result("underReview", "S106"),
                    result("rejected", "S107"),
                ]
            }
        ]
    }
    got = wi.from_sarif(json.dumps(log), "x.sarif")
    assert [(i.rule, i.path, i.fingerprint, i.reason) for i in got] == [
        ("S105", "src/a.py", "primaryLocationLineHash=ab12", "S105 ok")
    ]


def test_the_yaml_is_a_policy_fragment_with_placeholders() -> None:
    text = wi.to_yaml(wi.from_trivyignore(TRIVYIGNORE, ".trivyignore"))
    assert yaml.safe_load(text)["waivers"][0] == {
        "id": "W-1",
        "match": {"rule": "DS-0002"},
        "reason": "base image pinned by the platform team",
        "owner": wi.OWNER_PLACEHOLDER,
        "expires": __import__("datetime").date(2027, 3, 31),
    }
    assert yaml.safe_load(text)["waivers"][1]["expires"] == wi.EXPIRES_PLACEHOLDER
