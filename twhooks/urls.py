"""The URLs Twilio may have signed for a request, and how to show them safely.

Twilio is not consistent about the URL it signs: with the default port or without, with
some query characters escaped or not. A request that reached the app as one URL may have
been signed as a few others; :func:`url_variants` lists them, in the order worth trying.
The helpers here parse URLs by hand rather than with :mod:`urllib.parse`, which keeps
``user:pass@`` and IPv6 hosts intact (the official helper library loses them) and never
rebuilds -- and so never alters -- the parts it does not touch.
"""

from __future__ import annotations

__all__ = ["query_value", "redact", "split_authority", "url_variants"]

_DEFAULT_PORTS = {"https": "443", "http": "80"}

_ESCAPES = {"'": "%27", "@": "%40", ":": "%3A", "~": "%7E"}

# The ways a query string may have been written differently from how it reached us, as
# (escape or unescape, which characters). Twilio signs the query as it had it, but:
_QUERY_FORMS = (
    # werkzeug's ``request.url`` decodes these four escapes: a URL taken from it needs them
    # escaped again;
    (True, "'@:~"),
    # ...and a client may have escaped what Twilio signed plain;
    (False, "'@:~"),
    # WHATWG URL serialisation (twilio-node's ``new URL()``) escapes only the apostrophe;
    (True, "'"),
    # Twilio signs SIP addresses in GET query strings unescaped but sends them escaped
    # (twilio-node pull request 621), while an escaped apostrophe next to them stays escaped.
    (False, "@:"),
)


def url_variants(url: str) -> list[str]:
    """Every URL Twilio may have signed for a request that reached us as *url*, in order.

    The first is *url* itself; then the same URL with the default port added or an explicit
    port removed; then, each with and without the port, the query string with ``'``, ``@``,
    ``:`` and ``~`` percent-encoded, with those escapes decoded, with only ``'`` encoded
    (as WHATWG URLs do) and with only ``%40`` and ``%3A`` decoded. A URL without a query
    string is also tried with a bare ``?`` at its end, and one with a bare ``?`` without it.
    Duplicates are dropped.
    """
    variants = [url]
    base, sep, query = url.partition("?")
    forms = [sep + query]
    if query:
        forms.extend(sep + _rewrite_query(query, escape, chars) for escape, chars in _QUERY_FORMS)
    else:
        # No query, or a bare "?": the "?" is tried both ways. Twilio signs it if it is in
        # the configured URL, and twilio-node's validator keeps it (WHATWG URLs do), but
        # twilio-python's drops it (urlunparse() does), and a server cannot always show it:
        # an ASGI raw_path stops before it, and WSGI without RAW_URI or REQUEST_URI (or
        # werkzeug's request.url) loses it.
        forms.append("" if sep else "?")
    for form in forms:
        for b in (base, _toggle_port(base)):
            candidate = b + form
            if candidate not in variants:
                variants.append(candidate)
    return variants


def split_authority(url: str) -> tuple[str, str, str, str, str] | None:
    """``(scheme, userinfo@, host, :port, rest)`` of an absolute URL, ``None`` if not one."""
    scheme, sep, after = url.partition("://")
    if not sep:
        return None
    end = len(after)
    for stop in "/?#":
        i = after.find(stop)
        if i != -1 and i < end:
            end = i
    authority, rest = after[:end], after[end:]
    at = authority.rfind("@")
    userinfo, hostport = authority[: at + 1], authority[at + 1 :]
    if hostport.startswith("["):
        # IPv6 literal: the port, if any, follows the closing bracket.
        close = hostport.find("]")
        if close == -1:
            return None
        host, port = hostport[: close + 1], hostport[close + 1 :]
        if port and not port.startswith(":"):
            return None
    else:
        host, colon, port = hostport.rpartition(":")
        if not colon:
            host, port = hostport, ""
        else:
            port = ":" + port
    return scheme, userinfo, host, port, rest


def _toggle_port(url: str) -> str:
    """*url* without its explicit port, or with the scheme's default port if it had none."""
    parts = split_authority(url)
    if parts is None:
        return url
    scheme, userinfo, host, port, rest = parts
    if port:
        return f"{scheme}://{userinfo}{host}{rest}"
    default = _DEFAULT_PORTS.get(scheme.lower())
    if default is None:
        return url
    return f"{scheme}://{userinfo}{host}:{default}{rest}"


def _rewrite_query(query: str, escape: bool, chars: str) -> str:
    """*query* with *chars* percent-encoded (*escape*) or their escapes decoded."""
    for char in chars:
        encoded = _ESCAPES[char]
        if escape:
            query = query.replace(char, encoded)
        elif "%" in query:
            query = query.replace(encoded, char).replace(encoded.lower(), char)
    return query


def query_value(url: str, name: str) -> str | None:
    """The first raw value of *name* in *url*'s query string, ``None`` if absent."""
    query = url.partition("?")[2].partition("#")[0]
    for part in query.split("&"):
        key, _, value = part.partition("=")
        if key == name:
            return value
    return None


def redact(url: str) -> str:
    """*url* with the password of a ``user:pass@`` authority replaced by ``***``."""
    parts = split_authority(url)
    if parts is None or ":" not in parts[1]:
        return url
    scheme, userinfo, host, port, rest = parts
    user = userinfo.partition(":")[0]
    return f"{scheme}://{user}:***@{host}{port}{rest}"
