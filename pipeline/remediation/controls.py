"""The one remap table: (CIS version, requirement number) -> Security Hub control id.

Standard-specific CIS findings name a requirement number ("2.2", "2.1.5.1"), not a
control. The numbers of every control with a playbook are declared once, in the
playbook's own `meta.cis`; the controls that have no safe automatic fix (their
findings end as `no-playbook`) are declared here. The table is built from both, so
no CIS number is written twice, and a number claimed by two controls is a bug,
except where the standard itself reuses one number for two resource kinds (CIS
3.0.0 2.1.4 is S3.1 on the account and S3.8 on a bucket): those are told apart by
the resource type each control declares.

CIS numbers follow the Security Hub user guide's "Related requirements" of each control.
"""
from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from pipeline.registry import Registry
from pipeline.remediation.playbook import CIS_VERSIONS, Playbook
from pipeline.remediation.registry import PLAYBOOKS


@dataclass(frozen=True)
class Control:
    control_id: str
    title: str
    cis: Mapping[str, tuple[str, ...]]  # CIS version -> requirement numbers
    resource_types: tuple[str, ...] = ()  # ASFF Resources[].Type it is evaluated on; () = any
    has_playbook: bool = False


# Controls with no safe automatic fix: people decide (root credentials, admin policies,
# network ACLs and admin ports that may carry real traffic, an analyzer someone must own).
NO_PLAYBOOK: tuple[Control, ...] = (
    Control("IAM.1", "IAM policies should not allow full \"*\" administrative privileges",
            {"1.2.0": ("1.22",), "1.4.0": ("1.16",), "3.0.0": ("1.16",)}),
    Control("IAM.2", "IAM users should not have IAM policies attached",
            {"1.2.0": ("1.16",), "1.4.0": ("1.15",), "3.0.0": ("1.15",)}),
    Control("IAM.4", "IAM root user access key should not exist",
            {"1.2.0": ("1.12",), "1.4.0": ("1.4",), "3.0.0": ("1.4",)}),
    Control("IAM.6", "Hardware MFA should be enabled for the root user",
            {"1.2.0": ("1.14",), "1.4.0": ("1.6",), "3.0.0": ("1.6",)}),
    Control("IAM.9", "MFA should be enabled for the root user",
            {"1.2.0": ("1.13",), "1.4.0": ("1.5",), "3.0.0": ("1.5",)}),
    Control("IAM.28", "IAM Access Analyzer external access analyzer should be enabled", {"3.0.0": ("1.20",)}),
    Control("EC2.21", "Network ACLs should not allow ingress from 0.0.0.0/0 to port 22 or port 3389",
            {"1.4.0": ("5.1",), "3.0.0": ("5.1",)}),
    Control("EC2.53", "EC2 security groups should not allow ingress from 0.0.0.0/0 to remote server "
            "administration ports", {"3.0.0": ("5.2",)}),
    Control("EC2.54", "EC2 security groups should not allow ingress from ::/0 to remote server "
            "administration ports", {"3.0.0": ("5.3",)}),
)


class RemapConflict(RuntimeError):
    """Two controls claim one CIS number for the same resource type: a declaration bug."""


@dataclass(frozen=True)
class RemapTable:
    controls: Mapping[str, Control]  # control id -> control
    by_number: Mapping[tuple[str, str], tuple[str, ...]]  # (version, number) -> control ids

    def control_for(self, version: str, number: str, resource_type: str = "") -> str | None:
        candidates = [self.controls[c] for c in self.by_number.get((version, number), ())]
        if len(candidates) <= 1:
            # The resource type is only a tie-breaker: a finding whose type a playbook did not
            # foresee still reaches its control (the playbook's plan judges the resource).
            return candidates[0].control_id if candidates else None
        fits = [c for c in candidates if resource_type and resource_type in c.resource_types]
        return fits[0].control_id if len(fits) == 1 else None

    def rows(self) -> list[tuple[str, str, str]]:
        """(version, number, control id) for every number of every control, sorted."""
        return sorted((version, number, control_id) for (version, number), ids in self.by_number.items()
                      for control_id in ids)


def build_table(controls: Iterable[Control]) -> RemapTable:
    by_id: dict[str, Control] = {}
    by_number: dict[tuple[str, str], list[str]] = {}
    for control in controls:
        if control.control_id in by_id:
            raise RemapConflict(f"control {control.control_id} is declared twice (a playbook and NO_PLAYBOOK?)")
        by_id[control.control_id] = control
        for version, numbers in control.cis.items():
            if version not in CIS_VERSIONS:
                raise RemapConflict(f"{control.control_id}: unknown CIS version {version!r}")
            for number in numbers:
                claimed = by_number.setdefault((version, number), [])
                for other in claimed:
                    _check_distinguishable(by_id[other], control, version, number)
                claimed.append(control.control_id)
    return RemapTable(by_id, {key: tuple(ids) for key, ids in by_number.items()})


def _check_distinguishable(first: Control, second: Control, version: str, number: str) -> None:
    if not first.resource_types or not second.resource_types or set(first.resource_types) & set(second.resource_types):
        raise RemapConflict(f"CIS {version} {number} is claimed by {first.control_id} and {second.control_id} "
                            "without distinct resource types")


def table_for(playbooks: Registry[Playbook]) -> RemapTable:
    """The table for these playbooks plus NO_PLAYBOOK (tests pass a registry of their own)."""
    declared = [Control(p.meta.control_id, p.meta.title, dict(p.meta.cis), tuple(p.meta.resource_types), True)
                for p in playbooks.all()]
    return build_table([*declared, *NO_PLAYBOOK])


@functools.lru_cache(maxsize=1)
def remap_table() -> RemapTable:
    """The table of the registered playbooks, built once (playbooks register on import)."""
    return table_for(PLAYBOOKS)


def control_for(version: str, number: str, resource_type: str = "") -> str | None:
    return remap_table().control_for(version, number, resource_type)


def known_control(control_id: str) -> bool:
    return control_id in remap_table().controls
