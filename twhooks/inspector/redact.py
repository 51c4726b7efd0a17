"""Keep secrets out of the inspector's pages: no password in a URL."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

__all__ = ["redact_url"]


def redact_url(url: str) -> str:
    """*url* with the user name and password of its basic-auth userinfo replaced by ``***``.

    Twilio signs the URL without its userinfo, but a URL configured as
    ``https://user:secret@host/…`` keeps it on the way in: it must never reach a page.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return "[unreadable URL]"
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"***@{host}"))
