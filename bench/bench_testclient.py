"""What the twhooks test client costs per message, against a signed POST written by hand.

Both contenders send an inbound SMS to the same twhooks app through Flask's test client and
check the reply:

* ``TwilioTestClient``: ``conversation.send("HELP")`` — realistic fields generated anew
  (fresh SIDs), signed, cookies kept, the TwiML answer parsed into a ``Reply`` and
  ``reply.messages`` compared;
* ``by hand``: a fixed dict of the same fields, signed with the official SDK's
  ``RequestValidator.compute_signature``, posted with ``app.test_client().post`` and
  checked with ``b"..." in response.data`` — the usual hand-written test.

Figures are the best of several interleaved repeats, in µs per message; the ratio is
other / twhooks.
"""

from __future__ import annotations

import timeit
import uuid
from collections.abc import Callable
from urllib.parse import urlencode

from flask import Flask
from twilio.request_validator import RequestValidator

from twhooks import IncomingMessage, TwilioHooks, payloads
from twhooks.flask.testing import TwilioTestClient

TOKEN = "bench-auth-token-0123456789abcdef"
ANSWER = "Reply BAL for your balance."


def make_app() -> Flask:
    app = Flask("bench_testclient")
    app.config.update(TWILIO_AUTH_TOKEN=TOKEN, SECRET_KEY="bench")
    hooks = TwilioHooks(app)

    @hooks.message(keyword="HELP")
    def help_(msg: IncomingMessage) -> str:
        return ANSWER

    return app


def with_test_client(app: Flask) -> Callable[[], None]:
    conversation = TwilioTestClient(app).conversation()

    def one_message() -> None:
        assert conversation.send("HELP").messages == [ANSWER]

    return one_message


def by_hand(app: Flask) -> Callable[[], None]:
    client = app.test_client()
    url = "http://localhost/twilio/messages"
    fields = payloads.incoming_message("HELP")
    signature = RequestValidator(TOKEN).compute_signature(url, fields)
    body = urlencode(fields)
    expected = f"<Message>{ANSWER}</Message>".encode()

    def one_message() -> None:
        response = client.post(
            "/twilio/messages",
            data=body,
            content_type="application/x-www-form-urlencoded; charset=UTF-8",
            headers={
                "X-Twilio-Signature": signature,
                # A fresh token, as Twilio sends: a repeated one may be answered from a cache.
                "I-Twilio-Idempotency-Token": str(uuid.uuid4()),
            },
        )
        assert expected in response.data

    return one_message


def main(number: int = 300, repeat: int = 9) -> None:
    app = make_app()
    contenders = {"TwilioTestClient": with_test_client(app), "by hand": by_hand(app)}
    for check in contenders.values():
        check()
    results = {name: float("inf") for name in contenders}
    # Interleave the repeats so that machine noise hits every contender alike.
    for _ in range(repeat):
        for name, fn in contenders.items():
            seconds = timeit.timeit(fn, number=number)
            results[name] = min(results[name], seconds / number * 1e6)
    ours = results["TwilioTestClient"]
    print(f"one inbound SMS through the Flask test client, best of {repeat} x {number}")
    print(f"{'contender':20} {'µs/message':>11} {'÷ twhooks':>10}")
    for name, us in results.items():
        print(f"{name:20} {us:11.1f} {us / ours:10.2f}")


if __name__ == "__main__":
    main()
