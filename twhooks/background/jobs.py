"""A background job: one webhook's handler run, as plain data a queue can carry.

A :class:`Job` is what the dispatcher hands a runner (:mod:`twhooks.background.runner`) once
it answered Twilio: the webhook's verified parameters, the handler's registered name, the
trace context of the webhook's span. It is JSON (never pickle), so that any queue can carry
it and a worker of another version can read it or refuse it clearly.

Its :attr:`Job.id` is the exactly-once key of the handler's run (:func:`job_id`): the same for
every retry of the webhook, and claimed in the store by the worker that runs it
(:mod:`twhooks.background.execute`). No web framework here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Job", "JobFormatError", "job_id"]

#: The version of the JSON form; a worker refuses a job of another version.
FORMAT = 1


class JobFormatError(ValueError):
    """A job's JSON cannot be read (another version of twhooks, or not a job at all)."""


@dataclass(frozen=True, slots=True)
class Job:
    """One background handler's run for one webhook.

    :param id: the exactly-once key of the run (:func:`job_id`).
    :param kind: the webhook's kind (a name of :data:`twhooks.kinds.KINDS`).
    :param handler: the handler's registered name, ``module:qualname``.
    :param url: the URL the webhook was signed for.
    :param params: the webhook's verified parameters, in the order received.
    :param account_sid: the webhook's ``AccountSid``.
    :param carrier: the W3C trace context of the webhook's span (may be empty).
    :param queued_at: when it was queued (Unix time).
    :param origin: the webhook's request as it came — ``method``, ``path``, ``query``,
        ``content_type``, ``body`` — so that a failed job joins the dead-letter list under the
        webhook's key and a re-run of the webhook runs it again.
    """

    id: str
    kind: str
    handler: str
    url: str
    params: tuple[tuple[str, str], ...]
    account_sid: str | None = None
    carrier: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    queued_at: float = 0.0
    origin: dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    def to_json(self) -> str:
        """The job as JSON text (plain types only)."""
        return json.dumps(
            {
                "v": FORMAT,
                "id": self.id,
                "kind": self.kind,
                "handler": self.handler,
                "url": self.url,
                "params": [list(pair) for pair in self.params],
                "account_sid": self.account_sid,
                "carrier": dict(self.carrier),
                "queued_at": self.queued_at,
                "origin": dict(self.origin),
            },
            separators=(",", ":"),
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> Job:
        """The job of :meth:`to_json`'s *text*.

        :raises JobFormatError: *text* is not a job of this version.
        """
        try:
            data = json.loads(text)
        except ValueError as error:
            raise JobFormatError(f"a twhooks job is JSON text: {error}") from None
        if not isinstance(data, dict) or data.get("v") != FORMAT:
            version = data.get("v") if isinstance(data, dict) else None
            raise JobFormatError(
                f"not a twhooks job of format {FORMAT} (format {version!r}): was it queued "
                "by another version of twhooks?"
            )
        try:
            params = tuple((str(k), str(v)) for k, v in data["params"])
            carrier = {str(k): str(v) for k, v in (data.get("carrier") or {}).items()}
            account = data.get("account_sid")
            return cls(
                id=_text(data, "id"),
                kind=_text(data, "kind"),
                handler=_text(data, "handler"),
                url=_text(data, "url"),
                params=params,
                account_sid=None if account is None else str(account),
                carrier=carrier,
                queued_at=float(data.get("queued_at") or 0.0),
                origin={str(k): str(v) for k, v in (data.get("origin") or {}).items()},
            )
        except (KeyError, TypeError, ValueError) as error:
            raise JobFormatError(f"a twhooks job with a malformed field: {error!r}") from None


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data[name]
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} must be a non-empty string, not {value!r}")
    return value


def job_id(kind: str, handler: str, params: Iterable[tuple[str, str]]) -> str:
    """The exactly-once key of *handler*'s run for a webhook of *kind* with *params*.

    A digest of the kind, the handler and the parameters, sorted: every retry of a webhook
    carries the same parameters (and so the same key), while two webhooks differ in them (a
    message by its ``MessageSid``; a status callback by its SID and status, a call's by its
    ``SequenceNumber`` too). The same callback delivered twice by Twilio is one run.
    """
    digest = hashlib.sha256()
    for part in (kind, handler):
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    for name, value in sorted(params):
        digest.update(f"{name}={value}\0".encode("utf-8", "surrogatepass"))
    return f"{kind}:{digest.hexdigest()[:40]}"
