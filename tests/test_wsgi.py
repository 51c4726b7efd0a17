"""twhooks.wsgi: the request URL, the body and verification from a WSGI environ."""

from __future__ import annotations

import hashlib
import io
import json
from base64 import b64encode
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from twhooks import (
    BodyHashMismatch,
    InvalidSignature,
    MissingSignature,
    RequestError,
    RequestTooLarge,
    SignatureVerifier,
    compute_signature,
)
from twhooks.wsgi import (
    ENVIRON_KEY,
    PATH_SAFE,
    VerifiedRequest,
    quote_path,
    read_body,
    request_url,
    verified_request,
    verify_environ,
    wsgi_decode,
)

#: Needs the runtime dependencies only: CI runs it after ``pip install twhooks`` too.
pytestmark = pytest.mark.core

TOKEN = "wsgi-test-token"
SMS = [
    ("AccountSid", "AC123"),
    ("Body", "Hi & bye = 100% +1"),
    ("From", "+14155550100"),
    ("OptOutType", ""),
    ("MediaUrl0", "https://api.twilio.com/x"),
]


def environ(
    path: str = "/sms",
    *,
    query: str = "",
    method: str = "POST",
    base_url: str = "http://localhost",
    body: bytes | None = None,
    content_type: str | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A WSGI environ as werkzeug's test tools build it."""
    builder = EnvironBuilder(
        path=path,
        base_url=base_url,
        method=method,
        data=body,
        content_type=content_type,
        headers=headers,
    )
    env = builder.get_environ()
    env["QUERY_STRING"] = query
    return env


class TestRequestUrl:
    @pytest.mark.parametrize(
        ("kwargs", "expected"),
        [
            pytest.param({}, "http://localhost/sms", id="plain"),
            pytest.param(
                {"query": "a=1&b=%27x%27"}, "http://localhost/sms?a=1&b=%27x%27", id="raw-query"
            ),
            pytest.param(
                {"query": "n=O'Brien&e=a%40b"},
                "http://localhost/sms?n=O'Brien&e=a%40b",
                id="query-untouched",
            ),
            pytest.param(
                {"base_url": "https://example.com:8443"}, "https://example.com:8443/sms", id="port"
            ),
            pytest.param(
                {"base_url": "https://example.com/app"},
                "https://example.com/app/sms",
                id="script-name",
            ),
            pytest.param(
                {"path": "/caf\u00e9 x"}, "http://localhost/caf%C3%A9%20x", id="path-requoted"
            ),
            pytest.param(
                {"path": "/a:b@c;d=e,f"}, "http://localhost/a:b@c;d=e,f", id="path-safe-chars"
            ),
            pytest.param({"path": "/100%"}, "http://localhost/100%25", id="decoded-percent"),
        ],
    )
    def test_from_environ(self, kwargs: dict[str, str], expected: str) -> None:
        assert request_url(environ(**kwargs)) == expected

    def test_matches_werkzeug_for_an_ordinary_request(self) -> None:
        env = environ("/twilio/sms", query="x=1&y=two", base_url="https://example.com:8443/app")
        assert request_url(env) == Request(env).url

    def test_servers_that_decode_path_info_already(self) -> None:
        env = environ()
        env["PATH_INFO"] = "/caf\u00e9/\u2603"  # not latin-1: already text
        assert request_url(env) == "http://localhost/caf%C3%A9/%E2%98%83"
        env["PATH_INFO"] = "/bad\udcff"  # a surrogateescape'd byte
        assert request_url(env) == "http://localhost/bad%3F"

    def test_without_host_header(self) -> None:
        env = environ(base_url="https://example.com:8443")
        del env["HTTP_HOST"]
        env.update(SERVER_NAME="internal", SERVER_PORT="8443")
        assert request_url(env) == "https://internal:8443/sms"
        env["SERVER_PORT"] = "443"
        assert request_url(env) == "https://internal/sms"

    @pytest.mark.parametrize(
        ("public_url", "expected"),
        [
            pytest.param("https://example.com", "https://example.com/sms?a=%27", id="host"),
            pytest.param("https://example.com/", "https://example.com/sms?a=%27", id="slash"),
            pytest.param(
                "https://example.com:8443/base",
                "https://example.com:8443/base/sms?a=%27",
                id="prefix",
            ),
        ],
    )
    def test_public_url_replaces_scheme_host_and_prefix(
        self, public_url: str, expected: str
    ) -> None:
        env = environ(query="a=%27", base_url="http://10.0.0.7:8000/internal")
        assert request_url(env, public_url) == expected


class CountingStream(io.BytesIO):
    """A wsgi.input that remembers how many bytes were read from it."""

    bytes_read = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.bytes_read += len(data)
        return data


class TestReadBody:
    def test_reads_and_leaves_the_body_readable(self) -> None:
        env = environ(body=b"a=1&b=2", content_type="application/x-www-form-urlencoded")
        assert read_body(env, 100) == b"a=1&b=2"
        assert Request(env).form.to_dict() == {"a": "1", "b": "2"}
        assert env["CONTENT_LENGTH"] == "7"

    def test_over_the_limit_is_refused_before_reading(self) -> None:
        stream = CountingStream(b"x" * 5000)
        env = {"wsgi.input": stream, "CONTENT_LENGTH": "5000"}
        with pytest.raises(RequestTooLarge, match="5000 bytes is over the 1000-byte limit") as info:
            read_body(env, 1000)
        assert stream.bytes_read == 0
        assert (info.value.status_code, info.value.limit, info.value.length) == (413, 1000, 5000)

    def test_chunked_body_over_the_limit_stops_at_limit_plus_one(self) -> None:
        stream = CountingStream(b"x" * 5000)
        env = {"wsgi.input": stream, "wsgi.input_terminated": True}
        with pytest.raises(RequestTooLarge, match="chunked body"):
            read_body(env, 1000)
        assert stream.bytes_read == 1001

    def test_chunked_body_within_the_limit(self) -> None:
        env = {"wsgi.input": io.BytesIO(b"abc"), "wsgi.input_terminated": True}
        assert read_body(env, 1000) == b"abc"
        assert env["CONTENT_LENGTH"] == "3"
        assert env["wsgi.input"].read() == b"abc"

    def test_no_length_means_no_body(self) -> None:
        stream = CountingStream(b"never read")
        env: dict[str, Any] = {"wsgi.input": stream}
        assert read_body(env, 1000) == b""
        assert stream.bytes_read == 0

    def test_absurd_length_is_too_large(self) -> None:
        with pytest.raises(RequestTooLarge):
            read_body({"wsgi.input": io.BytesIO(b"x"), "CONTENT_LENGTH": "9" * 5000}, 1000)

    def test_client_hanging_up_mid_body(self) -> None:
        class HangUp(io.RawIOBase):
            def read(self, size: int = -1) -> bytes:
                raise ConnectionResetError("peer went away")

        with pytest.raises(RequestError, match="body could not be read: ConnectionResetError"):
            read_body({"wsgi.input": HangUp(), "CONTENT_LENGTH": "10"}, 1000)

    def test_no_input_stream(self) -> None:
        with pytest.raises(RequestError, match="body ended after 0 of 10 bytes"):
            read_body({"CONTENT_LENGTH": "10"}, 1000)

    @pytest.mark.parametrize("length", ["abc", "-1", "1e3", "12 34", "\u00b2", "\u0663"])
    def test_invalid_length(self, length: str) -> None:
        with pytest.raises(RequestError, match="invalid Content-Length") as info:
            read_body({"wsgi.input": io.BytesIO(b"x"), "CONTENT_LENGTH": length}, 1000)
        assert info.value.status_code == 400

    def test_body_shorter_than_its_length(self) -> None:
        env = {"wsgi.input": io.BytesIO(b"abc"), "CONTENT_LENGTH": "10"}
        with pytest.raises(RequestError, match="body ended after 3 of 10 bytes"):
            read_body(env, 1000)

    def test_large_body_read_in_chunks(self) -> None:
        data = bytes(range(256)) * 1000
        env = {"wsgi.input": io.BufferedReader(io.BytesIO(data)), "CONTENT_LENGTH": str(len(data))}
        assert read_body(env, 1 << 20) == data


def signed_form_environ(
    url_path: str = "/sms", query: str = "", params: list[tuple[str, str]] = SMS, **kwargs: Any
) -> dict[str, Any]:
    url = "http://localhost" + url_path + ("?" + query if query else "")
    signature = compute_signature(TOKEN, url, params)
    return environ(
        url_path,
        query=query,
        body=urlencode(params).encode(),
        content_type=kwargs.pop("content_type", "application/x-www-form-urlencoded; charset=UTF-8"),
        headers={"X-Twilio-Signature": signature, **kwargs.pop("headers", {})},
        **kwargs,
    )


class TestVerifyEnviron:
    verifier = SignatureVerifier(TOKEN)

    def test_form_post(self) -> None:
        env = signed_form_environ(query="attempt=%27two%27")
        result = verify_environ(self.verifier, env)
        assert result == VerifiedRequest(
            "http://localhost/sms?attempt=%27two%27", SMS, urlencode(SMS).encode()
        )
        assert env[ENVIRON_KEY] is result
        assert verified_request(env) is result
        assert Request(env).form["Body"] == "Hi & bye = 100% +1"

    def test_get_signs_the_url_only_and_its_params_are_the_query(self) -> None:
        query = urlencode(SMS)
        signature = compute_signature(TOKEN, "http://localhost/voice?" + query)
        env = environ(
            "/voice", method="GET", query=query, headers={"X-Twilio-Signature": signature}
        )
        assert verify_environ(self.verifier, env).params == SMS

    def test_json_body(self) -> None:
        body = json.dumps({"type": "com.twilio.messaging.message.delivered"}).encode()
        query = "bodySHA256=" + hashlib.sha256(body).hexdigest()
        signature = compute_signature(TOKEN, "http://localhost/events?" + query)
        env = environ(
            "/events",
            query=query,
            body=body,
            content_type="application/json",
            headers={"X-Twilio-Signature": signature},
        )
        result = verify_environ(self.verifier, env)
        assert (result.params, result.body) == ([], body)
        env = environ(
            "/events",
            query=query,
            body=body + b" ",
            content_type="application/json",
            headers={"X-Twilio-Signature": signature},
        )
        with pytest.raises(BodyHashMismatch):
            verify_environ(self.verifier, env)

    def test_latin1_form(self) -> None:
        params = [("Body", "café")]
        signature = compute_signature(TOKEN, "http://localhost/sms", params)
        env = environ(
            body=b"Body=caf%E9",
            content_type="application/x-www-form-urlencoded; charset=ISO-8859-1",
            headers={"X-Twilio-Signature": signature},
        )
        assert verify_environ(self.verifier, env).params == params

    def test_missing_signature_does_not_read_the_body(self) -> None:
        env = environ(body=b"a=1", content_type="application/x-www-form-urlencoded")
        stream = env["wsgi.input"] = CountingStream(b"a=1")
        with pytest.raises(MissingSignature):
            verify_environ(self.verifier, env)
        assert stream.bytes_read == 0
        assert ENVIRON_KEY not in env

    def test_forged_request(self) -> None:
        env = signed_form_environ()
        env["wsgi.input"] = io.BytesIO(urlencode([*SMS, ("Extra", "1")]).encode())
        env["CONTENT_LENGTH"] = str(len(env["wsgi.input"].getvalue()))
        with pytest.raises(InvalidSignature) as info:
            verify_environ(self.verifier, env)
        assert info.value.tried == (
            "http://localhost/sms",
            "http://localhost:80/sms",
            "http://localhost/sms?",
            "http://localhost:80/sms?",
        )
        assert verified_request(env) is None

    def test_too_large(self) -> None:
        with pytest.raises(RequestTooLarge):
            verify_environ(self.verifier, signed_form_environ(), max_body_size=10)

    def test_public_url(self) -> None:
        params = [("Body", "hi")]
        signature = compute_signature(TOKEN, "https://hooks.example.com/sms?x=1", params)
        env = environ(
            query="x=1",
            base_url="http://127.0.0.1:5000",
            body=b"Body=hi",
            content_type="application/x-www-form-urlencoded",
            headers={"X-Twilio-Signature": signature},
        )
        with pytest.raises(InvalidSignature):
            verify_environ(self.verifier, env)
        env["wsgi.input"].seek(0)
        result = verify_environ(self.verifier, env, public_url="https://hooks.example.com")
        assert result.url == "https://hooks.example.com/sms?x=1"

    @pytest.mark.parametrize(
        ("base_url", "public_url", "signed"),
        [
            pytest.param(
                "http://localhost", None, "http://localhost/sms%2Dhook/caf%c3%a9?x=%27", id="direct"
            ),
            pytest.param(
                "http://localhost/mnt",
                None,
                "http://localhost/mnt/sms%2Dhook/caf%c3%a9?x=%27",
                id="mounted",
            ),
            pytest.param(
                "http://internal/mnt",
                "https://example.com/pub",
                "https://example.com/pub/sms%2Dhook/caf%c3%a9?x=%27",
                id="public-url",
            ),
        ],
    )
    def test_path_as_sent_on_the_wire(
        self, base_url: str, public_url: str | None, signed: str
    ) -> None:
        # PATH_INFO is decoded ("/sms-hook/café"); rebuilding it gives "%C3%A9" and "-", not
        # what Twilio signed. The raw request target still has the original escapes.
        params = [("Body", "hi")]
        env = environ(
            "/sms%2Dhook/caf%c3%a9",
            query="x=%27",
            base_url=base_url,
            body=b"Body=hi",
            content_type="application/x-www-form-urlencoded",
            headers={"X-Twilio-Signature": compute_signature(TOKEN, signed, params)},
        )
        assert env["PATH_INFO"] == "/sms-hook/caf\xc3\xa9"
        result = verify_environ(self.verifier, env, public_url=public_url)
        assert result.url == signed

        env["HTTP_X_TWILIO_SIGNATURE"] = compute_signature("other", signed, params)
        env["wsgi.input"].seek(0)
        with pytest.raises(InvalidSignature) as info:
            verify_environ(self.verifier, env, public_url=public_url)
        rebuilt = signed.replace("%2D", "-").replace("%c3%a9", "%C3%A9")
        assert info.value.url == rebuilt
        assert info.value.tried[0] == rebuilt
        assert signed in info.value.tried

    def test_basic_auth_credentials_are_part_of_the_signed_url(self) -> None:
        # Twilio signs the URL as configured, "https://user:pass@host/..." included; the
        # credentials reach the app in the Authorization header.
        params = [("Body", "hi")]
        signature = compute_signature(TOKEN, "https://twilio:s3cret@example.com/sms", params)
        credentials = b64encode(b"twilio:s3cret").decode()
        env = environ(
            base_url="https://example.com",
            body=b"Body=hi",
            content_type="application/x-www-form-urlencoded",
            headers={"X-Twilio-Signature": signature, "Authorization": "Basic " + credentials},
        )
        result = verify_environ(self.verifier, env)
        assert result.url == "https://example.com/sms"

        env["HTTP_AUTHORIZATION"] = "Basic " + b64encode(b"twilio:wrong").decode()
        env["wsgi.input"].seek(0)
        with pytest.raises(InvalidSignature) as info:
            verify_environ(self.verifier, env)
        assert "https://twilio:***@example.com/sms" in info.value.tried
        assert "wrong" not in str(info.value)


@settings(max_examples=300, deadline=None)
@given(path=st.text(st.characters(max_codepoint=0xFF), max_size=30))
def test_quote_path_fast_path_changes_nothing(path: str) -> None:
    # PATH_INFO is latin-1 text standing for bytes; the shortcut for plain paths must give
    # what the full decode-then-escape gives.
    assert quote_path(path) == quote(wsgi_decode(path), safe=PATH_SAFE)
