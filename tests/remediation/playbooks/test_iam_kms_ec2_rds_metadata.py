"""The declared metadata of the IAM, KMS, EC2 and RDS playbooks: what the member role policy is built from."""
from __future__ import annotations

import re

import pytest

from pipeline.remediation.playbook import CIS_VERSIONS, Playbook
from pipeline.remediation.registry import PLAYBOOKS
from pipeline.remediation.tags import TAG_READERS

CONTROLS = ("IAM.3", "IAM.7", "IAM.8", "IAM.11", "IAM.12", "IAM.13", "IAM.14", "IAM.15", "IAM.16", "IAM.17",
            "IAM.18", "IAM.22", "KMS.4", "EC2.2", "EC2.6", "EC2.7", "EC2.8", "EC2.13", "EC2.14", "RDS.2", "RDS.13")
ACTION = re.compile(r"^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$")
# Resource-level controls read the opt-out tag live; account-level settings have no tags.
ACCOUNT_LEVEL = {"IAM.7", "IAM.11", "IAM.12", "IAM.13", "IAM.14", "IAM.15", "IAM.16", "IAM.17", "IAM.18", "EC2.7"}


@pytest.fixture(params=CONTROLS)
def playbook(request) -> Playbook:
    return PLAYBOOKS.get(request.param)


def test_registered_under_its_control_id(playbook):
    assert playbook.name == playbook.meta.control_id
    assert playbook.meta.title


def test_iam_actions_are_exact_and_cover_every_api_call(playbook):
    actions = playbook.iam_actions()
    assert actions, playbook.name
    for action in actions:
        assert "*" not in action and ACTION.match(action), (playbook.name, action)
    assert set(playbook.meta.api_calls) <= set(actions), playbook.name
    for call in playbook.meta.api_calls:
        assert ACTION.match(call), (playbook.name, call)


def test_tag_reader_is_known_and_its_actions_are_included(playbook):
    if playbook.name in ACCOUNT_LEVEL:
        assert playbook.tag_reader is None
        return
    assert playbook.tag_reader in TAG_READERS
    assert set(TAG_READERS[playbook.tag_reader].iam_actions) <= set(playbook.iam_actions())


def test_cis_numbers_use_known_versions(playbook):
    assert set(playbook.meta.cis) <= set(CIS_VERSIONS)
    for numbers in playbook.meta.cis.values():
        assert numbers and all(re.fullmatch(r"\d+(\.\d+)+", number) for number in numbers)
    assert set(playbook.meta.cis_numbers()) == set(CIS_VERSIONS)


def test_destructive_flag_marks_revoking_and_deleting_playbooks():
    destructive = {name for name in CONTROLS if PLAYBOOKS.get(name).meta.destructive}
    assert destructive == {"IAM.3", "IAM.8", "IAM.22", "EC2.2", "EC2.13", "EC2.14"}


def test_cis_numbers_from_the_reference_table():
    cis = {name: PLAYBOOKS.get(name).meta.cis_numbers() for name in CONTROLS}
    assert cis["IAM.8"] == {"1.2.0": ["1.3"], "1.4.0": [], "3.0.0": []}
    assert cis["IAM.22"] == {"1.2.0": [], "1.4.0": ["1.12"], "3.0.0": ["1.12"]}
    assert cis["IAM.3"] == {"1.2.0": ["1.4"], "1.4.0": ["1.14"], "3.0.0": ["1.14"]}
    assert [cis[f"IAM.{n}"]["1.2.0"] for n in range(11, 18)] == [[f"1.{n}"] for n in range(5, 12)]
    assert (cis["IAM.15"]["1.4.0"], cis["IAM.16"]["3.0.0"]) == (["1.8"], ["1.9"])
    assert cis["IAM.18"] == {"1.2.0": ["1.20"], "1.4.0": ["1.17"], "3.0.0": ["1.17"]}
    assert cis["KMS.4"] == {"1.2.0": ["2.8"], "1.4.0": ["3.8"], "3.0.0": ["3.6"]}
    assert cis["EC2.6"] == {"1.2.0": ["2.9"], "1.4.0": ["3.9"], "3.0.0": ["3.7"]}
    assert (cis["EC2.13"]["1.2.0"], cis["EC2.14"]["1.2.0"]) == (["4.1"], ["4.2"])
    assert cis["EC2.2"] == {"1.2.0": ["4.3"], "1.4.0": ["5.3"], "3.0.0": ["5.4"]}
    assert cis["EC2.7"]["1.4.0"] == cis["EC2.7"]["3.0.0"] == ["2.2.1"]
    assert (cis["RDS.13"]["3.0.0"], cis["RDS.2"]["3.0.0"], cis["EC2.8"]["3.0.0"]) == (["2.3.2"], ["2.3.3"], ["5.6"])
