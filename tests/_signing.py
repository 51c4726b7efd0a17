"""Sign test requests with the OFFICIAL twilio SDK, so twhooks is checked against Twilio's rules.

Tests must never sign with twhooks itself: a bug shared by signer and verifier would pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict

TOKEN = "test-auth-token-0123456789abcdef"

Pairs = Mapping[str, str] | Iterable[tuple[str, str]]


def as_pairs(params: Pairs) -> list[tuple[str, str]]:
    return list(params.items()) if isinstance(params, Mapping) else list(params)


def official_signature(url: str, params: Pairs, token: str = TOKEN) -> str:
    """``X-Twilio-Signature`` for a POST of ``params`` to ``url``, computed by the twilio SDK."""
    return str(RequestValidator(token).compute_signature(url, MultiDict(as_pairs(params))))


def signed_post(
    client: Any,
    path: str,
    params: Pairs,
    *,
    token: str = TOKEN,
    base_url: str = "http://localhost",
    headers: Mapping[str, str] | None = None,
) -> Any:
    """POST ``params`` as a form to ``path`` with the Flask test ``client``, signed."""
    pairs = as_pairs(params)
    url = base_url + path
    all_headers = {"X-Twilio-Signature": official_signature(url, pairs, token)}
    all_headers.update(headers or {})
    return client.post(
        path,
        data=urlencode(pairs),
        content_type="application/x-www-form-urlencoded; charset=UTF-8",
        headers=all_headers,
        base_url=base_url,
    )


def signed_get(
    client: Any,
    path: str,
    params: Pairs,
    *,
    token: str = TOKEN,
    base_url: str = "http://localhost",
) -> Any:
    """GET ``path?params`` with the Flask test ``client``, signed over the full URL."""
    query = urlencode(as_pairs(params))
    url = f"{base_url}{path}?{query}" if query else base_url + path
    signature = str(RequestValidator(token).compute_signature(url, {}))
    return client.get(
        f"{path}?{query}", headers={"X-Twilio-Signature": signature}, base_url=base_url
    )
