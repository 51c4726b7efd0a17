"""twhooks.signature: computing and verifying X-Twilio-Signature."""

from __future__ import annotations

import hashlib
import hmac
import logging
from base64 import b64encode
from collections.abc import Callable

import pytest
from werkzeug.datastructures import MultiDict

from twhooks import (
    BodyHashMismatch,
    InvalidSignature,
    MissingSignature,
    SignatureError,
    SignatureVerifier,
    UnknownAccount,
    UnsupportedAlgorithm,
    compute_signature,
    is_valid_signature,
    verify_signature,
)
from twhooks.signature import Params, signing_string

#: Needs the runtime dependencies only: CI runs it after ``pip install twhooks`` too.
pytestmark = pytest.mark.core

# The published vectors of TWILIO.md §2.6 (Twilio's docs and helper-library tests).
TOKEN = "12345"
URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Caller": "+14158675309",
    "Digits": "1234",
    "From": "+14158675309",
    "To": "+18005551212",
}
REPEATED = [
    ("Sid", "CA123"),
    ("SidAccount", "AC123"),
    ("Digits", "5678"),
    ("Digits", "1234"),
    ("Digits", "1234"),
]
JSON_BODY = b'{"property": "value", "boolean": true}'
JSON_HASH = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620"
DOCS_PARAMS = {**PARAMS, "Caller": "+14158675310", "From": "+14158675310"}

PUBLISHED = [
    pytest.param(URL, PARAMS, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", id="sha1"),
    pytest.param(
        "https://mycompany.com:443/myapp.php?foo=1&bar=2",
        PARAMS,
        "kvajT1Ptam85bY51eRf/AJRuM3w=",
        id="https-port-443",
    ),
    pytest.param(
        "http://mycompany.com:80/myapp.php?foo=1&bar=2",
        PARAMS,
        "0ZXoZLH/DfblKGATFgpif+LLRf4=",
        id="http-port-80",
    ),
    pytest.param(
        "http://mycompany.com:1234/myapp.php?foo=1&bar=2",
        PARAMS,
        "Zmvh+3yNM1Phv2jhDCwEM3q5ebU=",
        id="http-port-1234",
    ),
    pytest.param(URL, REPEATED, "IK+Dwps556ElfBT0I3Rgjkr1wJU=", id="repeated-digits"),
    pytest.param(
        URL + "&bodySHA256=" + JSON_HASH, None, "a9nBmqA0ju/hNViExpshrM61xv4=", id="json-body"
    ),
    pytest.param(
        "https://user:pass@mycompany.com/myapp.php?foo=1&bar=2",
        PARAMS,
        "CukzLTc1tT5dXEDIHm/tKBanW10=",
        id="userinfo",
    ),
    pytest.param(URL, DOCS_PARAMS, "GvWf1cFY/Q7PnoempGyD5oXAezc=", id="docs-worked-example"),
]


@pytest.mark.parametrize(("url", "params", "signature"), PUBLISHED)
def test_compute_signature_matches_published_vectors(
    url: str, params: Params | None, signature: str
) -> None:
    assert compute_signature(TOKEN, url, params) == signature


def test_compute_signature_sha256_matches_published_vector() -> None:
    expected = "033hgUJA9M/hXIZsYjwkerEP/DBm35nEri5FhCYjA5s="
    assert compute_signature(TOKEN, URL, PARAMS, "HMAC_SHA256") == expected


@pytest.mark.parametrize(("url", "params", "signature"), PUBLISHED)
def test_verify_accepts_published_vectors(url: str, params: Params | None, signature: str) -> None:
    SignatureVerifier(TOKEN).verify(url, params, signature, body=JSON_BODY)


@pytest.mark.parametrize(
    ("url", "signature"),
    [
        pytest.param(URL, "kvajT1Ptam85bY51eRf/AJRuM3w=", id="signed-with-443-received-without"),
        pytest.param(
            "https://mycompany.com:443/myapp.php?foo=1&bar=2",
            "RSOYDt4T1cUTdK1PDd93/VVr8B8=",
            id="signed-without-port-received-with-443",
        ),
        pytest.param(
            "http://mycompany.com/myapp.php?foo=1&bar=2",
            "0ZXoZLH/DfblKGATFgpif+LLRf4=",
            id="signed-with-80-received-without",
        ),
    ],
)
def test_verify_accepts_either_port_form(url: str, signature: str) -> None:
    SignatureVerifier(TOKEN).verify(url, PARAMS, signature)


def test_sha256_with_shared_key_settings() -> None:
    verifier = SignatureVerifier(shared_keys={"webhooks_sharedkey_1": TOKEN})
    verifier.verify(
        URL,
        PARAMS,
        "033hgUJA9M/hXIZsYjwkerEP/DBm35nEri5FhCYjA5s=",
        settings="key=webhooks_sharedkey_1,algorithm=HMAC_SHA256",
    )


@pytest.mark.parametrize(
    "params",
    [
        pytest.param(PARAMS, id="dict"),
        pytest.param(list(PARAMS.items()), id="pairs"),
        pytest.param(iter(list(PARAMS.items())), id="iterator"),
        pytest.param(MultiDict(PARAMS), id="multidict"),
        pytest.param({k: [v] for k, v in PARAMS.items()}, id="dict-of-lists"),
    ],
)
def test_params_in_any_shape(params: Params) -> None:
    SignatureVerifier(TOKEN).verify(URL, params, "RSOYDt4T1cUTdK1PDd93/VVr8B8=")


def test_repeated_params_as_multidict_and_dict_of_lists() -> None:
    signature = "IK+Dwps556ElfBT0I3Rgjkr1wJU="
    verifier = SignatureVerifier(TOKEN)
    verifier.verify(URL, MultiDict(REPEATED), signature)
    verifier.verify(
        URL, {"Sid": "CA123", "SidAccount": "AC123", "Digits": ["5678", "1234"]}, signature
    )


def test_signing_string_sorts_by_code_point_and_keeps_blank_values() -> None:
    params = [("a", "1"), ("B", "2"), ("Empty", ""), ("a", "0"), ("a", "1")]
    assert signing_string("https://x/", params) == "https://x/B2Emptya0a1"


def test_blank_value_changes_the_signature() -> None:
    with_blank = compute_signature(TOKEN, URL, {**PARAMS, "Body": ""})
    assert with_blank != compute_signature(TOKEN, URL, PARAMS)
    SignatureVerifier(TOKEN).verify(URL, {**PARAMS, "Body": ""}, with_blank)
    with pytest.raises(InvalidSignature):
        SignatureVerifier(TOKEN).verify(URL, PARAMS, with_blank)


def test_hmac_matches_the_standard_library_for_long_and_unicode_secrets() -> None:
    # Secrets longer than the hash block are hashed first: exercise that branch too.
    for secret in ["x" * 200, "ключ-🔑", TOKEN]:
        for algorithm, digest in [("HMAC_SHA1", hashlib.sha1), ("HMAC_SHA256", hashlib.sha256)]:
            message = signing_string(URL, PARAMS).encode()
            mac = hmac.new(secret.encode(), message, digest).digest()
            expected = b64encode(mac).decode()
            assert compute_signature(secret, URL, PARAMS, algorithm) == expected
            keys = {"k": secret}
            SignatureVerifier(secret, shared_keys=keys).verify(
                URL, PARAMS, expected, settings=f"key=k,algorithm={algorithm}"
            )


@pytest.mark.parametrize(
    ("received", "signed"),
    [
        pytest.param(
            "https://example.com/sms?name=O'Brien",
            "https://example.com/sms?name=O%27Brien",
            id="werkzeug-decoded-quote",
        ),
        pytest.param(
            "https://example.com/sms?e=a%40b.c",
            "https://example.com/sms?e=a@b.c",
            id="signed-unescaped",
        ),
        pytest.param(
            "https://example.com/voice?Caller=sip%3Aalice%40example.com&Name=O%27Brien",
            "https://example.com/voice?Caller=sip:alice@example.com&Name=O%27Brien",
            id="sip-address-signed-plain-apostrophe-escaped",
        ),
        pytest.param(
            "https://example.com/sms?n=O'Brien&e=a@b",
            "https://example.com/sms?n=O%27Brien&e=a@b",
            id="whatwg-escapes-only-the-apostrophe",
        ),
        pytest.param(
            "https://user:pass@[::1]/sms",
            "https://user:pass@[::1]:443/sms",
            id="userinfo-ipv6-default-port",
        ),
        pytest.param(
            "https://user:pass@example.com:443/sms",
            "https://user:pass@example.com/sms",
            id="userinfo-port-removed",
        ),
    ],
)
def test_verify_finds_the_signed_variant(received: str, signed: str) -> None:
    signature = compute_signature(TOKEN, signed, PARAMS)
    SignatureVerifier(TOKEN).verify(received, PARAMS, signature)


class TestFailures:
    """Every failure raises a SignatureError subclass that says what went wrong."""

    def test_missing_signature(self) -> None:
        for missing in (None, ""):
            with pytest.raises(MissingSignature) as info:
                SignatureVerifier(TOKEN).verify(URL, PARAMS, missing)
            assert info.value.code == "missing_signature"
            assert info.value.url == URL

    def test_wrong_token_lists_every_variant_tried(self) -> None:
        signature = compute_signature("another-token", URL, PARAMS)
        with pytest.raises(InvalidSignature) as info:
            SignatureVerifier(TOKEN).verify(URL, PARAMS, signature)
        error = info.value
        assert error.url == URL
        assert error.tried == (URL, "https://mycompany.com:443/myapp.php?foo=1&bar=2")
        assert "1 known secret" in error.reason
        assert "tried: " + URL in str(error)

    @pytest.mark.parametrize(
        "change",
        [
            pytest.param(lambda p: {**p, "Digits": "1235"}, id="value"),
            pytest.param(lambda p: {**p, "Extra": ""}, id="added-blank"),
            pytest.param(lambda p: {k: v for k, v in p.items() if k != "To"}, id="removed"),
            pytest.param(lambda p: {**p, "digits": p["Digits"]}, id="name-case"),
        ],
    )
    def test_tampered_params(self, change: Callable[[dict[str, str]], dict[str, str]]) -> None:
        with pytest.raises(InvalidSignature):
            SignatureVerifier(TOKEN).verify(URL, change(PARAMS), "RSOYDt4T1cUTdK1PDd93/VVr8B8=")

    @pytest.mark.parametrize(
        "url",
        [
            pytest.param("http://mycompany.com/myapp.php?foo=1&bar=2", id="scheme"),
            pytest.param("https://mycompany.com/myapp.php?foo=1&bar=3", id="query"),
            pytest.param("https://mycompany.com:443/myapp.php?foo=1&bar=2&", id="extra-amp"),
            pytest.param("https://mycompany.org/myapp.php?foo=1&bar=2", id="host"),
            pytest.param("https://mycompany.com/myapp.PHP?foo=1&bar=2", id="path-case"),
            pytest.param("https://mycompany.com/myapp.php", id="no-query"),
        ],
    )
    def test_other_url(self, url: str) -> None:
        with pytest.raises(InvalidSignature):
            SignatureVerifier(TOKEN).verify(url, PARAMS, "RSOYDt4T1cUTdK1PDd93/VVr8B8=")

    @pytest.mark.parametrize(
        "signature",
        [
            pytest.param("RSOYDt4T1cUTdK1PDd93/VVr8B8", id="truncated"),
            pytest.param("RSOYDt4T1cUTdK1PDd93/VVr8B8= ", id="trailing-space"),
            pytest.param("rsoydt4t1cutdk1pdd93/vvr8b8=", id="case"),
            pytest.param("RSOYDt4T1cUTdK1PDd93/VVr8B8=é", id="non-ascii"),
        ],
    )
    def test_malformed_signature(self, signature: str) -> None:
        with pytest.raises(InvalidSignature):
            SignatureVerifier(TOKEN).verify(URL, PARAMS, signature)

    def test_body_hash_mismatch(self) -> None:
        url = URL + "&bodySHA256=" + JSON_HASH
        signature = "a9nBmqA0ju/hNViExpshrM61xv4="
        with pytest.raises(BodyHashMismatch, match="not the SHA-256 of the body") as info:
            SignatureVerifier(TOKEN).verify(url, None, signature, body=JSON_BODY + b" ")
        assert info.value.code == "body_hash_mismatch"
        with pytest.raises(BodyHashMismatch, match="no body was given"):
            SignatureVerifier(TOKEN).verify(url, None, signature)

    def test_body_hash_ignores_form_params(self) -> None:
        # With bodySHA256 the body is bound by its hash; params must not be appended.
        url = URL + "&bodySHA256=" + JSON_HASH
        SignatureVerifier(TOKEN).verify(url, PARAMS, "a9nBmqA0ju/hNViExpshrM61xv4=", body=JSON_BODY)

    def test_body_hash_uppercase_hex_accepted(self) -> None:
        url = URL + "&bodySHA256=" + JSON_HASH.upper()
        signature = compute_signature(TOKEN, url)
        SignatureVerifier(TOKEN).verify(url, None, signature, body=JSON_BODY)

    def test_forged_body_hash_fails_on_the_signature(self) -> None:
        forged = hashlib.sha256(b"{}").hexdigest()
        url = URL + "&bodySHA256=" + forged
        with pytest.raises(InvalidSignature):
            SignatureVerifier(TOKEN).verify(url, None, "a9nBmqA0ju/hNViExpshrM61xv4=", body=b"{}")

    @pytest.mark.parametrize(
        "settings",
        [
            pytest.param("key=k1,algorithm=HMAC_SHA512", id="sha512"),
            pytest.param("algorithm=none", id="none"),
            pytest.param("key=k1,algorithm=MD5", id="md5"),
        ],
    )
    def test_unknown_algorithm_fails_closed(self, settings: str) -> None:
        verifier = SignatureVerifier(TOKEN, shared_keys={"k1": TOKEN})
        with pytest.raises(UnsupportedAlgorithm, match="unsupported signature algorithm") as info:
            verifier.verify(URL, PARAMS, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", settings=settings)
        assert info.value.code == "unsupported_algorithm"

    def test_compute_signature_rejects_unknown_algorithm(self) -> None:
        with pytest.raises(UnsupportedAlgorithm):
            compute_signature(TOKEN, URL, PARAMS, "HMAC_MD5")

    def test_unknown_shared_key(self) -> None:
        verifier = SignatureVerifier(TOKEN, shared_keys={"k1": "secret"})
        with pytest.raises(UnknownAccount, match="no shared key with id 'k2'"):
            verifier.verify(URL, PARAMS, "x", settings="key=k2,algorithm=HMAC_SHA256")

    def test_shared_key_settings_without_shared_keys(self) -> None:
        with pytest.raises(UnknownAccount):
            SignatureVerifier(TOKEN).verify(
                URL, PARAMS, "x", settings="key=k1,algorithm=HMAC_SHA256"
            )

    def test_no_token_configured(self) -> None:
        with pytest.raises(UnknownAccount, match="no auth token configured"):
            SignatureVerifier().verify(URL, PARAMS, "RSOYDt4T1cUTdK1PDd93/VVr8B8=")

    def test_shared_key_signature_is_not_accepted_as_auth_token_signature(self) -> None:
        # A SHA-256 signature must not pass when the request says nothing about SHA-256.
        verifier = SignatureVerifier(TOKEN, shared_keys={"k1": TOKEN})
        with pytest.raises(InvalidSignature):
            verifier.verify(URL, PARAMS, "033hgUJA9M/hXIZsYjwkerEP/DBm35nEri5FhCYjA5s=")


class TestSecrets:
    """Rotation, subaccounts and shared keys."""

    def test_rotation_accepts_primary_and_secondary(self) -> None:
        verifier = SignatureVerifier(["new-primary", TOKEN])
        verifier.verify(URL, PARAMS, "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
        verifier.verify(URL, PARAMS, compute_signature("new-primary", URL, PARAMS))
        with pytest.raises(InvalidSignature, match="2 known secrets"):
            verifier.verify(URL, PARAMS, compute_signature("retired", URL, PARAMS))

    def test_subaccount_token_lookup(self) -> None:
        tokens = {"AC1": "sub-one", "AC2": ["sub-two-new", "sub-two-old"]}
        verifier = SignatureVerifier("master", token_lookup=tokens.get)
        for sid, token in [("AC1", "sub-one"), ("AC2", "sub-two-old")]:
            params = {**PARAMS, "AccountSid": sid}
            verifier.verify(URL, params, compute_signature(token, URL, params))
            # The master token does not sign a subaccount's webhooks.
            with pytest.raises(InvalidSignature):
                verifier.verify(URL, params, compute_signature("master", URL, params))

    def test_lookup_falls_back_to_auth_tokens_for_unknown_accounts(self) -> None:
        verifier = SignatureVerifier("master", token_lookup=lambda sid: None)
        params = {**PARAMS, "AccountSid": "AC9"}
        verifier.verify(URL, params, compute_signature("master", URL, params))

    def test_lookup_without_fallback_reports_unknown_account(self) -> None:
        verifier = SignatureVerifier(token_lookup=lambda sid: None)
        params = [*PARAMS.items(), ("AccountSid", "AC9")]
        with pytest.raises(UnknownAccount, match="no auth token known for account 'AC9'") as info:
            verifier.verify(URL, params, compute_signature("x", URL, params))
        assert info.value.code == "unknown_account"

    def test_shared_keys_as_a_function(self) -> None:
        keys = {"k1": "s3cret"}
        verifier = SignatureVerifier(shared_keys=keys.get)
        settings = "key=k1, algorithm=HMAC_SHA256"
        signature = compute_signature("s3cret", URL, PARAMS, "HMAC_SHA256")
        verifier.verify(URL, PARAMS, signature, settings=settings)

    def test_settings_without_key_use_auth_tokens_with_that_algorithm(self) -> None:
        signature = "033hgUJA9M/hXIZsYjwkerEP/DBm35nEri5FhCYjA5s="
        SignatureVerifier(TOKEN).verify(URL, PARAMS, signature, settings="algorithm=HMAC_SHA256")

    @pytest.mark.parametrize("secret", ["AC-secret-token-42", "ключ"])
    def test_secrets_never_in_repr_str_or_errors(
        self, secret: str, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.DEBUG)
        verifier = SignatureVerifier(
            [secret, "other"], token_lookup=lambda sid: secret, shared_keys={"k": secret}
        )
        assert repr(verifier) == "<SignatureVerifier 2 auth token(s) +token_lookup +shared_keys>"
        assert secret not in str(verifier)
        errors: list[SignatureError] = []
        for settings in (None, "key=k,algorithm=HMAC_SHA256", "key=k,algorithm=X"):
            with pytest.raises(SignatureError) as info:
                verifier.verify(URL, PARAMS, "bad", settings=settings)
            errors.append(info.value)
        for error in errors:
            for text in (str(error), repr(error), error.reason, *error.tried):
                assert secret not in text
        assert secret not in caplog.text

    def test_request_values_in_reasons_are_escaped_and_cut_short(self) -> None:
        # Key ids and account SIDs come from the request: they must not forge log lines.
        verifier = SignatureVerifier(token_lookup=lambda sid: None, shared_keys={})
        params = {**PARAMS, "AccountSid": "AC1\nWARNING forged line" + "x" * 500}
        with pytest.raises(UnknownAccount) as info:
            verifier.verify(URL, params, "sig")
        assert "\n" not in info.value.reason
        assert len(info.value.reason) < 120
        with pytest.raises(UnknownAccount) as info:
            verifier.verify(URL, PARAMS, "sig", settings="key=k\r\nX,algorithm=HMAC_SHA256")
        assert "\r" not in info.value.reason

    def test_userinfo_password_redacted_in_errors(self) -> None:
        url = "https://twilio:hunter2@example.com/sms"
        with pytest.raises(InvalidSignature) as info:
            SignatureVerifier(TOKEN).verify(url, PARAMS, "bad")
        assert "hunter2" not in str(info.value)
        assert info.value.url == "https://twilio:***@example.com/sms"


def test_is_valid_and_module_functions() -> None:
    signature = "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    assert SignatureVerifier(TOKEN).is_valid(URL, PARAMS, signature)
    assert not SignatureVerifier(TOKEN).is_valid(URL, PARAMS, None)
    assert is_valid_signature(TOKEN, URL, PARAMS, signature)
    assert is_valid_signature([TOKEN, "b"], URL, PARAMS, signature)
    assert not is_valid_signature("wrong", URL, PARAMS, signature)
    verify_signature(TOKEN, URL, PARAMS, signature)
    json_url = URL + "&bodySHA256=" + JSON_HASH
    verify_signature(TOKEN, json_url, None, "a9nBmqA0ju/hNViExpshrM61xv4=", body=JSON_BODY)
    with pytest.raises(InvalidSignature):
        verify_signature("wrong", URL, PARAMS, signature)
