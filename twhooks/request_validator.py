"""The official SDK's ``RequestValidator``, on the twhooks verifier.

Code written against ``twilio.request_validator`` (a Django view, another framework's
handler) runs unchanged after its import line changes::

    # from twilio.request_validator import RequestValidator
    from twhooks.request_validator import RequestValidator

    validator = RequestValidator(auth_token)
    if not validator.validate(url, request.POST, request.headers["X-Twilio-Signature"]):
        return HttpResponseForbidden()

The checks are :class:`~twhooks.signature.SignatureVerifier`'s, so this class also gets
twhooks' fixes: ports next to ``user:pass@`` and IPv6 hosts, repeated values from any
multi-mapping (``getall`` or ``getlist``), either sort order of Twilio's libraries. Where it
refuses what the official one accepts, see :doc:`/migrating`.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Mapping
from typing import Any

from .exceptions import SignatureError
from .signature import Params, SignatureVerifier, _pairs, compute_signature
from .urls import query_value, redact

__all__ = ["RequestValidator"]

logger = logging.getLogger(__name__)


class RequestValidator:
    """Validate ``X-Twilio-Signature`` with the API of ``twilio.request_validator``.

    :param token: the account's auth token (or a SharedKey's secret, with
        ``algorithm="HMAC_SHA256"``). It never appears in the repr or in log lines.
    """

    def __init__(self, token: str) -> None:
        self._token = token
        self._verifier = SignatureVerifier(token)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    def compute_signature(
        self, uri: str, params: Params | None, algorithm: str | None = None
    ) -> str:
        """The signature Twilio would send for this request.

        :param uri: the full URL Twilio requested.
        :param params: the form parameters: a dict, a multi-mapping (werkzeug, Django,
            multidict) or ``(name, value)`` pairs; ``None`` or empty for none.
        :param algorithm: ``"HMAC_SHA1"`` (the default) or ``"HMAC_SHA256"``.
        :raises UnsupportedAlgorithm: any other algorithm.
        :raises UnreadableParams: *params* is not a container of text twhooks can read.
        """
        return compute_signature(self._token, uri, params or None, algorithm or "HMAC_SHA1")

    def get_values(self, param_dict: Mapping[str, Any], param_name: str) -> list[str]:
        """Every value of *param_name* in *param_dict*, repeated ones included."""
        return [value for name, value in _pairs(param_dict) if name == param_name]

    def compute_hash(self, body: str) -> str:
        """The lowercase hex SHA-256 of *body* (UTF-8), as ``bodySHA256`` carries it."""
        return hashlib.sha256(body.encode("utf-8")).hexdigest()

    def validate_body(self, body: str, expected_hash: str) -> bool:
        """Whether *expected_hash* (a ``bodySHA256`` value) is the SHA-256 of *body*,
        compared in constant time."""
        return hmac.compare_digest(
            self.compute_hash(body).encode("ascii"), expected_hash.lower().encode("utf-8")
        )

    def validate(
        self,
        uri: str,
        params: Params | str | None,
        signature: str | None,
        algorithm: str | None = None,
    ) -> bool:
        """Whether the request is signed by Twilio.

        :param uri: the full URL Twilio requested, query string as received.
        :param params: the form parameters (a dict, a multi-mapping, pairs), or the raw body
            as a ``str`` for a JSON request, whose URL then carries ``bodySHA256``.
        :param signature: the ``X-Twilio-Signature`` header value.
        :param algorithm: ``"HMAC_SHA1"`` (the default) or ``"HMAC_SHA256"``, from the
            ``X-Twilio-Webhooks-Signature-Settings`` header. An unknown one fails.
        :returns: ``True`` if valid; ``False`` otherwise, with the reason logged at INFO
            (the URL with its password redacted, never the token).
        :raises UnreadableParams: *params* is not a container of text twhooks can read.
        """
        body: bytes | None = None
        form: Params | None = None
        if isinstance(params, str):
            if query_value(uri, "bodySHA256") is None:
                # A body the URL does not bind would go unchecked: refuse rather than pass.
                logger.info("body given without bodySHA256 in the URL %s", redact(uri))
                return False
            body = params.encode("utf-8")
        else:
            form = params or None
        settings = None if algorithm is None else f"algorithm={algorithm}"
        try:
            self._verifier.verify(uri, form, signature, body=body, settings=settings)
        except SignatureError as error:
            logger.info("invalid Twilio request: %s", error)
            return False
        return True
