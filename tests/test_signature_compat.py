"""twhooks.signature where Twilio's libraries and the containers they are fed differ: every
multi-mapping, containers that cannot be read, both sort orders, a bare trailing ``?``."""

from __future__ import annotations

import base64
import hashlib
import hmac
from array import array
from collections.abc import Iterator
from typing import Any

import multidict
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from twhooks.exceptions import InvalidSignature, TwhooksError, UnreadableParams
from twhooks.signature import (
    SignatureVerifier,
    _tails,
    compute_signature,
    keep_bare_query,
    signing_string,
)

TOKEN = "12345"
URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
REPEATED = [
    ("Sid", "CA123"),
    ("SidAccount", "AC123"),
    ("Digits", "5678"),
    ("Digits", "1234"),
    ("Digits", "1234"),
]
REPEATED_SIGNATURE = "IK+Dwps556ElfBT0I3Rgjkr1wJU="  # TWILIO.md §2.6


class GetlistOnly:
    """A multi-mapping that is not a Mapping, like cgi.FieldStorage: keys() and getlist()."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self._pairs = pairs

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys(name for name, _ in self._pairs))

    def getlist(self, name: str) -> list[str]:
        return [v for n, v in self._pairs if n == name]


@pytest.mark.parametrize(
    "params",
    [
        pytest.param(multidict.MultiDict(REPEATED), id="multidict-getall"),
        pytest.param(multidict.MultiDictProxy(multidict.MultiDict(REPEATED)), id="multidict-proxy"),
        pytest.param(multidict.CIMultiDict(REPEATED), id="ci-multidict"),
        pytest.param(MultiDict(REPEATED), id="werkzeug-getlist"),
        pytest.param(GetlistOnly(REPEATED), id="getlist-not-a-mapping"),
        pytest.param(
            {"Sid": "CA123", "SidAccount": "AC123", "Digits": ["5678", "1234"]}, id="dict"
        ),
        pytest.param(iter(REPEATED), id="iterator-of-pairs"),
    ],
)
def test_every_value_of_a_repeated_name_is_signed(params: Any) -> None:
    assert compute_signature(TOKEN, URL, params) == REPEATED_SIGNATURE


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: multidict.MultiDict(REPEATED), id="multidict"),
        pytest.param(lambda: GetlistOnly(REPEATED), id="getlist-not-a-mapping"),
    ],
)
def test_verify_accepts_repeated_values_from_a_multi_mapping(make: Any) -> None:
    SignatureVerifier(TOKEN).verify(URL, make(), REPEATED_SIGNATURE)


@pytest.mark.parametrize(
    "params",
    [
        pytest.param("Sid=CA123&Digits=1234", id="a-str-body"),
        pytest.param(b"Sid=CA123", id="bytes"),
        pytest.param({"Digits": 1234}, id="int-value"),
        pytest.param({"Digits": b"1234"}, id="bytes-value"),
        pytest.param({"Digits": {"1234"}}, id="set-of-values"),
        pytest.param({1: "x"}, id="int-name"),
        pytest.param([("Digits", "1", "2")], id="three-tuples"),
        pytest.param([("Digits",)], id="one-tuples"),
        pytest.param([("Digits", ["1234"])], id="list-value-in-pairs"),
        pytest.param(multidict.MultiDict([("Digits", 1234)]), id="multidict-int-value"),
        pytest.param(42, id="not-a-container"),
    ],
)
def test_a_container_that_cannot_be_read_is_refused_clearly(params: Any) -> None:
    with pytest.raises(UnreadableParams, match="cannot read form parameters") as caught:
        compute_signature(TOKEN, URL, params)
    assert isinstance(caught.value, TwhooksError) and isinstance(caught.value, TypeError)
    with pytest.raises(UnreadableParams):
        SignatureVerifier(TOKEN).verify(URL, params, "x")
    with pytest.raises(UnreadableParams):  # a programming error: not a quiet False
        SignatureVerifier(TOKEN).is_valid(URL, params, "x")


# -- UTF-16 code-unit order (twilio-node, Java) ----------------------------------------


def node_signing_string(url: str, pairs: list[tuple[str, str]]) -> str:
    """The string twilio-node signs: JavaScript's sort compares UTF-16 code units."""

    def units(s: str) -> list[int]:
        return list(array("H", s.encode("utf-16-le", "surrogatepass")))

    ordered = sorted(set(pairs), key=lambda p: (units(p[0]), units(p[1])))
    return url + "".join(name + value for name, value in ordered)


def sign(string: str) -> str:
    mac = hmac.digest(TOKEN.encode(), string.encode("utf-8", "surrogatepass"), hashlib.sha1)
    return base64.b64encode(mac).decode()


ASTRAL, PRIVATE_USE = "\U0001f600", "\ue000"  # code points: E000 < 1F600; UTF-16: D83D < E000

ORDER_CASES = [
    pytest.param([(ASTRAL, "a"), (PRIVATE_USE, "b")], id="names"),
    pytest.param([("Body", ASTRAL), ("Body", PRIVATE_USE)], id="repeated-values"),
    pytest.param([("x" + ASTRAL, "1"), ("x\uffff", "2"), ("To", "+1")], id="after-a-common-prefix"),
]


@pytest.mark.parametrize("pairs", ORDER_CASES)
def test_a_signature_in_utf16_order_is_accepted(pairs: list[tuple[str, str]]) -> None:
    node = node_signing_string(URL, pairs)
    assert node != signing_string(URL, pairs)  # the orders really differ here
    assert signing_string(URL, pairs, utf16_order=True) == node
    verifier = SignatureVerifier(TOKEN)
    verifier.verify(URL, pairs, sign(node))  # as twilio-node signs
    verifier.verify(URL, pairs, compute_signature(TOKEN, URL, pairs))  # as twilio-python does
    with pytest.raises(InvalidSignature):
        verifier.verify(URL, pairs, sign(node + "x"))


def test_the_second_order_is_computed_only_when_it_differs() -> None:
    assert len(_tails([("Body", "plain ascii")])) == 1
    assert len(_tails([("Body", "é" + PRIVATE_USE)])) == 1  # no character above U+FFFF
    assert len(_tails([("Body", ASTRAL)])) == 1  # one value: nothing to order
    assert len(_tails([(ASTRAL, "a"), (PRIVATE_USE, "b")])) == 2


_CHARS = st.sampled_from(["a", "B", "é", "\ue000", "\uffee", "\U0001f600", "\U00010000", ""])
_STRINGS = st.lists(_CHARS, max_size=3).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_STRINGS, _STRINGS), max_size=6))
def test_signatures_in_either_order_verify(pairs: list[tuple[str, str]]) -> None:
    verifier = SignatureVerifier(TOKEN)
    verifier.verify(URL, pairs, sign(node_signing_string(URL, pairs)))
    verifier.verify(URL, pairs, compute_signature(TOKEN, URL, pairs))


# -- a bare trailing "?" ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "target", "expected"),
    [
        ("https://h/sms", "/sms?", "https://h/sms?"),
        ("https://h/sms", "/sms", "https://h/sms"),
        ("https://h/sms", None, "https://h/sms"),
        ("https://h/sms", "", "https://h/sms"),
        ("https://h/sms?a=1", "/sms?a=1", "https://h/sms?a=1"),
        ("https://h/sms??", "/sms??", "https://h/sms??"),  # QUERY_STRING "?": already there
        ("https://h/sms?", "/sms?", "https://h/sms?"),
    ],
)
def test_keep_bare_query(url: str, target: str | None, expected: str) -> None:
    assert keep_bare_query(url, target) == expected


def test_a_url_signed_with_a_bare_question_mark_verifies_with_it() -> None:
    signature = compute_signature(TOKEN, "https://h/messages?", REPEATED)
    verifier = SignatureVerifier(TOKEN)
    verifier.verify(keep_bare_query("https://h/messages", "/messages?"), REPEATED, signature)
    verifier.verify("https://h:443/messages?", REPEATED, signature)  # its port variant too
    # A server that hides the "?" (every ASGI server): the URL is tried with it too.
    verifier.verify("https://h/messages", REPEATED, signature)
    with pytest.raises(InvalidSignature):
        verifier.verify("https://h/messages/", REPEATED, signature)


@pytest.mark.parametrize("server_key", ["RAW_URI", "REQUEST_URI"])
def test_verify_environ_keeps_the_bare_question_mark_of_the_raw_uri(server_key: str) -> None:
    from urllib.parse import urlencode

    from werkzeug.test import EnvironBuilder

    from twhooks.wsgi import verify_environ

    signature = compute_signature(TOKEN, "https://example.com/messages?", REPEATED)
    environ = EnvironBuilder(
        path="/messages",
        base_url="https://example.com",
        method="POST",
        data=urlencode(REPEATED),
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": signature},
    ).get_environ()
    del environ["RAW_URI"], environ["REQUEST_URI"]  # werkzeug sets both; servers set one
    environ[server_key] = "/messages?"
    assert environ["QUERY_STRING"] == ""
    verified = verify_environ(SignatureVerifier(TOKEN), environ)
    assert verified.url == "https://example.com/messages?"
