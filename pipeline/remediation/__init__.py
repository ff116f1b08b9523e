"""The remediation engine: CIS findings -> control -> playbook -> fixed, verified, recorded.

Modules, one job each:
- `playbook`: the Playbook interface, its metadata, the Target and Plan it works on.
- `registry`: every playbook, by control id (modules of `playbooks/` register themselves).
- `member`: a boto3 session in the member account (assume the org role).
- `tags`: live tag readers for the opt-out tag, one per resource kind.
- `outcome`: what one finding's remediation ended as (the CLI's and the Lambdas' record).
- `normalise`, `engine`, `records`: finding shapes -> control; plan/apply/verify/record.
"""
