"""HTTP basic authentication against one password, any user name: the inspector's and the
``/metrics`` route's (Prometheus' ``basic_auth``). Standard library only; no web framework.
"""

from __future__ import annotations

import base64
import binascii
import hmac

__all__ = ["password_matches"]


def password_matches(authorization: str | None, password: str) -> bool:
    """Whether the ``Authorization`` header *authorization* carries *password* (HTTP basic,
    any user name), compared in constant time."""
    if not authorization:
        return False
    scheme, _, encoded = authorization.partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    _, sep, given = decoded.partition(b":")
    return bool(sep) and hmac.compare_digest(given, password.encode("utf-8"))
