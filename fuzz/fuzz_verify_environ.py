"""Fuzz :func:`twhooks.wsgi.verify_environ` with the official validator as a check.

Requests of every shape (method, host, port, path, query, Content-Type and charset, body,
raw URI, basic-auth credentials), signed with the official ``RequestValidator`` half of the
time. verify_environ may only return or raise a twhooks error; and whenever it accepts a
request, the official validator must accept the same signature for the URL and parameters
twhooks reports (or one of the URL variants twhooks documents, or the UTF-16 sort order).
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import sys
from typing import Any

sys.path.insert(0, os.path.dirname(__file__))
import multidict
from _harness import Data, instrumented, run
from twilio.request_validator import RequestValidator

with instrumented(__name__):
    from twhooks.exceptions import TwhooksError
    from twhooks.signature import SignatureVerifier, compute_signature, signing_string
    from twhooks.urls import query_value, url_variants
    from twhooks.wsgi import form_params, request_url, verify_environ

TOKEN = "fuzz-token"
OFFICIAL = RequestValidator(TOKEN)
VERIFIER = SignatureVerifier(TOKEN)
HOSTS = ["example.com", "example.com:8443", "example.com:443", "[::1]:8080", "[::1]", "h"]
TYPES = ["application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=UTF-8"]
TYPES += ["application/x-www-form-urlencoded; charset=latin-1", "application/json", ""]
TYPES += ["application/x-www-form-urlencoded; charset=utf\x008", "text/plain; charset=cp037"]
TYPES += ["application/x-www-form-urlencoded; charset=cp037"]
PATHS = ["/sms", "/voice/status", "/a%2Fb", "/caf\xc3\xa9", "/ü", "/a b", "/-~!$'()*,;="]
QUERIES = ["", "a=1&b=2", "x=%27", "x='", "a=%7E", "q=1+2", "bodySHA256=", "%zz"]


def environ_from(d: Data) -> tuple[dict[str, Any], str | None]:
    body = d.bytes(200)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": d.pick(["POST", "GET", "POST", "HEAD", "PUT"]),
        "wsgi.url_scheme": d.pick(["https", "http"]),
        "HTTP_HOST": d.pick(HOSTS),
        # Servers give "" or a path from "/" (PEP 3333), decoded as latin-1.
        "PATH_INFO": d.pick(PATHS) if d.bool() else "/" + d.bytes(12).decode("latin-1"),
        "QUERY_STRING": d.pick(QUERIES) if d.bool() else d.bytes(12).decode("latin-1"),
        "CONTENT_TYPE": d.pick(TYPES),
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    if d.byte() % 4 == 0:
        environ["SCRIPT_NAME"] = d.pick(["/app", "/app/", "/ä"])
    if d.byte() % 4 == 0:
        environ["RAW_URI"] = d.bytes(16).decode("latin-1") if d.bool() else "/sms?"
    userinfo = None
    if d.byte() % 8 == 0:
        userinfo = d.pick(["user:pass", "u:p@ss", "ü:x"])
        token = base64.b64encode(userinfo.encode()).decode()
        environ["HTTP_AUTHORIZATION"] = f"Basic {token}"
    if environ["CONTENT_TYPE"] == "application/json" and d.bool():
        query = "bodySHA256=" + hashlib.sha256(body).hexdigest()
        environ["QUERY_STRING"] = query
    return environ, userinfo


def sign(environ: dict[str, Any], userinfo: str | None, d: Data) -> str:
    """A signature for the request: the official validator's, over what twhooks sees."""
    url = request_url(environ)
    if userinfo is not None and d.bool():
        scheme, _, rest = url.partition("://")
        url = f"{scheme}://{userinfo}@{rest}"
    body = environ["wsgi.input"].getvalue()
    try:
        params = [] if environ["REQUEST_METHOD"] in ("GET", "HEAD") else form_params(environ, body)
    except TwhooksError:
        params = []
    if query_value(url, "bodySHA256") is not None:
        params = []
    return str(OFFICIAL.compute_signature(url, multidict.MultiDict(params)))


def official_accepts(url: str, params: Any, signature: str) -> bool:
    """The official validator accepts *signature* for *url*, or, where its URL parsing is
    lossy (a ``#`` or a tab in the query, a port urllib cannot read), its HMAC over *url*
    as it is equals *signature*."""
    try:
        if OFFICIAL.validate(url, params, signature):
            return True
    except ValueError:
        pass
    return bool(OFFICIAL.compute_signature(url, params) == signature)


def fuzz_one(data: bytes) -> None:
    d = Data(data)
    environ, userinfo = environ_from(d)
    signature = sign(environ, userinfo, d) if d.bool() else d.text(30)
    environ["HTTP_X_TWILIO_SIGNATURE"] = signature
    try:
        result = verify_environ(VERIFIER, environ)
    except TwhooksError:
        return
    body_hash = query_value(result.url, "bodySHA256")
    if body_hash is not None:
        assert hashlib.sha256(result.body).hexdigest() == body_hash.lower(), result
        params: multidict.MultiDict[str] = multidict.MultiDict()
    elif environ["REQUEST_METHOD"] in ("GET", "HEAD"):
        params = multidict.MultiDict()  # the query string's parameters are signed in the URL
    else:
        params = multidict.MultiDict(result.params)
    urls = url_variants(result.url)
    if userinfo is not None:
        urls += [u.replace("://", f"://{userinfo}@", 1) for u in urls]
    accepted = any(official_accepts(u, params, signature) for u in urls)
    if not accepted and params:  # signed in UTF-16 order (twilio-node, Java)?
        accepted = any(
            compute_signature(TOKEN, signing_string(u, list(params.items()), utf16_order=True))
            == signature
            for u in urls
        )
    assert accepted, (environ, signature, result)


if __name__ == "__main__":
    run(fuzz_one)
