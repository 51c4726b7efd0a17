"""twhooks.urls: the URL variants Twilio may have signed, and safe display of URLs."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from twhooks.urls import query_value, redact, split_authority, url_variants

#: Needs the runtime dependencies only: CI runs it after ``pip install twhooks`` too.
pytestmark = pytest.mark.core


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param(
            "https://example.com/sms",
            [
                "https://example.com/sms",
                "https://example.com:443/sms",
                "https://example.com/sms?",
                "https://example.com:443/sms?",
            ],
            id="https-adds-443",
        ),
        pytest.param(
            "http://example.com:8080/sms",
            [
                "http://example.com:8080/sms",
                "http://example.com/sms",
                "http://example.com:8080/sms?",
                "http://example.com/sms?",
            ],
            id="explicit-port-removed",
        ),
        pytest.param(
            "https://user:pa:ss@example.com:8443/sms",
            [
                "https://user:pa:ss@example.com:8443/sms",
                "https://user:pa:ss@example.com/sms",
                "https://user:pa:ss@example.com:8443/sms?",
                "https://user:pa:ss@example.com/sms?",
            ],
            id="userinfo-with-colons",
        ),
        pytest.param(
            "https://user:pass@example.com/sms",
            [
                "https://user:pass@example.com/sms",
                "https://user:pass@example.com:443/sms",
                "https://user:pass@example.com/sms?",
                "https://user:pass@example.com:443/sms?",
            ],
            id="userinfo-adds-443",
        ),
        pytest.param(
            "https://[::1]:8443/sms",
            [
                "https://[::1]:8443/sms",
                "https://[::1]/sms",
                "https://[::1]:8443/sms?",
                "https://[::1]/sms?",
            ],
            id="ipv6",
        ),
        pytest.param(
            "http://[2001:db8::1]/sms",
            [
                "http://[2001:db8::1]/sms",
                "http://[2001:db8::1]:80/sms",
                "http://[2001:db8::1]/sms?",
                "http://[2001:db8::1]:80/sms?",
            ],
            id="ipv6-adds-80",
        ),
        pytest.param(
            "https://example.com?a=1",
            ["https://example.com?a=1", "https://example.com:443?a=1"],
            id="no-path",
        ),
        pytest.param(
            "https://example.com/sms?name=O'Brien",
            [
                "https://example.com/sms?name=O'Brien",
                "https://example.com:443/sms?name=O'Brien",
                "https://example.com/sms?name=O%27Brien",
                "https://example.com:443/sms?name=O%27Brien",
            ],
            id="quote-encoded",
        ),
        pytest.param(
            "https://example.com/sms?at=%40%3a%7e",
            [
                "https://example.com/sms?at=%40%3a%7e",
                "https://example.com:443/sms?at=%40%3a%7e",
                "https://example.com/sms?at=@:~",
                "https://example.com:443/sms?at=@:~",
                "https://example.com/sms?at=@:%7e",
                "https://example.com:443/sms?at=@:%7e",
            ],
            id="escapes-decoded",
        ),
        pytest.param(
            "ftp://example.com/x",
            ["ftp://example.com/x", "ftp://example.com/x?"],
            id="unknown-scheme",
        ),
        pytest.param(
            "https://example.com/sms?",
            [
                "https://example.com/sms?",
                "https://example.com:443/sms?",
                "https://example.com/sms",
                "https://example.com:443/sms",
            ],
            id="bare-question-mark",
        ),
        pytest.param(
            "https://example.com/sms??",
            ["https://example.com/sms??", "https://example.com:443/sms??"],
            id="query-of-one-question-mark",
        ),
        pytest.param("/relative?x=1", ["/relative?x=1"], id="not-absolute"),
    ],
)
def test_url_variants(url: str, expected: list[str]) -> None:
    assert url_variants(url) == expected


@pytest.mark.parametrize(
    ("url", "parts"),
    [
        pytest.param(
            "https://example.com/a?b#c", ("https", "", "example.com", "", "/a?b#c"), id="plain"
        ),
        pytest.param("http://h:8080", ("http", "", "h", ":8080", ""), id="port-no-path"),
        pytest.param("https://u:p@h:1/x", ("https", "u:p@", "h", ":1", "/x"), id="userinfo"),
        pytest.param("https://u@p@h/x", ("https", "u@p@", "h", "", "/x"), id="at-in-userinfo"),
        pytest.param("https://[::1]:8443/x", ("https", "", "[::1]", ":8443", "/x"), id="ipv6"),
        pytest.param("https://h?q=a:b@c", ("https", "", "h", "", "?q=a:b@c"), id="query-with-at"),
        pytest.param("https://[::1/x", None, id="unclosed-ipv6"),
        pytest.param("https://[::1]x/y", None, id="junk-after-ipv6"),
        pytest.param("/just/a/path", None, id="relative"),
    ],
)
def test_split_authority(url: str, parts: tuple[str, ...] | None) -> None:
    assert split_authority(url) == parts


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        pytest.param("https://u:secret@h/x", "https://u:***@h/x", id="password"),
        pytest.param("https://u:secret@[::1]:8443/x", "https://u:***@[::1]:8443/x", id="ipv6"),
        pytest.param("https://user@h/x", "https://user@h/x", id="no-password"),
        pytest.param("https://h/x?pass=a:b@c", "https://h/x?pass=a:b@c", id="query-untouched"),
    ],
)
def test_redact(url: str, shown: str) -> None:
    assert redact(url) == shown


@pytest.mark.parametrize(
    ("url", "value"),
    [
        pytest.param("https://h/x?bodySHA256=ab&c=d", "ab", id="first"),
        pytest.param("https://h/x?c=d&bodySHA256=ab", "ab", id="later"),
        pytest.param("https://h/x?bodySHA256=ab&bodySHA256=cd", "ab", id="repeated"),
        pytest.param("https://h/x?bodySHA256=ab#frag", "ab", id="fragment"),
        pytest.param("https://h/x?xbodySHA256=ab", None, id="other-name"),
        pytest.param("https://h/bodySHA256=ab", None, id="in-path"),
    ],
)
def test_query_value(url: str, value: str | None) -> None:
    assert query_value(url, "bodySHA256") == value


@settings(max_examples=300, deadline=None)
@given(
    scheme=st.sampled_from(["https", "http"]),
    userinfo=st.sampled_from(["", "user@", "user:pass@", "u:p@ss:x@"]),
    host=st.sampled_from(["example.com", "127.0.0.1", "[::1]", "[2001:db8::7]"]),
    port=st.sampled_from(["", ":443", ":80", ":8443"]),
    rest=st.text(
        st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters="\\"),
        max_size=20,
    ).map(lambda r: "/" + r),
)
def test_split_authority_round_trips_and_variants_toggle_the_port(
    scheme: str, userinfo: str, host: str, port: str, rest: str
) -> None:
    url = f"{scheme}://{userinfo}{host}{port}{rest}"
    assert split_authority(url) == (scheme, userinfo, host, port, rest)
    variants = url_variants(url)
    assert variants[0] == url
    assert len(set(variants)) == len(variants)
    default = ":443" if scheme == "https" else ":80"
    toggled = f"{scheme}://{userinfo}{host}{'' if port else default}{rest}"
    assert variants[1] == toggled
