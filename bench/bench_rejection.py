"""What refusing a forged request costs: the work done before the signature is compared.

A forged request should cost its sender more than it costs the server. Each case posts a body
of the default size limit (1 MiB) through a twhooks app's WSGI callable and reads the answer:

* ``unsigned``: 128k parameters, no ``X-Twilio-Signature`` (refused before the body is read);
* ``forged, 128k params``: the same with a made-up signature (refused by the parameter cap
  before the body is parsed);
* ``forged, 1000 params``: 1000 parameters of ~1 KiB each, the most the cap lets through,
  with a made-up signature (parsed, signed, compared, refused);
* ``valid SMS``: a real signed webhook, for scale.

Figures are the best of several repeats, in ms per request. The goal is ≤ 5 ms for any
forged request at the default limits.

A second table: the WSGI signature middleware in front of a plain Flask view, in µs per
request — a signed SMS it lets through, and a forged one (a wrong signature over the same
SMS) it refuses with tracing and metrics off, and with both on (an SDK ``TracerProvider``
that exports nothing, a prometheus_client registry of its own): what observing a refusal
costs.
"""

from __future__ import annotations

import io
import logging
import timeit
from collections.abc import Callable
from typing import Any

from bench_request import make_environ, twhooks_app
from werkzeug.test import EnvironBuilder

PATH = "/twilio/messages"


def forged_environ(body: bytes, signature: str | None) -> dict[str, Any]:
    headers = [("X-Twilio-Signature", signature)] if signature else []
    builder = EnvironBuilder(
        path=PATH,
        base_url="https://hooks.example.com",
        method="POST",
        data=body,
        content_type="application/x-www-form-urlencoded",
        headers=headers,
    )
    environ = builder.get_environ()
    builder.close()
    return environ


def runner(app: Any, environ: dict[str, Any], body: bytes) -> Callable[[], str]:
    wsgi = app.wsgi_app
    statuses: list[str] = []

    def start_response(status: str, headers: Any, exc_info: Any = None) -> None:
        statuses.append(status)

    def one() -> str:
        fresh = dict(environ)
        fresh["wsgi.input"] = io.BytesIO(body)
        statuses.clear()
        chunks = wsgi(fresh, start_response)
        b"".join(chunks)
        getattr(chunks, "close", lambda: None)()
        return statuses[0]

    return one


def main(repeat: int = 7) -> None:
    logging.getLogger("twhooks").setLevel(logging.ERROR)  # one refusal line per request
    app = twhooks_app()
    many = "&".join(f"p{i}=v" for i in range(128_000)).encode()[: 1 << 20]
    wide = "&".join(f"p{i}=" + "x" * 1040 for i in range(1000)).encode()[: 1 << 20]
    sms_environ, sms_body = make_environ()
    cases = {
        "unsigned, 128k params": (forged_environ(many, None), many, "403"),
        "forged, 128k params": (forged_environ(many, "Zm9yZ2Vk"), many, "413"),
        "forged, 1000 params": (forged_environ(wide, "Zm9yZ2Vk"), wide, "403"),
        "valid SMS": (sms_environ, sms_body, "200"),
    }
    print(f"refusing forged requests of up to 1 MiB, best of {repeat} (app.wsgi_app)")
    print(f"{'case':24} {'body':>9} {'ms/request':>11} {'answer':>7}")
    for name, (environ, body, expected) in cases.items():
        fn = runner(app, environ, body)
        status = fn()
        assert status.startswith(expected), (name, status)
        number = 5 if len(body) > 100_000 else 200
        best = min(timeit.repeat(fn, number=number, repeat=repeat)) / number * 1e3
        print(f"{name:24} {len(body):9d} {best:11.3f} {status.split()[0]:>7}")
    middleware_rows()


def middleware_app(**observability: Any) -> Any:
    from bench_request import TOKEN
    from flask import Flask

    from twhooks import TwilioSignatureMiddleware

    app = Flask("bench_middleware")
    app.add_url_rule(PATH, "sms", lambda: "<Response/>", methods=["POST"])
    app.wsgi_app = TwilioSignatureMiddleware(  # type: ignore[method-assign]
        app.wsgi_app, TOKEN, protect=["/twilio"], **observability
    )
    return app


def middleware_rows(repeat: int = 25) -> None:
    from opentelemetry.sdk.trace import TracerProvider
    from prometheus_client import CollectorRegistry

    sms_environ, sms_body = make_environ()
    forged = dict(sms_environ, HTTP_X_TWILIO_SIGNATURE="Zm9yZ2VkLXNpZ25hdHVyZS0wMDA=")
    off = middleware_app(tracing=False)
    on = middleware_app(tracing=TracerProvider(), metrics=CollectorRegistry())
    cases = {
        "valid SMS, observability off": (off, sms_environ, "200"),
        "valid SMS, tracing + metrics": (on, sms_environ, "200"),
        "forged SMS, observability off": (off, forged, "403"),
        "forged SMS, tracing + metrics": (on, forged, "403"),
    }
    runners = {}
    for name, (app, environ, expected) in cases.items():
        fn = runner(app, environ, sms_body)
        status = fn()
        assert status.startswith(expected), (name, status)
        runners[name] = fn
    best = dict.fromkeys(runners, float("inf"))
    for _ in range(repeat):  # interleaved: machine noise hits every row alike
        for name, fn in runners.items():
            best[name] = min(best[name], timeit.timeit(fn, number=200) / 200)
    print(f"\nthe WSGI signature middleware, best of {repeat} x 200, interleaved")
    print(f"{'case':32} {'µs/request':>11}")
    for name, seconds in best.items():
        print(f"{name:32} {seconds * 1e6:11.1f}")


if __name__ == "__main__":
    main()
