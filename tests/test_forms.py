"""twhooks.forms: the application/x-www-form-urlencoded parser."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from twhooks.exceptions import RequestError
from twhooks.forms import parse_form

#: Needs the runtime dependencies only: CI runs it after ``pip install twhooks`` too.
pytestmark = pytest.mark.core


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
        pytest.param(b"Body=caf%C3%A9", "", [("Body", "café")], id="empty"),
        pytest.param(
            b"Body=%82%A0&X=\x82\xa0", "shift_jis", [("Body", "あ"), ("X", "あ")], id="raw-sjis"
        ),
    ],
)
def test_parse_form_charsets(body: bytes, charset: str, expected: list[tuple[str, str]]) -> None:
    assert parse_form(body, charset) == expected


@pytest.mark.parametrize(
    "charset",
    [
        pytest.param("no-such-charset", id="unknown"),
        pytest.param("utf\x008", id="nul-inside"),
        pytest.param("utf-8\x00", id="nul-after"),
        pytest.param("\udcff", id="lone-surrogate"),
        pytest.param("a" * 1000, id="very-long"),
        pytest.param("rot13", id="not-a-text-codec"),
        pytest.param("hex", id="bytes-to-bytes-codec"),
        pytest.param("idna", id="codec-without-replace"),
        pytest.param("cp037", id="ebcdic"),
        pytest.param("utf-16", id="utf-16"),
        pytest.param("UTF-32LE", id="utf-32"),
        pytest.param("utf-7", id="utf-7-plus-shifts"),
    ],
)
def test_a_charset_that_cannot_decode_is_a_request_error(charset: str) -> None:
    with pytest.raises(RequestError, match="charset") as caught:
        parse_form(b"Body=caf%C3%A9", charset)
    assert caught.value.status_code == 400
    assert len(str(caught.value)) < 120  # the charset is cut short in the message


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


# Every accepted charset must hold the claim, single- and multi-byte.
_CHARSETS = ["utf-8", "utf-8-sig", "latin-1", "cp1252", "koi8-r", "mac-roman", "ascii"]
_CHARSETS += ["shift_jis", "cp932", "euc-jp", "gb18030", "gbk", "big5", "euc-kr", "cp949"]
_CHARSETS += ["iso-2022-jp"]  # stateful, but ASCII until an escape sequence


@settings(max_examples=500, deadline=None)
@given(
    body=st.one_of(
        st.binary(max_size=60),
        st.lists(_PIECES, max_size=20).map(lambda pieces: "".join(pieces).encode()),
    ),
    charset=st.sampled_from(_CHARSETS),
)
def test_same_result_as_parse_qsl_in_every_accepted_charset(body: bytes, charset: str) -> None:
    assert parse_form(body, charset) == _reference(body, charset)


def test_an_ebcdic_form_is_refused_rather_than_misread() -> None:
    # cp037 decodes b"l" to "%": a fast path looking for a b"%" byte misread it (issue 12).
    with pytest.raises(RequestError, match="ASCII-compatible"):
        parse_form(b"\xbdl", "cp037")


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
    charset=st.one_of(
        st.sampled_from(
            ["utf-8", "UTF-16", "utf-7", "shift_jis", "cp1252", "ascii", "idna", "x-unknown", ""]
        ),
        st.text(max_size=12),
    ),
)
def test_raises_nothing_but_a_request_error_whatever_the_charset(body: bytes, charset: str) -> None:
    try:
        pairs = parse_form(body, charset)
    except RequestError:
        return
    assert all(isinstance(name, str) and isinstance(value, str) for name, value in pairs)


@pytest.mark.parametrize("charset", ["utf\x008", "x-unknown", "cp037"])
def test_verify_environ_answers_a_bad_charset_with_a_request_error(charset: str) -> None:
    import io

    from twhooks.signature import SignatureVerifier
    from twhooks.wsgi import verify_environ

    body = b"Body=hi"
    environ = {
        "REQUEST_METHOD": "POST",
        "wsgi.url_scheme": "https",
        "HTTP_HOST": "example.com",
        "PATH_INFO": "/sms",
        "CONTENT_TYPE": f"application/x-www-form-urlencoded; charset={charset}",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "HTTP_X_TWILIO_SIGNATURE": "x",
    }
    with pytest.raises(RequestError) as caught:
        verify_environ(SignatureVerifier("token"), environ)
    assert caught.value.status_code == 400
