"""Print the member role's IAM actions: the sorted union of every playbook's iam_actions().

    python scripts/member_role_actions.py          # one action per line
    python scripts/member_role_actions.py --write  # rewrite the list in cloudformation/remediation-member-role.yaml

The list sits between the BEGIN/END marker comments of the template, so regenerating it
after a playbook is added changes nothing else there (tests/remediation/aws keeps them equal).
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.remediation.registry import PLAYBOOKS  # noqa: E402

TEMPLATE = ROOT / "cloudformation" / "remediation-member-role.yaml"
BEGIN = "# BEGIN playbook actions"
END = "# END playbook actions"


def member_role_actions() -> list[str]:
    return sorted({action for playbook in PLAYBOOKS.all() for action in playbook.iam_actions()})


def rewrite(text: str, actions: list[str]) -> str:
    """The template text with the lines between the markers replaced, at the markers' indent."""
    block = re.search(rf"^(?P<indent>[ \t]*){re.escape(BEGIN)}[^\n]*\n(?P<body>.*?)^[ \t]*{re.escape(END)}",
                      text, re.S | re.M)
    if block is None:
        raise SystemExit(f"{TEMPLATE}: no '{BEGIN}' ... '{END}' block")
    indent = block["indent"]
    body = "".join(f"{indent}- {action}\n" for action in actions)
    return text[:block.start("body")] + body + text[block.end("body"):]


def main(argv: list[str]) -> int:
    actions = member_role_actions()
    if argv == ["--write"]:
        TEMPLATE.write_text(rewrite(TEMPLATE.read_text(encoding="utf-8"), actions), encoding="utf-8")
        print(f"{TEMPLATE.relative_to(ROOT)}: {len(actions)} actions")
    elif not argv:
        print("\n".join(actions))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
