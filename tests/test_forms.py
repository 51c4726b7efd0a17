"""twhooks.forms: the application/x-www-form-urlencoded parser."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from twhooks.forms import parse_form


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(b"", [], id="empty"),
        pytest.param(b"a=1&b=2", [("a", "1"), ("b", "2")], id="simple"),
        pytest.param(b"a=&b=", [("a", ""), ("b", "")], id="blank-values"),
        pytest.param(b"flag&a=1", [("flag", ""), ("a", "1")], id="name-without-equals"),
        pytest.param(
            b"Digits=5678&Digits=1234&Digits=1234",
            [("Digits", "5678"), ("Digits", "1234"), ("Digits", "1234")],
            id="repeated-in-order",
        ),
        pytest.param(b"From=%2B14155550100", [("From", "+14155550100")], id="escaped-plus"),
        pytest.param(b"Body=Hello+world", [("Body", "Hello world")], id="plus-is-space"),
        pytest.param(b"Body=a%26b%3Dc", [("Body", "a&b=c")], id="escaped-separators"),
        pytest.param(b"Body=a=b", [("Body", "a=b")], id="raw-equals-in-value"),
        pytest.param(b"&&a=1&", [("a", "1")], id="empty-fields-skipped"),
        pytest.param(b"=x", [("", "x")], id="empty-name"),
        pytest.param(b"Body=caf%C3%A9+%F0%9F%91%8D", [("Body", "café 👍")], id="utf8-escapes"),
        pytest.param(b"Body=caf\xc3\xa9", [("Body", "café")], id="raw-utf8"),
        pytest.param(b"Body=%FF%FE", [("Body", "\ufffd\ufffd")], id="invalid-utf8-escapes"),
        pytest.param(b"Body=\xff", [("Body", "\ufffd")], id="invalid-raw-byte"),
        pytest.param(b"Body=100%+sure%zz", [("Body", "100% sure%zz")], id="stray-percent"),
        # Shapes of "&" and "=" next to the usual one ("=&=&...="), with and without escapes.
        pytest.param(b"a=b=c&d", [("a", "b=c"), ("d", "")], id="equals-moved-to-another-field"),
        pytest.param(b"a=b=c&d=%2B", [("a", "b=c"), ("d", "+")], id="extra-equals-escaped-body"),
        pytest.param(b"=", [("", "")], id="lone-equals"),
        pytest.param(b"a=1&&b=%2B", [("a", "1"), ("b", "+")], id="empty-field-escaped-body"),
        pytest.param(b"a=1&b=2&", [("a", "1"), ("b", "2")], id="trailing-ampersand"),
    ],
)
def test_parse_form(body: bytes, expected: list[tuple[str, str]]) -> None:
    assert parse_form(body) == expected


@pytest.mark.parametrize(
    ("body", "charset", "expected"),
    [
        pytest.param(b"Body=caf%E9", "iso-8859-1", [("Body", "café")], id="latin-1"),
        pytest.param(b"Body=caf%E9", "ISO-8859-1", [("Body", "café")], id="charset-case"),
        pytest.param(b"Body=%82%A0", "shift_jis", [("Body", "あ")], id="shift-jis"),
        pytest.param(b"Body=caf%C3%A9", "no-such-charset", [("Body", "café")], id="unknown"),
        pytest.param(b"Body=caf%C3%A9", "rot13", [("Body", "café")], id="not-a-text-codec"),
        pytest.param(b"Body=caf%C3%A9", "idna", [("Body", "café")], id="codec-without-replace"),
        pytest.param(b"Body=caf%C3%A9", "", [("Body", "café")], id="empty"),
    ],
)
def test_parse_form_charsets(body: bytes, charset: str, expected: list[tuple[str, str]]) -> None:
    assert parse_form(body, charset) == expected


def test_twilio_sms_body_round_trips() -> None:
    fields = [
        ("ToCountry", "US"),
        ("Body", "Hi! Meet at 5:30? 50% off & free =)"),
        ("From", "+14155550199"),
        ("MediaUrl0", "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1"),
        ("NumMedia", "1"),
        ("OptOutType", ""),
    ]
    assert parse_form(urlencode(fields).encode()) == fields


# Pieces that exercise every branch: separators, escapes of separators, plus signs,
# valid and broken escapes, raw non-ASCII bytes.
_PIECES = st.sampled_from(
    [
        "a", "B", "Body", "é", "=", "&", "+", "%", "%2", "%26", "%3D", "%3d", "%2B", "%20",
        "%C3", "%A9", "%C3%A9", "%F0%9F%91%8D", "%FF", "%zz", "\xff", "\x80", "0",
    ]
)  # fmt: skip


def _reference(body: bytes, charset: str) -> list[tuple[str, str]]:
    text = body.decode(charset, "replace")
    return parse_qsl(text, keep_blank_values=True, encoding=charset, errors="replace")


@settings(max_examples=400, deadline=None)
@given(pieces=st.lists(_PIECES, max_size=40), charset=st.sampled_from(["utf-8", "latin-1"]))
def test_same_result_as_parse_qsl(pieces: list[str], charset: str) -> None:
    body = "".join(pieces).encode("utf-8")
    assert parse_form(body, charset) == _reference(body, charset)


@settings(max_examples=300, deadline=None)
@given(body=st.binary(max_size=200))
def test_any_bytes_parse_like_parse_qsl(body: bytes) -> None:
    assert parse_form(body) == _reference(body, "utf-8")


@settings(max_examples=300, deadline=None)
@given(
    fields=st.lists(
        st.tuples(st.text(max_size=10), st.text(max_size=20)),
        max_size=10,
    )
)
def test_urlencoded_fields_round_trip(fields: list[tuple[str, str]]) -> None:
    # A field with an empty name and value encodes to "=" and survives; urlencode never
    # produces the empty fields that parsing skips.
    assert parse_form(urlencode(fields).encode()) == fields


@settings(max_examples=300, deadline=None)
@given(
    body=st.one_of(
        st.binary(max_size=100),
        st.lists(_PIECES, max_size=20).map(lambda pieces: "".join(pieces).encode()),
    ),
    charset=st.sampled_from(
        ["utf-8", "UTF-16", "utf-7", "shift_jis", "cp1252", "ascii", "idna", "x-unknown", ""]
    ),
)
def test_never_raises_whatever_the_charset(body: bytes, charset: str) -> None:
    pairs = parse_form(body, charset)
    assert all(isinstance(name, str) and isinstance(value, str) for name, value in pairs)
