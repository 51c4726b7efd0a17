"""Who may read the inspector (HTTP basic, any user name) and the CSRF token of its forms.

The CSRF token is a double-submit cookie: a random value in a ``SameSite=Strict``, HttpOnly
cookie scoped to the inspector's path, repeated in every form. Another site can make the
browser send the cookie with a POST (it cannot, with ``SameSite=Strict``, but older browsers
might) yet cannot read it to put it in the form. No server-side secret is needed, so it works
across workers and hosts without ``SECRET_KEY``.
"""

from __future__ import annotations

import hmac
import secrets

from ..basic_auth import password_matches as password_matches

__all__ = ["CSRF_COOKIE", "CSRF_FIELD", "new_csrf_token", "password_matches", "same_token"]

#: The cookie that holds the CSRF token.
CSRF_COOKIE = "twhooks_inspector_csrf"
#: The form field that repeats it.
CSRF_FIELD = "csrf_token"


def new_csrf_token() -> str:
    """A fresh random CSRF token."""
    return secrets.token_urlsafe(32)


def same_token(cookie: str | None, form: str | None) -> bool:
    """Whether the form's token is the cookie's (constant time)."""
    if not cookie or not form:
        return False
    return hmac.compare_digest(cookie.encode("utf-8"), form.encode("utf-8"))
