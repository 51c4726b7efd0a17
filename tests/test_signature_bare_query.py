"""A signed URL that ends in a bare ``?`` after a percent-escaped path (issue 23 §9).

Twilio signs the webhook URL as configured. ``https://h/twilio/m%65ssages?`` reaches a WSGI
server as ``PATH_INFO`` ``/twilio/messages`` (decoded), an empty ``QUERY_STRING`` and
``RAW_URI`` ``/twilio/m%65ssages?``; an ASGI server gives ``raw_path``
``/twilio/m%65ssages`` and an empty ``query_string``, and no way to see the ``?`` at all.
The two official signers read such a URL differently: twilio-node's ``validateRequest``
serialises it with WHATWG ``new URL()``, which keeps the escape and the bare ``?``;
twilio-python's ``RequestValidator.validate`` rebuilds it with ``urlparse().geturl()``,
which drops the ``?``. twhooks accepts both, through a real gunicorn and Hypercorn too, and
still refuses a wrong signature. Requests are signed with the official SDK's
``compute_signature`` (the plain HMAC over the exact string, which is what twilio-node signs
for these URLs).
"""

from __future__ import annotations

import http.client
import io
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, unquote_to_bytes, urlencode

import pytest
from _hypercorn import HypercornServer
from _servers import Gunicorn
from _signing import TOKEN, official_signature
from hypothesis import given, settings
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict

from twhooks import InvalidSignature, SignatureVerifier
from twhooks.asgi import TwilioSignatureMiddleware as AsgiMiddleware
from twhooks.asgi import webhook_request as asgi_webhook_request
from twhooks.request import verify_request
from twhooks.wsgi import verify_environ

PARAMS = [("AccountSid", "AC1"), ("From", "+14155550100"), ("Body", "hi")]
BODY = urlencode(PARAMS).encode()
FORM = "application/x-www-form-urlencoded"


def wsgi_environ(
    raw_target: str | None,
    signature: str,
    *,
    script_name: str = "",
    host: str = "hooks.example.com",
    raw_key: str = "RAW_URI",
) -> dict[str, Any]:
    """The environ a WSGI server (gunicorn) builds for a POST of PARAMS to *raw_target*."""
    path, _, query = (raw_target or "/twilio/m%65ssages").partition("?")
    decoded = unquote_to_bytes(path).decode("latin-1")  # PEP 3333: bytes as latin-1
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "POST",
        "SCRIPT_NAME": script_name,
        "PATH_INFO": decoded[len(script_name) :],
        "QUERY_STRING": query,
        "SERVER_NAME": host,
        "SERVER_PORT": "443",
        "wsgi.url_scheme": "https",
        "wsgi.input": io.BytesIO(BODY),
        "CONTENT_LENGTH": str(len(BODY)),
        "CONTENT_TYPE": FORM,
        "HTTP_HOST": host,
        "HTTP_X_TWILIO_SIGNATURE": signature,
    }
    if raw_target is not None:
        environ[raw_key] = raw_target
    return environ


def asgi_scope(raw_target: str, signature: str, *, root_path: str = "") -> dict[str, Any]:
    """The scope an ASGI server (Hypercorn, uvicorn) builds: ``raw_path`` stops at ``?``."""
    path, _, query = raw_target.partition("?")
    return {
        "type": "http",
        "method": "POST",
        "scheme": "https",
        "server": ("internal", 8000),
        "root_path": root_path,
        "path": unquote(path),
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "headers": [
            (b"host", b"hooks.example.com"),
            (b"content-type", FORM.encode()),
            (b"x-twilio-signature", signature.encode()),
        ],
    }


# -- what the official signers do with such a URL ----------------------------------------


def test_the_python_sdk_validates_a_bare_question_mark_as_if_it_were_not_there() -> None:
    # urlparse("https://h/x?").geturl() is "https://h/x": twilio-python checks the URL
    # without the "?" (and with :443), never the URL as given.
    url = "https://hooks.example.com/twilio/m%65ssages?"
    validator = RequestValidator(TOKEN)
    with_mark = official_signature(url, PARAMS)
    without_mark = official_signature(url[:-1], PARAMS)
    assert not validator.validate(url, MultiDict(PARAMS), with_mark)
    assert validator.validate(url, MultiDict(PARAMS), without_mark)
    # twhooks accepts both readings of the URL: twilio-node's (the "?" kept) and this one.
    verifier = SignatureVerifier(TOKEN)
    verifier.verify(url, PARAMS, with_mark)
    verifier.verify(url, PARAMS, without_mark)


# -- WSGI ---------------------------------------------------------------------------------


@pytest.mark.parametrize("raw_key", ["RAW_URI", "REQUEST_URI"])
@pytest.mark.parametrize(
    ("target", "script_name", "public_url", "signed"),
    [
        pytest.param(
            "/twilio/m%65ssages?",
            "",
            None,
            "https://hooks.example.com/twilio/m%65ssages?",
            id="escaped-path",
        ),
        pytest.param(
            "/app/twilio/caf%c3%a9?",
            "/app",
            None,
            "https://hooks.example.com/app/twilio/caf%c3%a9?",
            id="mounted-utf8",
        ),
        pytest.param(
            "/twilio/sms%2Dhook?",
            "",
            "https://public.example.com/base",
            "https://public.example.com/base/twilio/sms%2Dhook?",
            id="public-url",
        ),
    ],
)
def test_wsgi_escaped_path_with_a_bare_question_mark(
    target: str, script_name: str, public_url: str | None, signed: str, raw_key: str
) -> None:
    verifier = SignatureVerifier(TOKEN)
    environ = wsgi_environ(
        target, official_signature(signed, PARAMS), script_name=script_name, raw_key=raw_key
    )
    assert environ["QUERY_STRING"] == ""
    verified = verify_environ(verifier, environ, public_url=public_url)
    assert verified.url == signed
    assert verified.params == PARAMS

    forged = wsgi_environ(
        target, official_signature(signed, PARAMS, token="other"), script_name=script_name
    )
    with pytest.raises(InvalidSignature) as info:
        verify_environ(verifier, forged, public_url=public_url)
    assert signed in info.value.tried


def test_wsgi_without_a_raw_target_tries_the_bare_question_mark() -> None:
    # A server that keeps no RAW_URI/REQUEST_URI (or werkzeug's request.url) hides the "?".
    signed = "https://hooks.example.com/twilio/messages?"
    environ = wsgi_environ(None, official_signature(signed, PARAMS))
    assert verify_environ(SignatureVerifier(TOKEN), environ).url == signed.removesuffix("?")


# -- ASGI ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "root_path", "signed"),
    [
        pytest.param(
            "/twilio/m%65ssages?",
            "",
            "https://hooks.example.com/twilio/m%65ssages?",
            id="escaped-path",
        ),
        pytest.param(
            "/twilio/messages?", "", "https://hooks.example.com/twilio/messages?", id="plain-path"
        ),
        pytest.param(
            "/app/twilio/caf%C3%A9?",
            "/app",
            "https://hooks.example.com/app/twilio/caf%C3%A9?",
            id="mounted",
        ),
    ],
)
def test_asgi_escaped_path_with_a_bare_question_mark(
    target: str, root_path: str, signed: str
) -> None:
    # raw_path never holds the query: the "?" cannot be seen, so it is tried.
    verifier = SignatureVerifier(TOKEN)
    scope = asgi_scope(target, official_signature(signed, PARAMS), root_path=root_path)
    verified = verify_request(verifier, asgi_webhook_request(scope, BODY))
    assert verified.url == signed.removesuffix("?")  # the URL as the server showed it

    scope = asgi_scope(target, official_signature(signed, PARAMS, token="other"))
    with pytest.raises(InvalidSignature):
        verify_request(verifier, asgi_webhook_request(scope, BODY))


# -- random paths with escapes, signed by the official SDK --------------------------------

# Characters of a path as configured in the Twilio console, and escapes of any byte.
plain_chars = st.sampled_from(list("abcXYZ019-._~!$&'()*+,;=:@/"))
escapes = st.integers(0, 255).map(lambda b: f"%{b:02X}" if b % 2 else f"%{b:02x}")
path_pieces = st.one_of(plain_chars, escapes, st.sampled_from(["%65", "%2D", "%2F", "%20"]))
escaped_paths = st.lists(path_pieces, min_size=1, max_size=12).map(lambda p: "/" + "".join(p))


@settings(max_examples=300, deadline=None)
@given(path=escaped_paths, bare=st.booleans(), tamper=st.integers(0, 26))
def test_oracle_signed_escaped_paths_verify_through_wsgi_and_asgi(
    path: str, bare: bool, tamper: int
) -> None:
    target = path + ("?" if bare else "")
    signed = "https://hooks.example.com" + target
    signature = official_signature(signed, PARAMS)
    verifier = SignatureVerifier(TOKEN)

    assert verify_environ(verifier, wsgi_environ(target, signature)).url == signed
    asgi = verify_request(verifier, asgi_webhook_request(asgi_scope(target, signature), BODY))
    assert asgi.url == signed.removesuffix("?")

    # One character of the signature changed: refused by both.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    index = tamper % (len(signature) - 1)
    replacement = alphabet[tamper % 26]
    if replacement == signature[index]:
        replacement = alphabet[(tamper + 1) % 26]
    forged = signature[:index] + replacement + signature[index + 1 :]
    with pytest.raises(InvalidSignature):
        verify_environ(verifier, wsgi_environ(target, forged))
    with pytest.raises(InvalidSignature):
        verify_request(verifier, asgi_webhook_request(asgi_scope(target, forged), BODY))


@settings(max_examples=200, deadline=None)
@given(path=escaped_paths, other=escaped_paths)
def test_a_signature_for_another_path_is_refused(path: str, other: str) -> None:
    # Signed for *other* (with its bare "?"), sent to *path*: refused unless the two decode
    # to the same path -- the same route to the app.
    if unquote(path) == unquote(other):
        return
    signature = official_signature("https://hooks.example.com" + other + "?", PARAMS)
    environ = wsgi_environ(path + "?", signature)
    verifier = SignatureVerifier(TOKEN)
    with pytest.raises(InvalidSignature):
        verify_environ(verifier, environ)
    with pytest.raises(InvalidSignature):
        verify_request(verifier, asgi_webhook_request(asgi_scope(path + "?", signature), BODY))


# -- through real servers -----------------------------------------------------------------


def raw_post(port: int, target: str, signature: str) -> tuple[int, bytes]:
    """POST PARAMS to *target* exactly as written (``requests`` would decode ``%65`` and drop
    a bare ``?``)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(
            "POST",
            target,
            body=BODY,
            headers={"Content-Type": FORM, "X-Twilio-Signature": signature},
        )
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Gunicorn]]:
    log_dir: Path = tmp_path_factory.mktemp("logs")
    env = {"TEST_TWILIO_AUTH_TOKEN": TOKEN}
    started = {
        name: Gunicorn(name, 2, env, log_dir / f"{name}.log")
        for name in ("hooks_app", "middleware_app")
    }
    yield started
    for server in started.values():
        server.stop()


@pytest.mark.parametrize(
    ("app", "target"),
    [
        ("hooks_app", "/twilio/m%65ssages?"),
        ("hooks_app", "/twilio/%6Dessages?"),
        ("middleware_app", "/twilio/%73ms?"),
        ("middleware_app", "/twilio/s%6ds?"),
    ],
)
def test_gunicorn_accepts_an_escaped_path_with_a_bare_question_mark(
    gunicorn: dict[str, Gunicorn], app: str, target: str
) -> None:
    server = gunicorn[app]
    signed = server.url + target
    status, body = raw_post(server.port, target, official_signature(signed, PARAMS))
    assert status == 200, server.output()[-2000:]
    assert body.startswith(b"<?xml" if app == "hooks_app" else b"form: ")

    status, _ = raw_post(server.port, target, official_signature(signed, PARAMS, token="x"))
    assert status == 403
    # Signed for another path (a literal "%65" in it): refused too.
    other = server.url + target.replace("?", "").replace("%", "%25") + "?"
    status, _ = raw_post(server.port, target, official_signature(other, PARAMS))
    assert status == 403


class EchoApp:
    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        while (await receive()).get("more_body"):
            pass
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


@pytest.fixture
def hypercorn() -> Iterator[HypercornServer]:
    server = HypercornServer(AsgiMiddleware(EchoApp(), TOKEN, protect=["/twilio"]))
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.parametrize("target", ["/twilio/m%65ssages?", "/twilio/messages?"])
def test_hypercorn_accepts_an_escaped_path_with_a_bare_question_mark(
    hypercorn: HypercornServer, target: str, caplog: pytest.LogCaptureFixture
) -> None:
    signed = hypercorn.url + target
    assert raw_post(hypercorn.port, target, official_signature(signed, PARAMS)) == (200, b"ok")
    with caplog.at_level(logging.WARNING, "twhooks.middleware"):
        status, _ = raw_post(hypercorn.port, target, official_signature(signed, PARAMS, token="x"))
    assert status == 403
    assert "Rejected Twilio webhook POST" in caplog.text
