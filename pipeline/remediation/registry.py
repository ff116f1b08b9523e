"""Every playbook by control id. Modules in `playbooks/` register on import.

A module registers a class with `@PLAYBOOKS.register`, or, for a parameterised family
(the CloudWatch metric-filter controls), one instance per control with `PLAYBOOKS.add(...)`.
"""
from __future__ import annotations

from pipeline.registry import Registry
from pipeline.remediation.playbook import Playbook

PLAYBOOKS: Registry[Playbook] = Registry("control", package="pipeline.remediation.playbooks",
                                         name_of=lambda playbook: playbook.meta.control_id)
