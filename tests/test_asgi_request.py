"""twhooks.asgi.webhook_request builds the request from the scope's parts
(WebhookRequest.build): the same request the WSGI path builds from the environ the scope maps
to, which is how 0.2 built it."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from twhooks.asgi import request_url, scope_environ, scope_headers, webhook_request
from twhooks.exceptions import RequestTooLarge
from twhooks.request import WebhookRequest
from twhooks.wsgi import request_url as wsgi_request_url
from twhooks.wsgi import webhook_request as wsgi_webhook_request

#: Needs the runtime dependencies only: CI runs it after ``pip install twhooks`` too.
pytestmark = pytest.mark.core

FORM = (b"content-type", b"application/x-www-form-urlencoded")
BASIC = (b"authorization", b"Basic " + base64.b64encode(b"user:p@ss w/rd"))


def scope(
    path: str = "/twilio/sms",
    *,
    root_path: str = "",
    raw_path: bytes | None = None,
    query: bytes = b"",
    headers: list[tuple[bytes, bytes]] | None = None,
    method: str = "POST",
    scheme: str = "https",
    server: tuple[str, int | None] | None = ("internal", 8443),
) -> dict[str, Any]:
    return {
        "type": "http",
        "method": method,
        "scheme": scheme,
        "server": server,
        "root_path": root_path,
        "path": root_path + path,
        "raw_path": raw_path,
        "query_string": query,
        "headers": [(b"host", b"hooks.example.com"), FORM] if headers is None else headers,
    }


def fields(request: WebhookRequest) -> dict[str, Any]:
    return {
        "method": request.method,
        "url": request.url,
        "path": request.path,
        "query": request.query,
        "body": request.body,
        "mimetype": request.mimetype,
        "form": request.form,
        "params": request.params,
        "other_urls": request.other_urls,
        "secrets": request.secrets,
        "unhandled_proxy": request.unhandled_proxy,
        "signature": request.signature,
        "token": request.idempotency_token,
        "settings": request.headers.get("X-Twilio-Webhooks-Signature-Settings"),
    }


def assert_as_through_the_environ(
    s: dict[str, Any], body: bytes, public_url: str | None = None, read: bool = True
) -> None:
    built = webhook_request(s, body, public_url=public_url, read=read)
    via_environ = wsgi_webhook_request(scope_environ(s, body), public_url=public_url, read=read)
    assert fields(built) == fields(via_environ)
    assert request_url(s, public_url) == wsgi_request_url(scope_environ(s), public_url)


CASES = {
    "plain": (scope(), b"Body=hi&From=%2B1"),
    "mounted": (scope(root_path="/app", raw_path=b"/app/twilio/sms"), b"Body=hi"),
    "raw-path-differs": (scope("/twilio/a b", raw_path=b"/twilio/a%20b"), b"Body=x"),
    "encoded-slash": (scope("/twilio/a/b", raw_path=b"/twilio/a%2Fb", query=b"x=1"), b""),
    "non-ascii": (scope("/twilio/café", raw_path="/twilio/café".encode()), b"Body=%C3%BC"),
    "undecodable": (scope("/twilio/\udcff", raw_path=b"/twilio/%FF"), b"Body=hi"),
    "query": (scope(query=b"a=%27b%27&c"), b"Body=hi"),
    "get": (scope(method="GET", query=b"Body=hi&From=%2B1"), b""),
    "no-host": (scope(headers=[FORM]), b"Body=hi"),
    "default-port": (scope(headers=[FORM], server=("h.example.com", 443)), b"Body=hi"),
    "websocket-scheme": (scope(scheme="wss", headers=[FORM]), b""),
    "basic-auth": (scope(headers=[(b"host", b"h.example.com"), FORM, BASIC]), b"Body=hi"),
    "forwarded": (
        scope(headers=[(b"host", b"h"), FORM, (b"x-forwarded-proto", b"https")]),
        b"Body=hi",
    ),
    "signed": (
        scope(
            headers=[
                (b"host", b"h"),
                FORM,
                (b"x-twilio-signature", b"abc="),
                (b"i-twilio-idempotency-token", b"tok"),
                (b"x-twilio-webhooks-signature-settings", b"v=1"),
            ]
        ),
        b"Body=hi",
    ),
    "json": (
        scope(query=b"bodySHA256=x", headers=[(b"content-type", b"application/json")]),
        b'{"a": 1}',
    ),
    "charset": (
        scope(headers=[(b"content-type", b"application/x-www-form-urlencoded; charset=latin-1")]),
        b"Body=%FC",
    ),
}


@pytest.mark.parametrize("public_url", [None, "https://hooks.example.com/base/"])
@pytest.mark.parametrize(("s", "body"), list(CASES.values()), ids=list(CASES))
def test_the_request_is_the_one_the_environ_gave(
    s: dict[str, Any], body: bytes, public_url: str | None
) -> None:
    assert_as_through_the_environ(s, body, public_url)
    assert_as_through_the_environ(s, body, public_url, read=False)


@settings(max_examples=300, deadline=None)
@given(
    path=st.text(min_size=0, max_size=20).map(lambda p: "/" + p),
    root=st.sampled_from(["", "/app", "/a b"]),
    raw=st.one_of(st.none(), st.binary(max_size=20).map(lambda b: b"/" + b)),
    query=st.binary(max_size=20),
    host=st.one_of(st.none(), st.text(alphabet="abc.:1", max_size=8)),
    public_url=st.sampled_from([None, "https://x.example.com", "https://x.example.com/p/"]),
    method=st.sampled_from(["GET", "POST", "post"]),
)
def test_any_scope_gives_the_same_request(
    path: str,
    root: str,
    raw: bytes | None,
    query: bytes,
    host: str | None,
    public_url: str | None,
    method: str,
) -> None:
    headers = [FORM, BASIC] if host is None else [(b"host", host.encode()), FORM]
    s = scope(path, root_path=root, raw_path=raw, query=query, headers=headers, method=method)
    try:
        built = fields(webhook_request(s, b"Body=hi", public_url=public_url))
    except RequestTooLarge:
        with pytest.raises(RequestTooLarge):
            wsgi_webhook_request(scope_environ(s, b"Body=hi"), public_url=public_url)
        return
    via = fields(wsgi_webhook_request(scope_environ(s, b"Body=hi"), public_url=public_url))
    assert built == via


def test_a_body_over_the_limit_is_refused_like_the_environ_did() -> None:
    with pytest.raises(RequestTooLarge, match="body of 8 bytes is over the 4-byte limit"):
        webhook_request(scope(), b"Body=abc", max_body_size=4)
    assert webhook_request(scope(), b"Body=abc", max_body_size=4, read=False).body == b""


def test_headers_by_any_case_repeated_ones_joined() -> None:
    headers = scope_headers(
        scope(headers=[(b"x-a", b"1"), (b"X-A", b"2"), (b"content-type", b"a"), FORM]), b"xy"
    )
    assert headers["X-a"] == "1,2"
    assert headers.get("CONTENT-TYPE") == "application/x-www-form-urlencoded"
    assert headers["content-length"] == "2"
    assert "x-A" in headers and "x-b" not in headers
