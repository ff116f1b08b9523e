"""The fix cycle every playbook test walks through, in one place."""
from __future__ import annotations

import json

from pipeline.remediation.playbook import Decision, Member, Plan, Playbook, Target


def fix_and_check(playbook: Playbook, member: Member, target: Target) -> Plan:
    """plan CHANGE -> apply -> verify -> plan COMPLIANT; returns the first plan."""
    plan = playbook.plan(member, target)
    assert plan.decision is Decision.CHANGE, plan.summary
    # The engine records pre-state and change as JSON; rollback gets them back from the record.
    assert json.loads(json.dumps(plan.pre_state)) == plan.pre_state
    assert json.loads(json.dumps(plan.change)) == plan.change
    assert playbook.apply(member, target, plan)
    assert playbook.verify(member, target)
    again = playbook.plan(member, target)
    assert again.decision is Decision.COMPLIANT, again.summary
    return plan
