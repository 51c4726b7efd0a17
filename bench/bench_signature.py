"""X-Twilio-Signature verification: twhooks against the official RequestValidator, side by side.

Cases, each a valid request (every verification succeeds):

* ``verify sms``: a 20-field inbound SMS, form already parsed -- ``SignatureVerifier.verify``
  on ``(name, value)`` pairs against ``RequestValidator.validate`` on a werkzeug ``MultiDict``
  (what Flask's ``request.form`` is);
* ``verify json``: a JSON body signed through ``bodySHA256``;
* ``parse sms``: parsing the form body alone -- :func:`twhooks.forms.parse_form` against
  werkzeug's form parser (``Request(environ).form``);
* ``environ sms``: the whole job from a WSGI environ -- rebuild the URL, read, parse and verify
  (:func:`twhooks.wsgi.verify_environ`) against werkzeug's ``request.url`` + ``request.form`` +
  ``RequestValidator.validate``, which is what a Flask view calling the SDK does.

Each figure is the best of several rounds (least disturbed by the machine), in µs per
request, the two sides timed in alternation; the ratio is official / twhooks (higher is
better for twhooks).
"""

from __future__ import annotations

import hashlib
import io
import json
import timeit
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from twhooks import SignatureVerifier, compute_signature
from twhooks.forms import parse_form
from twhooks.wsgi import verify_environ

TOKEN = "0123456789abcdef0123456789abcdef"
URL = "https://example.com/twilio/sms"
SID = "SM0123456789abcdef0123456789abcdef"

# A typical inbound SMS, as Twilio posts it (20 fields).
SMS = [
    ("ToCountry", "US"),
    ("ToState", "CA"),
    ("SmsMessageSid", SID),
    ("NumMedia", "0"),
    ("ToCity", "SAN FRANCISCO"),
    ("FromZip", "94105"),
    ("SmsSid", SID),
    ("FromState", "CA"),
    ("SmsStatus", "received"),
    ("FromCity", "SAN FRANCISCO"),
    ("Body", "Hello there, how are you? See you at 5:30!"),
    ("FromCountry", "US"),
    ("To", "+14155550100"),
    ("MessagingServiceSid", "MG0123456789abcdef0123456789abcdef"),
    ("ToZip", "94105"),
    ("NumSegments", "1"),
    ("MessageSid", SID),
    ("AccountSid", "AC0123456789abcdef0123456789abcdef"),
    ("From", "+14155550199"),
    ("ApiVersion", "2010-04-01"),
]
BODY = urlencode(SMS).encode()
SIGNATURE = compute_signature(TOKEN, URL, SMS)

JSON_BODY = json.dumps(
    {"specversion": "1.0", "type": "com.twilio.messaging.message.delivered", "data": {"x": 1}}
)
JSON_URL = "https://example.com/events?bodySHA256=" + hashlib.sha256(JSON_BODY.encode()).hexdigest()
JSON_SIGNATURE = compute_signature(TOKEN, JSON_URL)

ENVIRON = EnvironBuilder(
    path="/twilio/sms",
    base_url="https://example.com",
    method="POST",
    data=BODY,
    content_type="application/x-www-form-urlencoded; charset=UTF-8",
    headers={"X-Twilio-Signature": SIGNATURE},
).get_environ()


def fresh_environ() -> dict[str, Any]:
    environ = dict(ENVIRON)
    environ["wsgi.input"] = io.BytesIO(BODY)
    return environ


def cases() -> list[tuple[str, Callable[[], object], Callable[[], object], int]]:
    validator = RequestValidator(TOKEN)
    verifier = SignatureVerifier(TOKEN)
    form = MultiDict(SMS)
    pairs = parse_form(BODY)

    def official_environ() -> bool:
        request = Request(fresh_environ())
        return bool(
            validator.validate(request.url, request.form, request.headers["X-Twilio-Signature"])
        )

    def twhooks_environ() -> object:
        return verify_environ(verifier, fresh_environ())

    def official_parse() -> object:
        return Request(fresh_environ()).form

    def twhooks_parse() -> object:
        fresh_environ()  # same environ copy as the official side, for a fair comparison
        return parse_form(BODY)

    # Every case must succeed before it is timed.
    assert validator.validate(URL, form, SIGNATURE)
    assert validator.validate(JSON_URL, JSON_BODY, JSON_SIGNATURE)
    assert official_environ()
    verifier.verify(URL, pairs, SIGNATURE)
    verifier.verify(JSON_URL, None, JSON_SIGNATURE, body=JSON_BODY.encode())
    assert twhooks_parse() == SMS and list(official_parse().items(multi=True)) == SMS
    twhooks_environ()

    json_bytes = JSON_BODY.encode()
    return [
        (
            "verify sms",
            lambda: validator.validate(URL, form, SIGNATURE),
            lambda: verifier.verify(URL, pairs, SIGNATURE),
            20_000,
        ),
        (
            "verify json",
            lambda: validator.validate(JSON_URL, JSON_BODY, JSON_SIGNATURE),
            lambda: verifier.verify(JSON_URL, None, JSON_SIGNATURE, body=json_bytes),
            20_000,
        ),
        ("parse sms", official_parse, twhooks_parse, 5_000),
        ("environ sms", official_environ, twhooks_environ, 5_000),
    ]


def side_by_side(
    official: Callable[[], object], ours: Callable[[], object], number: int, rounds: int = 9
) -> tuple[float, float]:
    """Best µs per call of each, timed in alternation so that a busy moment of the machine
    slows both rather than only one."""
    best_official = best_ours = float("inf")
    for _ in range(rounds):
        best_official = min(best_official, timeit.timeit(official, number=number))
        best_ours = min(best_ours, timeit.timeit(ours, number=number))
    return best_official / number * 1e6, best_ours / number * 1e6


def main() -> None:
    print(f"{'case':<14}{'official µs':>14}{'twhooks µs':>14}{'ratio':>9}")
    for name, official, ours, number in cases():
        official_us, ours_us = side_by_side(official, ours, number)
        print(f"{name:<14}{official_us:>14.2f}{ours_us:>14.2f}{official_us / ours_us:>8.1f}x")


if __name__ == "__main__":
    main()
