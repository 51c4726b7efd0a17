"""A whole webhook request through Flask: twhooks against hand-written views, side by side.

Each iteration sends one signed 20-field inbound SMS through an app's WSGI callable with a
fresh environ (a new body stream and idempotency token each time), and reads the whole
response:

* ``twhooks``: ``TwilioHooks`` with a catch-all ``@hooks.message()`` that returns
  ``f"You said {msg.body}"`` (verify, claim, parse, route, handler, render, history), its
  shared state in memory (``TWHOOKS_STORE = "memory://"``): the request path itself;
* ``twhooks, SQLite store``: the same with the default store, an SQLite file: each request
  also writes its claim, its reply, its conversation's lock and its history entry;
* ``official SDK view``: a Flask view doing the same by hand with the official SDK —
  ``RequestValidator(token).validate(request.url, request.form, signature)`` and a
  ``twilio.twiml.messaging_response.MessagingResponse``;
* ``bare Flask view``: a view that only reads ``request.form["Body"]`` and returns a constant
  (no signature check, no TwiML): the floor a Flask view that looks at the form pays;
* ``constant Flask view``: a view answering a constant without reading the request: Flask's
  own per-request floor (the ``constant`` app of the server benchmark);
* ``flat view``: the least a verifying view does, in one function: it reads the body, parses
  it with :func:`twhooks.forms.parse_form`, verifies it with
  :class:`twhooks.SignatureVerifier` and returns the TwiML reply as a string (no event, no
  routing, no retries, no history);
* ``twhooks, no history`` and ``twhooks, no retry claim``: twhooks with
  ``TWHOOKS_HISTORY = False`` or ``TWHOOKS_DEDUPLICATE = False``, to show what each costs.
* ``twhooks, tracing off``, ``twhooks, tracing (SDK)``, ``twhooks, metrics`` and
  ``twhooks, tracing (SDK) + metrics``: what observability costs (docs/observability.rst). The
  ``twhooks`` row has ``TWHOOKS_TRACING`` at its default: on when ``opentelemetry-api`` is
  installed (as in the dev install), its spans going to the API's no-op provider when the app
  sets none; *tracing off* is what an app without ``opentelemetry-api`` gets; *tracing (SDK)*
  records every span with an SDK ``TracerProvider`` that exports nothing; *metrics* counts in
  a prometheus_client registry of its own (``TWHOOKS_METRICS``).

Figures are the best of several repeats, in µs per request; ratios are other / twhooks.
"""

from __future__ import annotations

import io
import itertools
import os
import tempfile
import timeit
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode
from xml.sax.saxutils import escape

from flask import Flask, request
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse as OfficialMessagingResponse
from werkzeug.test import EnvironBuilder

from twhooks import IncomingMessage, SignatureVerifier, TwilioHooks
from twhooks.forms import parse_form

TOKEN = "bench-auth-token-0123456789abcdef"
PATH = "/twilio/messages"

SMS = {
    "ToCountry": "US",
    "ToState": "CA",
    "SmsMessageSid": "SM0123456789abcdef0123456789abcdef",
    "NumMedia": "0",
    "ToCity": "SAN FRANCISCO",
    "FromZip": "94105",
    "SmsSid": "SM0123456789abcdef0123456789abcdef",
    "FromState": "CA",
    "SmsStatus": "received",
    "FromCity": "SAN FRANCISCO",
    "Body": "What is my balance?",
    "FromCountry": "US",
    "To": "+15005550006",
    "MessagingServiceSid": "MG0123456789abcdef0123456789abcdef",
    "ToZip": "94105",
    "NumSegments": "1",
    "MessageSid": "SM0123456789abcdef0123456789abcdef",
    "AccountSid": "AC0123456789abcdef0123456789abcdef",
    "From": "+14155550100",
    "ApiVersion": "2010-04-01",
}


def twhooks_app(store: str | None = None, **config: Any) -> Flask:
    """The twhooks app; *store* is ``TWHOOKS_STORE`` (``BENCH_STORE`` from the environment
    under gunicorn; ``memory://`` by default here: the request path, not a database)."""
    app = Flask("bench_twhooks")
    app.config["TWILIO_AUTH_TOKEN"] = TOKEN
    app.config["TWHOOKS_STORE"] = store or os.environ.get("BENCH_STORE") or "memory://"
    app.config.update(config)
    hooks = TwilioHooks(app)

    @hooks.message()
    def echo(msg: IncomingMessage) -> str:
        return f"You said {msg.body}"

    return app


def official_app() -> Flask:
    app = Flask("bench_official")

    @app.post(PATH)
    def messages() -> Any:
        validator = RequestValidator(TOKEN)
        signature = request.headers.get("X-Twilio-Signature", "")
        if not validator.validate(request.url, request.form, signature):
            return "forbidden", 403
        reply = OfficialMessagingResponse()
        reply.message(f"You said {request.form['Body']}")
        return str(reply), 200, {"Content-Type": "text/xml; charset=utf-8"}

    return app


def bare_app() -> Flask:
    app = Flask("bench_bare")

    @app.post(PATH)
    def messages() -> Any:
        request.form["Body"]
        return "<Response/>", 200, {"Content-Type": "text/xml; charset=utf-8"}

    return app


def flat_app() -> Flask:
    """The least a verifying view does, in one function (no event, routing, retries or
    history)."""
    app = Flask("bench_flat")
    verifier = SignatureVerifier(TOKEN)

    @app.post(PATH)
    def messages() -> Any:
        environ = request.environ
        body = environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"]))
        params = parse_form(body)
        verifier.verify(request.url, params, environ["HTTP_X_TWILIO_SIGNATURE"])
        reply = f"<Message>You said {escape(dict(params)['Body'])}</Message>"
        return (
            f'<?xml version="1.0" encoding="UTF-8"?><Response>{reply}</Response>',
            200,
            {"Content-Type": "text/xml; charset=utf-8"},
        )

    return app


def constant_app() -> Flask:
    """Flask's floor: a view answering a constant, the request unread."""
    app = Flask("bench_constant")
    app.add_url_rule(
        PATH,
        "constant",
        lambda: ("<Response/>", 200, {"Content-Type": "text/xml"}),
        methods=["POST"],
    )
    return app


def make_environ() -> tuple[dict[str, Any], bytes]:
    url = f"https://hooks.example.com{PATH}"
    signature = RequestValidator(TOKEN).compute_signature(url, SMS)
    body = urlencode(SMS).encode()
    builder = EnvironBuilder(
        path=PATH,
        base_url="https://hooks.example.com",
        method="POST",
        data=body,
        content_type="application/x-www-form-urlencoded; charset=UTF-8",
        headers=[
            ("X-Twilio-Signature", str(signature)),
            ("User-Agent", "TwilioProxy/1.1"),
            ("I-Twilio-Idempotency-Token", "0a1b2c3d-0000-4000-8000-000000000000"),
        ],
    )
    environ = builder.get_environ()
    builder.close()
    return environ, body


def runner(app: Flask, environ: dict[str, Any], body: bytes) -> Callable[[], tuple[str, bytes]]:
    wsgi = app.wsgi_app
    statuses: list[str] = []

    def start_response(status: str, headers: Any, exc_info: Any = None) -> Any:
        statuses.append(status)
        return None

    tokens = itertools.count()

    def one_request() -> tuple[str, bytes]:
        fresh = dict(environ)
        fresh["wsgi.input"] = io.BytesIO(body)
        # A new idempotency token each time: a repeated one would be answered from
        # twhooks' replay cache without running the handler.
        fresh["HTTP_I_TWILIO_IDEMPOTENCY_TOKEN"] = f"bench-{next(tokens)}"
        statuses.clear()
        chunks: Iterable[bytes] = wsgi(fresh, start_response)
        data = b"".join(chunks)
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
        return statuses[0], data

    return one_request


def observability_contenders(
    environ: dict[str, Any], body: bytes
) -> dict[str, Callable[[], tuple[str, bytes]]]:
    """The rows of tracing and metrics on and off (those of the installed packages)."""
    rows = {"twhooks, tracing off": runner(twhooks_app(TWHOOKS_TRACING=False), environ, body)}
    try:
        from opentelemetry.sdk.trace import TracerProvider
    except ImportError:
        provider = None
    else:
        provider = TracerProvider()
        rows["twhooks, tracing (SDK)"] = runner(
            twhooks_app(TWHOOKS_TRACING=provider), environ, body
        )
    try:
        from prometheus_client import CollectorRegistry
    except ImportError:
        return rows
    rows["twhooks, metrics"] = runner(
        twhooks_app(TWHOOKS_TRACING=False, TWHOOKS_METRICS=CollectorRegistry()), environ, body
    )
    if provider is not None:
        rows["twhooks, tracing (SDK) + metrics"] = runner(
            twhooks_app(TWHOOKS_TRACING=provider, TWHOOKS_METRICS=CollectorRegistry()),
            environ,
            body,
        )
    return rows


def best_us(fn: Callable[[], object], number: int, repeat: int) -> float:
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number * 1e6


def main(number: int = 1000, repeat: int = 15) -> None:
    environ, body = make_environ()
    sqlite = tempfile.mkdtemp(prefix="twhooks-bench-")
    contenders = {
        "twhooks": runner(twhooks_app(), environ, body),
        "twhooks, SQLite store": runner(
            twhooks_app(f"sqlite:///{sqlite}/bench.sqlite3"), environ, body
        ),
        "twhooks, no history": runner(twhooks_app(TWHOOKS_HISTORY=False), environ, body),
        "twhooks, no retry claim": runner(twhooks_app(TWHOOKS_DEDUPLICATE=False), environ, body),
        **observability_contenders(environ, body),
        "official SDK view": runner(official_app(), environ, body),
        "bare Flask view (request.form)": runner(bare_app(), environ, body),
        "flat view (read, parse, verify, TwiML)": runner(flat_app(), environ, body),
        "constant Flask view": runner(constant_app(), environ, body),
    }
    for name, fn in contenders.items():
        status, data = fn()
        assert status.startswith("200"), (name, status, data)
        if not name.startswith(("bare", "constant")):
            assert b"<Message>You said What is my balance?</Message>" in data, (name, data)
    # Interleave the repeats so that machine noise hits every contender alike.
    results = {name: float("inf") for name in contenders}
    for _ in range(repeat):
        for name, fn in contenders.items():
            results[name] = min(results[name], best_us(fn, number, 1))
    ours = results["twhooks"]
    print(f"signed 20-field inbound SMS, best of {repeat} x {number} requests (app.wsgi_app)")
    print(f"{'contender':40} {'µs/request':>11} {'÷ twhooks':>10}")
    for name, us in results.items():
        print(f"{name:40} {us:11.1f} {us / ours:10.2f}")
    floor, sdk = results["constant Flask view"], results["official SDK view"]
    print(
        f"above Flask's floor (the constant view): twhooks {ours - floor:.1f} µs, the flat view "
        f"{results['flat view (read, parse, verify, TwiML)'] - floor:.1f} µs; "
        f"the goal of <= 0.33x the SDK view leaves {0.33 * sdk - floor:.1f} µs, "
        f"<= 1.0x the bare view {results['bare Flask view (request.form)'] - floor:.1f} µs"
    )


if __name__ == "__main__":
    main()
