"""CSRF tokens for the console: signed with a per-server secret, checked in constant time.

The hub has no login, so the token is not bound to a session; what it proves is that
the form came from a page this server rendered, which a cross-site page cannot read
(the Host guard stops DNS rebinding, and the pages may not be framed).
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable

TOKEN_LIFETIME_SECONDS = 12 * 3600


class CsrfTokens:
    def __init__(self, secret: bytes | None = None, clock: Callable[[], float] = time.time):
        self._secret = secret or secrets.token_bytes(32)
        self._clock = clock

    def issue(self) -> str:
        issued = str(int(self._clock()))
        return f"{issued}.{self._sign(issued)}"

    def valid(self, token: str | None) -> bool:
        if not token or token.count(".") != 1:
            return False
        issued, signature = token.split(".")
        if not hmac.compare_digest(signature.encode(), self._sign(issued).encode()):
            return False
        try:
            age = self._clock() - int(issued)
        except ValueError:
            return False
        return 0 <= age <= TOKEN_LIFETIME_SECONDS

    def _sign(self, issued: str) -> str:
        return hmac.new(self._secret, f"secpipe-console:{issued}".encode(), hashlib.sha256).hexdigest()
