"""twhooks.request_validator: the official SDK's RequestValidator API on the twhooks verifier.

The published vectors of TWILIO.md §2.6, the official validator as an oracle (test-only),
and the cases where twhooks is right and the official one is not (ports next to
``user:pass@``, IPv6 hosts, repeated values of a multidict).
"""

from __future__ import annotations

import logging
from typing import Any

import multidict
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator as OfficialValidator
from werkzeug.datastructures import MultiDict

from twhooks.exceptions import UnreadableParams, UnsupportedAlgorithm
from twhooks.request_validator import RequestValidator

#: Needs the runtime dependencies only: CI runs it after ``pip install twhooks`` too.
pytestmark = pytest.mark.core

TOKEN = "12345"
URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Digits": "1234",
    "From": "+14158675309",
    "To": "+18005551212",
    "Caller": "+14158675309",
}
EXPECTED = "RSOYDt4T1cUTdK1PDd93/VVr8B8="
BODY = '{"property": "value", "boolean": true}'
BODY_HASH = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620"
REPEATED = [("Sid", "CA123"), ("SidAccount", "AC123"), ("Digits", "5678"), ("Digits", "1234")]


@pytest.fixture
def validator() -> RequestValidator:
    return RequestValidator(TOKEN)


def test_compute_signature(validator: RequestValidator) -> None:
    assert validator.compute_signature(URL, PARAMS) == EXPECTED
    assert validator.compute_signature(URL, PARAMS, "HMAC_SHA256") == (
        "033hgUJA9M/hXIZsYjwkerEP/DBm35nEri5FhCYjA5s="
    )


def test_compute_signature_refuses_an_unknown_algorithm(validator: RequestValidator) -> None:
    with pytest.raises(UnsupportedAlgorithm):
        validator.compute_signature(URL, PARAMS, "HMAC_MD5")


@pytest.mark.parametrize(
    "params",
    [
        pytest.param(multidict.MultiDict(REPEATED), id="multidict"),
        pytest.param(MultiDict(REPEATED), id="werkzeug"),
        pytest.param(REPEATED, id="pairs"),
    ],
)
def test_repeated_values_of_any_multi_mapping(validator: RequestValidator, params: Any) -> None:
    assert validator.compute_signature(URL, params) == "IK+Dwps556ElfBT0I3Rgjkr1wJU="
    assert validator.validate(URL, params, "IK+Dwps556ElfBT0I3Rgjkr1wJU=")


def test_compute_hash_and_validate_body(validator: RequestValidator) -> None:
    assert validator.compute_hash(BODY) == BODY_HASH
    assert validator.validate_body(BODY, BODY_HASH)
    assert validator.validate_body(BODY, BODY_HASH.upper())
    assert not validator.validate_body(BODY + " ", BODY_HASH)


def test_get_values(validator: RequestValidator) -> None:
    assert validator.get_values(multidict.MultiDict(REPEATED), "Digits") == ["5678", "1234"]
    assert validator.get_values(PARAMS, "Digits") == ["1234"]


@pytest.mark.parametrize(
    ("url", "signature"),
    [
        pytest.param(URL, EXPECTED, id="as-signed"),
        pytest.param(URL.replace(".com", ".com:1234"), EXPECTED, id="port-removed-https"),
        pytest.param(
            URL.replace(".com", ".com:1234").replace("https", "http"),
            "Zmvh+3yNM1Phv2jhDCwEM3q5ebU=",
            id="http-with-port-as-given",
        ),
        pytest.param(URL, "kvajT1Ptam85bY51eRf/AJRuM3w=", id="port-443-added"),
        pytest.param(URL.replace("https", "http"), "0ZXoZLH/DfblKGATFgpif+LLRf4=", id="port-80"),
    ],
)
def test_validate_tries_both_port_forms(
    validator: RequestValidator, url: str, signature: str
) -> None:
    assert validator.validate(url, PARAMS, signature)
    assert OfficialValidator(TOKEN).validate(url, PARAMS, signature)


def test_validate_a_json_body(validator: RequestValidator) -> None:
    url = f"{URL}&bodySHA256={BODY_HASH}"
    assert validator.validate(url, BODY, "a9nBmqA0ju/hNViExpshrM61xv4=")
    assert not validator.validate(url, BODY + " ", "a9nBmqA0ju/hNViExpshrM61xv4=")
    assert not validator.validate(url, BODY, "a9nBmqA0ju/hNViExpshrM61xv5=")


def test_a_body_the_url_does_not_bind_is_refused(
    validator: RequestValidator, caplog: pytest.LogCaptureFixture
) -> None:
    # Signed over the URL alone: the body would pass unchecked.
    signature = validator.compute_signature(URL, None)
    with caplog.at_level(logging.INFO, "twhooks.request_validator"):
        assert not validator.validate(URL, BODY, signature)
    assert "bodySHA256" in caplog.text


def test_user_info_with_a_port_is_validated(validator: RequestValidator) -> None:
    signed = "https://user:pass@mycompany.com/myapp.php?foo=1&bar=2"
    signature = "CukzLTc1tT5dXEDIHm/tKBanW10="  # TWILIO.md §2.6
    assert validator.compute_signature(signed, PARAMS) == signature
    received = "https://user:pass@mycompany.com:1234/myapp.php?foo=1&bar=2"
    assert validator.validate(received, PARAMS, signature)
    assert not OfficialValidator(TOKEN).validate(received, PARAMS, signature)  # its bug


def test_an_ipv6_host_with_a_port_is_validated(validator: RequestValidator) -> None:
    signature = validator.compute_signature("https://[2001:db8::1]/sms", PARAMS)
    assert validator.validate("https://[2001:db8::1]:8443/sms", PARAMS, signature)
    assert not OfficialValidator(TOKEN).validate(
        "https://[2001:db8::1]:8443/sms", PARAMS, signature
    )


def test_sha256_shared_key(validator: RequestValidator) -> None:
    signature = "033hgUJA9M/hXIZsYjwkerEP/DBm35nEri5FhCYjA5s="
    assert validator.validate(URL, PARAMS, signature, algorithm="HMAC_SHA256")
    assert not validator.validate(URL, PARAMS, signature)  # SHA-1 by default
    assert not validator.validate(URL, PARAMS, signature, algorithm="HMAC_MD5")


@pytest.mark.parametrize("signature", [None, "", "not-base64", EXPECTED[:-2]])
def test_bad_signatures_are_false_not_errors(validator: RequestValidator, signature: Any) -> None:
    assert validator.validate(URL, PARAMS, signature) is False


def test_unreadable_params_are_an_error_not_false(validator: RequestValidator) -> None:
    with pytest.raises(UnreadableParams):
        validator.validate(URL, {"Digits": 1234}, EXPECTED)  # type: ignore[dict-item]


def test_the_token_is_not_in_the_repr() -> None:
    assert "secret-token" not in repr(RequestValidator("secret-token"))


_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)


@settings(max_examples=200, deadline=None)
@given(
    params=st.dictionaries(_TEXT, _TEXT, max_size=6),
    path=st.text("abc/-_.~", max_size=10),
    query=st.text("abc=&12%", max_size=10),
)
def test_agrees_with_the_official_validator(params: dict[str, str], path: str, query: str) -> None:
    official = OfficialValidator(TOKEN)
    url = f"https://example.com/{path}" + (f"?{query}" if query else "")
    signature = official.compute_signature(url, params)
    assert RequestValidator(TOKEN).compute_signature(url, params) == signature
    assert RequestValidator(TOKEN).validate(url, params, signature)
    assert not RequestValidator("another token").validate(url, params, signature)
