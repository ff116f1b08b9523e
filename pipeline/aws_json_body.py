"""Security Hub import bodies encoded by orjson in one call instead of botocore's shape walk.

botocore serialises a request by walking the API model for every value (about 130 us of
a finding in `secpipe publish`, more than the hub needs to store it) and then calls
json.dumps. A BatchImportFindings body that secpipe sends has been through
pipeline.asff_validation already, which admits only what the model describes, as JSON
types (no None, no datetime, no bytes): for such a body the walk changes nothing, so the
same JSON is written straight away. The rest of the request (URL, headers, signing) is
still botocore's, built from the same request with the findings left out.
"""
from __future__ import annotations

from typing import Any

import orjson

#: The operations whose parameters are validated ASFF, nothing else.
FAST_OPERATIONS = frozenset({"BatchImportFindings"})


class ValidatedJsonBodies:
    """A botocore serializer that writes the body of FAST_OPERATIONS with orjson (same JSON, compact)."""

    def __init__(self, inner: Any):
        self._inner = inner

    def serialize_to_request(self, parameters: dict[str, Any], operation_model: Any) -> dict[str, Any]:
        if operation_model.name not in FAST_OPERATIONS:
            return self._inner.serialize_to_request(parameters, operation_model)
        try:
            body = orjson.dumps(parameters)
        except TypeError:  # something only botocore's walk would convert (or refuse): let it decide
            return self._inner.serialize_to_request(parameters, operation_model)
        request = self._inner.serialize_to_request({name: [] if isinstance(value, list) else value
                                                    for name, value in parameters.items()}, operation_model)
        request["body"] = body
        return request


def install(client: Any) -> Any:
    """Give a Security Hub client the fast bodies (only for callers that validate every finding first)."""
    client._serializer = ValidatedJsonBodies(client._serializer)
    return client
