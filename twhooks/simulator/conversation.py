"""A :class:`SimulatedConversation`: one person texting one of the app's numbers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from .. import payloads
from ..exceptions import SimulationError, TooManyDocuments
from .reply import MAX_DOCUMENTS, Element, OutgoingMessage, Step, TwimlAnswer, own_text, read_twiml
from .wire import CookieJar, Request, Response

if TYPE_CHECKING:
    from .core import Simulator

__all__ = ["SimulatedConversation"]

_MESSAGING_VERBS = frozenset({"Message", "Redirect"})


class SimulatedConversation:
    """One person (:attr:`from_`) texting one of the app's numbers (:attr:`to`).

    Cookies the app sets are kept for this pair, as Twilio does, so a dialog spread over
    several messages works as it would with a real phone.
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
        cookies: CookieJar | None = None,
    ) -> None:
        self.simulator = simulator
        self.url = simulator.url_for(url)
        self.from_ = from_
        if from_.startswith("whatsapp:") and not to.startswith("whatsapp:"):
            to = "whatsapp:" + to  # a WhatsApp sender writes to a WhatsApp address
        self.to = to
        self.method = method.upper()
        #: Where every reply's statuses go, absolute (``None``: only ``statusCallback``).
        self.status_callback = simulator.url_for(status_callback) if status_callback else None
        #: The cookies Twilio keeps for this (From, To) pair.
        self.cookies = cookies if cookies is not None else CookieJar()
        self.messaging_service_sid = payloads.new_sid("MG")
        #: Every :class:`TwimlAnswer` of the conversation, oldest first.
        self.history: list[TwimlAnswer] = []
        self._last: tuple[Request, Mapping[str, str]] | None = None

    def __repr__(self) -> str:
        return f"<SimulatedConversation {self.from_} → {self.to} at {self.url}>"

    def send(
        self,
        body: str = "",
        *,
        media: Sequence[str | tuple[str, str]] = (),
        params: payloads.Overrides | None = None,
        **fields: Any,
    ) -> TwimlAnswer:
        """Text *body* (and *media*) to the app; return what it answered.

        Extra fields are set as in :func:`twhooks.payloads.incoming_message`.

        :raises TooManyDocuments: after 50 documents (a ``<Redirect>`` loop).
        """
        message = payloads.incoming_message(
            body,
            from_=self.from_,
            to=self.to,
            media=media,
            account_sid=self.simulator.account_sid,
            messaging_service_sid=self.messaging_service_sid,
            params=params,
            **fields,
        )
        request = self.simulator.build_request(
            self.url, message, method=self.method, cookies=self.cookies
        )
        return self._exchange(request, message)

    def retry(self) -> TwimlAnswer:
        """Send the last message again, exactly as before, as Twilio does after a failure.

        The request is the same, byte for byte: fields, cookies, signature and
        ``I-Twilio-Idempotency-Token``, so the app can recognise the duplicate.

        :raises SimulationError: no message was sent yet.
        """
        if self._last is None:
            raise SimulationError("conversation.retry(): no message was sent yet", url=self.url)
        return self._exchange(*self._last)

    def _exchange(self, request: Request, message: Mapping[str, str]) -> TwimlAnswer:
        """Send *request*, then carry out the answers, following redirects."""
        self._last = (request, message)
        step = Step()
        url, method = self.url, self.method
        document: Response | None = None
        twiml: Element | None = None
        error: str | None = None
        # Verbs of voice TwiML seen on the way: a loop of them is a voice webhook texted.
        foreign: dict[str, None] = {}
        while True:
            if step.documents == MAX_DOCUMENTS:
                hint = ""
                if foreign:
                    tags = ", ".join(f"<{tag}>" for tag in foreign)
                    hint = f" The answers hold voice verbs ({tags}): is it the voice webhook?"
                raise TooManyDocuments(
                    f"more than {MAX_DOCUMENTS} TwiML documents for one message "
                    f"(Twilio error 14106): is there a <Redirect> loop?{hint}",
                    url=url,
                )
            if step.documents == 0:
                document = self.simulator.deliver(request, cookies=self.cookies)
            else:
                # A redirect carries the same message; the cookies are the current ones.
                document = self.simulator.request(url, message, method=method, cookies=self.cookies)
            step.documents += 1
            step.responses.append(document)
            twiml, error = read_twiml(document, voice=False)
            if twiml is None:
                break
            foreign.update(
                (verb.tag, None) for verb in twiml.children if verb.tag not in _MESSAGING_VERBS
            )
            redirect = self._carry_out(twiml, url, step)
            if redirect is None:
                break
            url, method = redirect
        reply = TwimlAnswer(
            responses=step.responses,
            verbs=step.verbs,
            document=document,
            twiml=twiml,
            error=error,
            callbacks=step.callbacks,
            warnings=step.warnings,
        )
        self.history.append(reply)
        return reply

    def _carry_out(self, twiml: Element, base: str, step: Step) -> tuple[str, str] | None:
        for verb in twiml.children:
            if verb.tag == "Message":
                step.verbs.append(verb)
                step.callbacks.extend(self._deliver(OutgoingMessage.from_element(verb), base))
            elif verb.tag == "Redirect":
                step.verbs.append(verb)
                return urljoin(base, own_text(verb)), verb.attrs.get("method", "POST").upper()
            else:
                step.warnings.append(
                    f"<{verb.tag}> is not a messaging verb: Twilio ignores it "
                    f"(warning 12200) in {base}"
                )
        return None

    def _deliver(self, message: OutgoingMessage, base: str) -> list[Response]:
        """Send the delivery statuses of a reply to its status callback, if it has one."""
        if message.status_callback:
            url = urljoin(base, message.status_callback)
        elif self.status_callback:
            url = self.status_callback
        else:
            return []
        sid = payloads.new_sid("MM" if message.media else "SM")
        return [
            self.simulator.request(
                url,
                payloads.message_status(
                    status,
                    message_sid=sid,
                    from_=message.from_ or self.to,
                    to=message.to or self.from_,
                    account_sid=self.simulator.account_sid,
                    messaging_service_sid=self.messaging_service_sid,
                ),
            )
            for status in ("queued", "sent", "delivered")
        ]
