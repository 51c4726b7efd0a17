"""A :class:`SimulatedCall`: one phone call, its TwiML carried out verb by verb."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from .. import payloads
from ..exceptions import SimulationError, TooManyDocuments
from .reply import (
    MAX_DOCUMENTS,
    DialInfo,
    Element,
    GatherInfo,
    RecordInfo,
    Step,
    TwimlAnswer,
    own_text,
    read_twiml,
)
from .wire import CookieJar, Response

if TYPE_CHECKING:
    from .core import Simulator

__all__ = ["SimulatedCall"]

# The verbs during which nothing is asked of the caller: Twilio plays them and goes on.
_PASSIVE_VERBS = {"Say", "Play", "Pause", "Sms", "Start", "Stop", "Echo"}


class SimulatedCall:
    """One phone call from :attr:`from_` to the app's number :attr:`to`.

    The app's TwiML is carried out verb by verb, as Twilio does: what is said and
    played is collected, ``<Redirect>`` is followed at once, and the call waits at a
    ``<Gather>``, ``<Record>`` or ``<Dial>`` (:attr:`waiting_for`) for the caller's next
    move — :meth:`press`, :meth:`say`, :meth:`no_input`, :meth:`record`,
    :meth:`end_dial` — or :meth:`hangup`. The call ends at ``<Hangup>``, ``<Reject>``
    or the end of a document; its status callback (if any) then gets ``completed``.
    """

    def __init__(
        self,
        simulator: Simulator,
        url: str,
        *,
        from_: str,
        to: str,
        method: str = "POST",
        status_callback: str | None = None,
        params: payloads.Overrides | None = None,
    ) -> None:
        self.simulator = simulator
        self.url = simulator.url_for(url)
        self.from_ = from_
        self.to = to
        self.method = method.upper()
        #: Where the call's final status goes, absolute; ``None`` for nowhere.
        self.status_callback = simulator.url_for(status_callback) if status_callback else None
        self.cookies = CookieJar()
        #: The fields every webhook of this call repeats (``CallSid``, numbers…), with
        #: *params* applied as in :func:`twhooks.payloads.incoming_call`.
        self.params = payloads.incoming_call(
            from_=from_, to=to, account_sid=simulator.account_sid, params=params
        )
        #: The verb the call is waiting at (a parsed element), ``None`` when not waiting.
        self.waiting_for: Element | None = None
        #: ``None`` while the call goes on, then why it ended: ``"hangup"`` (the app),
        #: ``"rejected"``, ``"completed"`` (end of the document), ``"caller hung up"``,
        #: ``"error"`` (an answer Twilio could not use) or ``"<Verb> is not simulated"``.
        self.end_reason: str | None = None
        #: Every :class:`TwimlAnswer` of the call, oldest first.
        self.history: list[TwimlAnswer] = []
        self._document: Response | None = None
        # The URL the document was fetched from, without the fields a GET appends to it.
        self._document_url: str | None = None
        self._twiml: Element | None = None
        self._verbs: Sequence[Element] = ()
        self._position = 0
        self._started_at: float | None = None

    def __repr__(self) -> str:
        state = self.end_reason or (self.waiting_for.tag if self.waiting_for else "not started")
        return f"<SimulatedCall {self.params['CallSid']} {self.from_} → {self.to} ({state})>"

    @property
    def call_sid(self) -> str:
        """The ``CallSid`` of every webhook of this call."""
        return self.params["CallSid"]

    @property
    def started(self) -> bool:
        """``True`` once :meth:`start` was called."""
        return self._started_at is not None

    @property
    def ended(self) -> bool:
        """``True`` once the call is over."""
        return self.end_reason is not None

    @property
    def document_url(self) -> str | None:
        """The URL of the TwiML document the call is at."""
        return self._document_url

    # -- the caller's moves --
    def start(self) -> TwimlAnswer:
        """Place the call: the voice webhook, then the walk up to the first wait."""
        if self.started:
            raise SimulationError("the call has already started", url=self.url)
        self._started_at = time.monotonic()
        return self._step(self.url, self.method, self.params)

    def press(self, keys: str | int) -> TwimlAnswer:
        """Press *keys* at the waiting ``<Gather>``: ``Digits`` go to its action.

        As on a phone, the ``<Gather>`` stops at its ``finishOnKey`` (``#`` by default),
        which is reported as ``FinishedOnKey`` and not in ``Digits``, or after
        ``numDigits`` keys; later keys are not heard.
        """
        gather = self._gather("dtmf")
        keys = payloads.wire_value("Digits", keys)
        finish_key = gather.attrs.get("finishOnKey", "#")
        digits, finished_on_key = keys, ""
        if finish_key and finish_key in keys:
            digits, finished_on_key = keys[: keys.index(finish_key)], finish_key
        if gather.num_digits is not None and len(digits) >= gather.num_digits:
            digits, finished_on_key = digits[: gather.num_digits], ""
        params = payloads.gather_result(
            self._fields(), digits=digits, finished_on_key=finished_on_key
        )
        return self._step(*self._action(gather.action, gather.method), params)

    def say(self, speech: str, *, confidence: float = 0.92) -> TwimlAnswer:
        """Speak at the waiting ``<Gather>``: ``SpeechResult`` goes to its action."""
        gather = self._gather("speech")
        params = payloads.gather_result(self._fields(), speech=speech, confidence=confidence)
        return self._step(*self._action(gather.action, gather.method), params)

    def no_input(self) -> TwimlAnswer:
        """Stay silent at the waiting ``<Gather>`` or ``<Record>`` until it times out.

        After a ``<Gather>``, Twilio goes on with the next verb, or posts an empty result
        to the action when ``actionOnEmptyResult`` is ``true``. A ``<Record>`` with nothing
        recorded goes on with the next verb, without calling its action.
        """
        self._check_live("no_input")
        if self.waiting_for is not None and self.waiting_for.tag == "Record":
            return self._go_on()
        gather = self._gather(None)
        if gather.attrs.get("actionOnEmptyResult") == "true":
            params = payloads.gather_result(self._fields(), digits="")
            return self._step(*self._action(gather.action, gather.method), params)
        return self._go_on()

    def record(
        self, *, duration: int = 5, finish_key: str = "#", transcript: str = ""
    ) -> TwimlAnswer:
        """Leave a recording at the waiting ``<Record>``, ended with *finish_key*.

        The recording goes to its action; its ``recordingStatusCallback`` and
        ``transcribeCallback`` (with *transcript*) are called too, if set.
        """
        record = RecordInfo.from_element(self._waiting("Record", "record"))
        params = payloads.record_result(self._fields(), duration=duration, digits=finish_key)
        base = self.document_url or self.url
        reply = self._step(*self._action(record.action, record.method), params)
        # Twilio posts the action first; the recording and its transcription come later.
        callbacks = self._recording_callbacks(record, base, params, transcript)
        reply.status_callbacks += tuple(callbacks)
        return reply

    def end_dial(self, status: str = "completed", *, duration: int = 42) -> TwimlAnswer:
        """End the waiting ``<Dial>`` with *status* (``completed``, ``busy``, ``no-answer``…).

        The outcome goes to its action; without one, the call goes on after the ``<Dial>``.
        """
        dial = DialInfo.from_element(self._waiting("Dial", "end_dial"))
        if dial.action is None:
            return self._go_on()
        params = payloads.dial_result(self._fields(), status=status, duration=duration)
        return self._step(*self._action(dial.action, dial.method), params)

    def hangup(self) -> TwimlAnswer:
        """Hang up (the caller); the status callback gets ``completed``.

        Hanging up during a ``<Record>`` ends the recording: Twilio still posts it to the
        action, with ``Digits=hangup`` (the answer goes unheard).
        """
        self._check_live("hangup")
        step = Step()
        if self.waiting_for is not None and self.waiting_for.tag == "Record":
            record = RecordInfo.from_element(self.waiting_for)
            params = payloads.record_result(self._fields(), digits="hangup")
            url, method = self._action(record.action, record.method)
            step.responses.append(
                self.simulator.request(url, params, method=method, cookies=self.cookies)
            )
        self._end("caller hung up", step)
        return self._reply(step, None)

    # -- the walk --
    def _check_live(self, move: str) -> None:
        if not self.started:
            raise SimulationError(f"call.{move}(): the call has not started; call start() first")
        if self.ended:
            raise SimulationError(
                f"call.{move}(): the call has ended ({self.end_reason})", url=self.document_url
            )

    def _waiting(self, tag: str, move: str) -> Element:
        self._check_live(move)
        verb = self.waiting_for
        if verb is None or verb.tag != tag:
            at = f"<{verb.tag}>" if verb is not None else "nothing"
            raise SimulationError(
                f"call.{move}() needs a waiting <{tag}>, but the call is waiting at {at}",
                url=self.document_url,
            )
        return verb

    def _gather(self, kind: str | None) -> GatherInfo:
        move = {"dtmf": "press", "speech": "say", None: "no_input"}[kind]
        gather = GatherInfo.from_element(self._waiting("Gather", move))
        if kind is not None and kind not in gather.input:
            raise SimulationError(
                f"call.{move}(): the <Gather> takes input={' '.join(gather.input)!r}, not {kind}",
                url=self.document_url,
            )
        return gather

    def _fields(self) -> dict[str, str]:
        return dict(self.params)

    def _action(self, action: str | None, method: str) -> tuple[str, str]:
        # Without an action, Twilio requests the current document's URL again.
        base = self.document_url or self.url
        return (urljoin(base, action) if action else base), method

    def _step(self, url: str, method: str, params: Mapping[str, str]) -> TwimlAnswer:
        step = Step()
        fetch: tuple[str, str] | None = (url, method)
        error: str | None = None
        while fetch is not None:
            url, method = fetch
            if step.documents == MAX_DOCUMENTS:
                raise TooManyDocuments(
                    f"more than {MAX_DOCUMENTS} TwiML documents in one step of the call: "
                    "is there a <Redirect> loop?",
                    url=url,
                )
            fields = dict(params) if step.documents == 0 else self._in_progress()
            response = self.simulator.request(url, fields, method=method, cookies=self.cookies)
            step.documents += 1
            step.responses.append(response)
            twiml, error = read_twiml(response, voice=True)
            self._document, self._twiml = response, twiml
            self._document_url = self.simulator.url_for(url)
            if twiml is None:
                self._end("error", step)
                break
            self._verbs, self._position = twiml.children, 0
            fetch = self._walk(step)
        return self._reply(step, error)

    def _go_on(self) -> TwimlAnswer:
        step = Step()
        self._position += 1
        fetch = self._walk(step)
        if fetch is None:
            return self._reply(step, None)
        reply = self._step(*fetch, self._in_progress())
        reply.verbs = tuple(step.verbs) + reply.verbs
        return reply

    def _in_progress(self) -> dict[str, str]:
        fields = self._fields()
        fields["CallStatus"] = "in-progress"
        return fields

    def _walk(self, step: Step) -> tuple[str, str] | None:
        """Carry out verbs from the current position; a redirect to fetch, or ``None``."""
        self.waiting_for = None
        while self._position < len(self._verbs):
            verb = self._verbs[self._position]
            step.verbs.append(verb)
            if verb.tag in _PASSIVE_VERBS:
                self._position += 1
            elif verb.tag in {"Gather", "Record", "Dial"}:
                self.waiting_for = verb
                return None
            elif verb.tag == "Redirect":
                return self._action(own_text(verb), verb.attrs.get("method", "POST").upper())
            elif verb.tag == "Hangup":
                self._end("hangup", step)
                return None
            elif verb.tag == "Reject":
                self._end("rejected", step, status=verb.attrs.get("reason", "rejected"))
                return None
            else:
                self._end(f"<{verb.tag}> is not simulated", step)
                return None
        self._end("completed", step)
        return None

    def _end(self, reason: str, step: Step, *, status: str = "completed") -> None:
        self.end_reason = reason
        self.waiting_for = None
        if not self.status_callback:
            return
        if status != "completed":
            # A rejected call is never answered; Twilio ends it as busy (reason="busy")
            # or no-answer (reason="rejected"), per its <Reject> documentation.
            status = "busy" if status == "busy" else "no-answer"
        started = self._started_at if self._started_at is not None else time.monotonic()
        params = payloads.call_status(
            self._fields(), status=status, duration=int(time.monotonic() - started)
        )
        step.callbacks.append(self.simulator.request(self.status_callback, params))

    def _recording_callbacks(
        self, record: RecordInfo, base: str, params: Mapping[str, str], transcript: str
    ) -> list[Response]:
        callbacks = []
        recording_sid = params["RecordingSid"]
        duration = int(params["RecordingDuration"])
        if "recordingStatusCallback" in record.attrs:
            fields = payloads.recording_status(
                self._fields(), duration=duration, recording_sid=recording_sid
            )
            url = urljoin(base, record.attrs["recordingStatusCallback"])
            method = record.attrs.get("recordingStatusCallbackMethod", "POST")
            callbacks.append(self.simulator.request(url, fields, method=method))
        if "transcribeCallback" in record.attrs:
            fields = payloads.transcription(
                self._fields(), text=transcript, recording_sid=recording_sid
            )
            url = urljoin(base, record.attrs["transcribeCallback"])
            callbacks.append(self.simulator.request(url, fields))
        return callbacks

    def _reply(self, step: Step, error: str | None) -> TwimlAnswer:
        reply = TwimlAnswer(
            responses=step.responses,
            verbs=step.verbs,
            document=self._document,
            twiml=self._twiml,
            error=error,
            callbacks=step.callbacks,
        )
        self.history.append(reply)
        return reply
