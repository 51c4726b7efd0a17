"""twhooks.middleware: TwilioSignatureMiddleware in front of a real Flask app."""

from __future__ import annotations

import http.client
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
import requests
from flask import Flask, jsonify, request
from flask.testing import FlaskClient
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.test import Client

from twhooks import ConfigurationError, TwilioSignatureMiddleware, compute_signature
from twhooks.asgi import TwilioSignatureMiddleware as AsgiMiddleware
from twhooks.wsgi import verified_request

#: Needs the runtime dependencies only: CI runs it after ``pip install twhooks`` too.
pytestmark = pytest.mark.core

TOKEN = "middleware-token-0123456789"
SMS = [
    ("AccountSid", "AC123"),
    ("Body", "Hello & welcome = 100% +1 'quoted'"),
    ("From", "+14155550100"),
    ("To", "+14155550111"),
    ("OptOutType", ""),
    ("MediaUrl0", "https://api.twilio.com/x"),
    ("MediaUrl0", "https://api.twilio.com/x"),
]


def make_app() -> tuple[Flask, list[str]]:
    """A Flask app that echoes what it received and records every call."""
    app = Flask(__name__)
    calls: list[str] = []

    @app.route("/twilio/<path:rest>", methods=["GET", "POST"])
    def twilio(rest: str) -> Any:
        calls.append(rest)
        verified = verified_request(request.environ)
        raw = request.get_data(as_text=True)  # first: form parsing would consume the stream
        return jsonify(
            form=[list(item) for item in request.form.items(multi=True)],
            raw=raw,
            verified_url=verified.url if verified else None,
        )

    @app.route("/public", methods=["GET", "POST"])
    def public() -> str:
        calls.append("public")
        return "open"

    @app.route("/twiliofoo", methods=["POST"])
    def twiliofoo() -> str:
        calls.append("twiliofoo")
        return "not protected"

    return app, calls


def protect(app: Flask, **kwargs: Any) -> None:
    app.wsgi_app = TwilioSignatureMiddleware(  # type: ignore[method-assign]
        app.wsgi_app, TOKEN, protect=["/twilio"], **kwargs
    )


@pytest.fixture
def app_calls() -> tuple[Flask, list[str]]:
    app, calls = make_app()
    protect(app, max_body_size=4096)
    return app, calls


@pytest.fixture
def client(app_calls: tuple[Flask, list[str]]) -> FlaskClient:
    return app_calls[0].test_client()


@pytest.fixture
def calls(app_calls: tuple[Flask, list[str]]) -> list[str]:
    return app_calls[1]


def post_signed(
    client: FlaskClient,
    path: str,
    params: list[tuple[str, str]] = SMS,
    *,
    signed_url: str | None = None,
    token: str = TOKEN,
    **kwargs: Any,
) -> Any:
    signature = compute_signature(token, signed_url or "http://localhost" + path, params)
    headers = {"X-Twilio-Signature": signature, **kwargs.pop("headers", {})}
    return client.post(
        path,
        data=urlencode(params),
        content_type="application/x-www-form-urlencoded; charset=UTF-8",
        headers=headers,
        **kwargs,
    )


class TestFlaskTestClient:
    def test_signed_request_reaches_the_app_with_its_body(
        self, client: FlaskClient, calls: list[str]
    ) -> None:
        response = post_signed(client, "/twilio/sms?attempt=%27two%27&e=a%40b")
        assert response.status_code == 200
        assert response.json["form"] == [list(pair) for pair in SMS]
        assert response.json["raw"] == urlencode(SMS)
        assert (
            response.json["verified_url"] == "http://localhost/twilio/sms?attempt=%27two%27&e=a%40b"
        )
        assert calls == ["sms"]

    def test_signed_get(self, client: FlaskClient, calls: list[str]) -> None:
        query = urlencode(SMS)
        signature = compute_signature(TOKEN, "http://localhost/twilio/voice?" + query)
        response = client.get("/twilio/voice?" + query, headers={"X-Twilio-Signature": signature})
        assert response.status_code == 200
        assert calls == ["voice"]

    @pytest.mark.parametrize(
        "headers",
        [
            pytest.param({}, id="unsigned"),
            pytest.param({"X-Twilio-Signature": "RSOYDt4T1cUTdK1PDd93/VVr8B8="}, id="forged"),
            pytest.param(
                {
                    "X-Twilio-Signature": compute_signature(
                        "other", "http://localhost/twilio/sms", SMS
                    )
                },
                id="other-token",
            ),
        ],
    )
    def test_rejected_requests_never_reach_the_app(
        self, client: FlaskClient, calls: list[str], headers: dict[str, str]
    ) -> None:
        response = client.post(
            "/twilio/sms",
            data=urlencode(SMS),
            headers=headers,
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code == 403
        assert response.mimetype == "text/plain"
        assert response.get_data(as_text=True) == (
            "Forbidden: invalid X-Twilio-Signature (see the application log)\n"
        )
        assert calls == []

    def test_tampered_body_is_rejected(self, client: FlaskClient, calls: list[str]) -> None:
        signature = compute_signature(TOKEN, "http://localhost/twilio/sms", SMS)
        tampered = [*SMS[:1], ("Body", "Send me the money"), *SMS[2:]]
        response = client.post(
            "/twilio/sms",
            data=urlencode(tampered),
            content_type="application/x-www-form-urlencoded",
            headers={"X-Twilio-Signature": signature},
        )
        assert response.status_code == 403
        assert calls == []

    def test_unprotected_paths_pass_through(self, client: FlaskClient, calls: list[str]) -> None:
        assert client.post("/public", data={"a": "1"}).get_data() == b"open"
        assert client.post("/twiliofoo", data={"a": "1"}).get_data() == b"not protected"
        assert calls == ["public", "twiliofoo"]

    def test_too_large_is_413_and_the_app_is_not_called(
        self, client: FlaskClient, calls: list[str]
    ) -> None:
        params = [("Body", "x" * 5000)]
        response = post_signed(client, "/twilio/sms", params)
        assert response.status_code == 413
        assert response.mimetype == "text/plain"
        assert calls == []

    def test_bad_content_length_is_400(self, client: FlaskClient, calls: list[str]) -> None:
        response = client.post(
            "/twilio/sms",
            headers={"X-Twilio-Signature": "x"},
            environ_overrides={"CONTENT_LENGTH": "nope"},
        )
        assert response.status_code == 400
        assert calls == []

    def test_warning_line_explains_the_failure_without_the_token(
        self, client: FlaskClient, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.WARNING, logger="twhooks.middleware")
        post_signed(client, "/twilio/sms?x=1", token="wrong-token")
        [record] = caplog.records
        assert record.levelno == logging.WARNING
        message = record.getMessage()
        assert message.startswith("Rejected Twilio webhook POST /twilio/sms: signature matches")
        assert "[invalid_signature]" in message
        assert "URL checked: http://localhost/twilio/sms?x=1;" in message
        assert (
            "tried: http://localhost/twilio/sms?x=1, http://localhost:80/twilio/sms?x=1" in message
        )
        assert TOKEN not in caplog.text and "wrong-token" not in caplog.text

    def test_decoded_newline_in_the_path_cannot_forge_a_log_line(
        self, client: FlaskClient, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.WARNING, logger="twhooks.middleware")
        client.post("/twilio/sms%0AINFO%20all%20good", data={"a": "1"})
        [record] = caplog.records
        assert "\n" not in record.getMessage()
        assert "POST /twilio/sms%0AINFO%20all%20good:" in record.getMessage()

    def test_too_large_is_logged(
        self, client: FlaskClient, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.WARNING, logger="twhooks.middleware")
        post_signed(client, "/twilio/sms", [("Body", "x" * 5000)])
        assert "is over the 4096-byte limit" in caplog.text

    def test_missing_signature_is_logged(
        self, client: FlaskClient, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.WARNING, logger="twhooks.middleware")
        client.post("/twilio/sms", data={"a": "1"})
        assert "no X-Twilio-Signature header [missing_signature]" in caplog.text

    def test_rotation_and_subaccounts(self) -> None:
        app, calls = make_app()
        protect_kwargs: dict[str, Any] = {"token_lookup": {"AC9": "sub-token"}.get}
        app.wsgi_app = TwilioSignatureMiddleware(  # type: ignore[method-assign]
            app.wsgi_app, ["new-token", TOKEN], protect=["/twilio"], **protect_kwargs
        )
        client = app.test_client()
        assert post_signed(client, "/twilio/a").status_code == 200
        assert post_signed(client, "/twilio/b", token="new-token").status_code == 200
        sub = [*SMS[1:], ("AccountSid", "AC9")]
        assert post_signed(client, "/twilio/c", sub, token="sub-token").status_code == 200
        assert post_signed(client, "/twilio/d", sub, token=TOKEN).status_code == 403
        assert calls == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("path", "protected"),
    [
        pytest.param("/twilio", True, id="prefix-itself"),
        pytest.param("/twilio/sms", True, id="below"),
        pytest.param("//twilio//sms", True, id="doubled-slashes"),
        pytest.param("/twiliofoo", False, id="same-start-other-segment"),
        pytest.param("/public", False, id="other"),
        pytest.param("/Twilio/sms", False, id="case-sensitive-like-routes"),
    ],
)
def test_which_paths_are_protected(path: str, protected: bool) -> None:
    # Prefixes match whole path segments, and "//" cannot sneak past them.
    seen: list[str] = []

    def app(environ: Any, start_response: Any) -> list[bytes]:
        seen.append(environ["PATH_INFO"])
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    for protect_arg in ("/twilio/", ["/twilio"]):
        client = Client(TwilioSignatureMiddleware(app, TOKEN, protect=protect_arg))
        # PATH_INFO as the server hands it over (decoded).
        status = client.post("/", environ_overrides={"PATH_INFO": path}).status_code
        assert (status == 403) is protected


def test_prefixes_are_the_apps_own_paths_wherever_it_is_mounted() -> None:
    app, calls = make_app()
    protect(app)
    client = app.test_client()
    # Mounted under /mount: PATH_INFO is /twilio/sms, and the signed URL includes /mount.
    assert client.post("/twilio/sms", base_url="http://localhost/mount").status_code == 403
    response = post_signed(
        client,
        "/twilio/sms",
        signed_url="http://localhost/mount/twilio/sms",
        base_url="http://localhost/mount",
    )
    assert response.status_code == 200
    assert calls == ["sms"]


@pytest.mark.parametrize("token", [None, "", [], [""]])
def test_no_secret_at_all_fails_at_start_up(token: Any) -> None:
    app, _ = make_app()
    with pytest.raises(ConfigurationError, match="needs an auth token"):
        TwilioSignatureMiddleware(app.wsgi_app, token)
    TwilioSignatureMiddleware(app.wsgi_app, token, shared_keys={"k": "secret"})


class TestBehindAProxy:
    """The app sees http://internal:8000; Twilio signed https://hooks.example.com."""

    PUBLIC = "https://hooks.example.com"

    def send(self, client: FlaskClient) -> Any:
        return post_signed(
            client,
            "/twilio/sms?q=%27x%27",
            signed_url=self.PUBLIC + "/twilio/sms?q=%27x%27",
            base_url="http://internal:8000",
            headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "hooks.example.com"},
        )

    def test_without_configuration_it_fails_and_the_log_says_why(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        app, calls = make_app()
        protect(app)
        assert self.send(app.test_client()).status_code == 403
        assert "URL checked: http://internal:8000/twilio/sms?q=%27x%27" in caplog.text
        assert "set the public URL" in caplog.text
        assert "or wrap the app in werkzeug's ProxyFix" in caplog.text
        assert calls == []

    def test_public_url(self) -> None:
        app, calls = make_app()
        protect(app, public_url=self.PUBLIC)
        response = self.send(app.test_client())
        assert response.status_code == 200
        assert response.json["verified_url"] == self.PUBLIC + "/twilio/sms?q=%27x%27"
        assert calls == ["sms"]

    def test_public_url_with_a_trailing_slash(self) -> None:
        app, calls = make_app()
        protect(app, public_url=self.PUBLIC + "/")
        response = self.send(app.test_client())
        assert response.status_code == 200
        assert response.json["verified_url"] == self.PUBLIC + "/twilio/sms?q=%27x%27"
        assert calls == ["sms"]

    def test_proxy_fix_outside_the_middleware(self) -> None:
        app, calls = make_app()
        protect(app)
        app.wsgi_app = ProxyFix(app.wsgi_app, x_proto=1, x_host=1)  # type: ignore[method-assign]
        assert self.send(app.test_client()).status_code == 200
        assert calls == ["sms"]


@pytest.fixture
def live(live_server: Callable[[Any], Any]) -> Iterator[tuple[str, list[str]]]:
    app, calls = make_app()
    protect(app, max_body_size=4096)
    yield live_server(app).url, calls


class TestRealHTTP:
    """The same through a real HTTP server and the requests library."""

    def post(self, url: str, params: list[tuple[str, str]], signature: str) -> requests.Response:
        return requests.post(
            url,
            data=urlencode(params),
            headers={
                "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
                "X-Twilio-Signature": signature,
            },
            timeout=10,
        )

    def test_accepted_with_body_intact(self, live: tuple[str, list[str]]) -> None:
        base, calls = live
        url = base + "/twilio/sms?attempt=%27two%27&x=a%40b"
        response = self.post(url, SMS, compute_signature(TOKEN, url, SMS))
        assert response.status_code == 200, response.text
        assert response.json()["form"] == [list(pair) for pair in SMS]
        assert response.json()["raw"] == urlencode(SMS)
        assert calls == ["sms"]

    def test_path_escapes_as_sent(self, live: tuple[str, list[str]]) -> None:
        # Lowercase and needless escapes in the path survive only in the raw request target.
        # (http.client, because requests and urllib3 normalise escapes before sending.)
        base, calls = live
        path = "/twilio/caf%c3%a9%2Dbar"
        body = urlencode(SMS)
        connection = http.client.HTTPConnection(base.removeprefix("http://"), timeout=10)
        connection.request(
            "POST",
            path,
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Twilio-Signature": compute_signature(TOKEN, base + path, SMS),
            },
        )
        response = connection.getresponse()
        data = json.loads(response.read())
        connection.close()
        assert response.status == 200, data
        assert data["verified_url"] == base + path
        assert data["raw"] == body
        assert calls == ["café-bar"]

    def test_forged_never_reaches_the_app(self, live: tuple[str, list[str]]) -> None:
        base, calls = live
        url = base + "/twilio/sms"
        response = self.post(url, SMS, compute_signature(TOKEN, url + "?other", SMS))
        assert response.status_code == 403
        assert response.headers["Content-Type"].startswith("text/plain")
        assert calls == []

    def test_too_large_gets_413(self, live: tuple[str, list[str]]) -> None:
        base, calls = live
        url = base + "/twilio/sms"
        params = [("Body", "x" * 20000)]
        response = self.post(url, params, compute_signature(TOKEN, url, params))
        assert response.status_code == 413
        assert calls == []

    def test_behind_a_proxy_with_public_url(self, live_server: Callable[[Any], Any]) -> None:
        app, calls = make_app()
        protect(app, public_url="https://hooks.example.com/base")
        base = live_server(app).url
        query = "?q=%27x%27"
        signature = compute_signature(
            TOKEN, "https://hooks.example.com/base/twilio/sms" + query, SMS
        )
        response = self.post(base + "/twilio/sms" + query, SMS, signature)
        assert response.status_code == 200, response.text
        assert (
            response.json()["verified_url"] == "https://hooks.example.com/base/twilio/sms" + query
        )
        # Signed for the internal URL instead: refused, the public URL is what counts.
        signature = compute_signature(TOKEN, base + "/twilio/sms" + query, SMS)
        assert self.post(base + "/twilio/sms" + query, SMS, signature).status_code == 403
        assert calls == ["sms"]

    def test_chunked_too_large_gets_413(self, live: tuple[str, list[str]]) -> None:
        base, calls = live
        url = base + "/twilio/sms"
        params = [("Body", "x" * 20000)]

        def chunks() -> Iterator[bytes]:
            body = urlencode(params).encode()
            for start in range(0, len(body), 1000):
                yield body[start : start + 1000]

        response = requests.post(
            url,
            data=chunks(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Twilio-Signature": compute_signature(TOKEN, url, params),
            },
            timeout=10,
        )
        assert response.status_code == 413
        assert calls == []

    def test_chunked_within_the_limit(self, live: tuple[str, list[str]]) -> None:
        base, calls = live
        url = base + "/twilio/sms"
        body = urlencode(SMS).encode()
        response = requests.post(
            url,
            data=iter([body[:10], body[10:]]),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Twilio-Signature": compute_signature(TOKEN, url, SMS),
            },
            timeout=10,
        )
        assert response.status_code == 200, response.text
        assert response.json()["raw"] == body.decode()
        assert calls == ["sms"]


@pytest.mark.parametrize(
    "middleware", [TwilioSignatureMiddleware, AsgiMiddleware], ids=["wsgi", "asgi"]
)
@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("https://hooks.example.com/base/", "https://hooks.example.com/base"),
        ("https://hooks.example.com", "https://hooks.example.com"),
        ("", None),
        (None, None),
    ],
    ids=["trailing-slash", "plain", "empty", "none"],
)
def test_both_middlewares_take_the_public_url_alike(
    middleware: type[Any], given: str | None, kept: str | None
) -> None:
    assert middleware(lambda *args: None, TOKEN, public_url=given).public_url == kept
