"""A playbook over an in-memory world, registered in a registry of the test's own (never PLAYBOOKS)."""
from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pipeline.registry import Registry
from pipeline.remediation.member import MemberAccessError
from pipeline.remediation.playbook import Decision, Member, Plan, Playbook, PlaybookMeta, Target
from pipeline.remediation.tags import TagReader

FAKE_CONTROL = "Fake.1"
FAKE_TAG_READER = "fake-resource"


@dataclass
class Resource:
    setting: str = "off"  # "on" is compliant
    tags: dict[str, str] = field(default_factory=dict)
    tags_unreadable: bool = False
    apply_error: str = ""  # apply raises this
    plan_error: str = ""  # plan raises this
    apply_is_a_no_op: bool = False  # apply "succeeds" but changes nothing (the lesson of the reference engine)
    cannot: str = ""  # plan answers CANNOT with this reason


@dataclass
class World:
    """Resources by (account, region, resource id); counts every apply."""

    resources: dict[tuple[str, str, str], Resource] = field(default_factory=dict)
    applies: list[str] = field(default_factory=list)
    unreachable_accounts: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, account: str, region: str, resource_id: str, **state: Any) -> Resource:
        resource = Resource(**state)
        self.resources[(account, region, resource_id)] = resource
        return resource

    def get(self, member: Member, target: Target) -> Resource:
        return self.resources[(member.account, member.region, target.resource_id)]


@dataclass
class FakeMember:
    account: str
    region: str
    partition: str
    world: World

    def client(self, service: str) -> Any:
        raise AssertionError("the fake playbook reads its world, not AWS")


class FakeSessions:
    def __init__(self, world: World):
        self.world = world

    def get(self, account: str, region: str, partition: str) -> FakeMember:
        if account in self.world.unreachable_accounts:
            raise MemberAccessError(f"cannot assume arn:{partition}:iam::{account}:role/secpipe-remediation "
                                    f"for account {account} in {region}: AccessDenied")
        return FakeMember(account, region, partition, self.world)


def read_fake_tags(member: Member, target: Target) -> Mapping[str, str]:
    resource = member.world.get(member, target)  # type: ignore[attr-defined]
    if resource.tags_unreadable:
        raise PermissionError("AccessDenied on ListTags")
    return dict(resource.tags)


FAKE_TAGS = TagReader(("fake:ListTags",), read_fake_tags)


class FakePlaybook(Playbook):
    meta = PlaybookMeta(control_id=FAKE_CONTROL, title="a fake setting should be on",
                        cis={"1.2.0": ("99.1",)}, api_calls=("fake:Get", "fake:Set"),
                        iam_actions=("fake:Get", "fake:Set"), destructive=False)
    tag_reader = FAKE_TAG_READER

    def plan(self, member: Member, target: Target) -> Plan:
        resource = member.world.get(member, target)  # type: ignore[attr-defined]
        if resource.plan_error:
            raise RuntimeError(resource.plan_error)
        if resource.cannot:
            return Plan(Decision.CANNOT, resource.cannot)
        if resource.setting == "on":
            return Plan(Decision.COMPLIANT, f"{target.resource_id} is on")
        return Plan(Decision.CHANGE, f"turn {target.resource_id} on", pre_state={"setting": resource.setting},
                    change={"setting": "on"})

    def apply(self, member: Member, target: Target, plan: Plan) -> str:
        world: World = member.world  # type: ignore[attr-defined]
        resource = world.get(member, target)
        with world.lock:
            world.applies.append(target.resource_id)
        if resource.apply_error:
            raise RuntimeError(resource.apply_error)
        if not resource.apply_is_a_no_op:
            resource.setting = plan.change["setting"]
        return f"turned {target.resource_id} on"

    def rollback(self, member: Member, target: Target, pre_state: Mapping[str, Any]) -> str:
        member.world.get(member, target).setting = pre_state["setting"]  # type: ignore[attr-defined]
        return f"turned {target.resource_id} {pre_state['setting']} again"


def fake_registry() -> Registry[Playbook]:
    registry: Registry[Playbook] = Registry("control", name_of=lambda playbook: playbook.meta.control_id)
    registry.add(FakePlaybook())
    return registry
