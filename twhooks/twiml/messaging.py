"""Messaging TwiML: :class:`MessagingResponse`, ``<Message>`` and its ``<Body>``/``<Media>``."""

from __future__ import annotations

from typing import Any

from ..exceptions import TwiMLLimitExceeded
from ._base import (
    MAX_MESSAGE_CHARS,
    AttrValue,
    TextValue,
    TwiML,
    _new,
    _Unrepresentable,
    extra_attrs,
    invalid,
    message_too_long,
    quote_attr,
    quote_text,
    render_text,
)
from .voice import Redirect, _RedirectBuilder

__all__ = [
    "Body",
    "Media",
    "Message",
    "MessagingResponse",
    "Redirect",
]


class MessagingResponse(_RedirectBuilder, TwiML):
    """A ``<Response>`` for Messaging: the root of a Messaging TwiML document. It holds
    ``<Message>``, ``<Redirect>``.
    """

    __slots__ = ()
    _tag = "Response"

    def __init__(self, **kwargs: Any) -> None:
        if kwargs:
            super().__init__(None, **kwargs)
        else:
            self._head = "<Response"
            self._content = []

    def message(
        self,
        body: TextValue = None,
        to: AttrValue = None,
        from_: AttrValue = None,
        action: AttrValue = None,
        method: AttrValue = None,
        status_callback: AttrValue = None,
        **kwargs: Any,
    ) -> Message:
        """Add a ``<Message>`` child and return it.

        :param body: Message Body
        :param to: Phone Number to send Message to
        :param from_: Phone Number to send Message from
        :param action: A URL specifying where Twilio should send status callbacks for the created
            outbound message.
        :param method: Action URL Method
        :param status_callback: Status callback URL. Deprecated in favor of action.
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<Message"
            if to is not None:
                head += ' to="' + quote_attr(to) + '"'
            if from_ is not None:
                head += ' from="' + quote_attr(from_) + '"'
            if action is not None:
                head += ' action="' + quote_attr(action) + '"'
            if method is not None:
                head += ' method="' + quote_attr(method) + '"'
            if status_callback is not None:
                head += ' statusCallback="' + quote_attr(status_callback) + '"'
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = []
            if body is not None:
                raw = body if type(body) is str else render_text(body)
                if len(raw) > MAX_MESSAGE_CHARS:
                    raise message_too_long(len(raw))
                content.append(quote_text(raw))
        except _Unrepresentable:
            raise invalid(
                "Message",
                body,
                {
                    "to": to,
                    "from": from_,
                    "action": action,
                    "method": method,
                    "statusCallback": status_callback,
                },
                kwargs,
            ) from None
        node = _new(Message)
        node._head = head
        node._content = content
        self._content.append(node)
        return node


class Message(TwiML):
    """The ``<Message>`` TwiML verb. It holds ``<Body>``, ``<Media>``."""

    __slots__ = ()
    _tag = "Message"

    def __init__(self, body: TextValue = None, **kwargs: Any) -> None:
        super().__init__(body, **kwargs)

    def body(
        self,
        message: TextValue,
        **kwargs: Any,
    ) -> Body:
        """Add a ``<Body>`` child and return it.

        :param message: Message Body
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<Body"
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = [] if message is None else [quote_text(message)]
        except _Unrepresentable:
            raise invalid("Body", message, {}, kwargs) from None
        node = _new(Body)
        node._head = head
        node._content = content
        self._content.append(node)
        try:
            self._check()
        except TwiMLLimitExceeded:
            self._content.pop()
            raise
        return node

    def media(
        self,
        url: TextValue,
        **kwargs: Any,
    ) -> Media:
        """Add a ``<Media>`` child and return it.

        :param url: Media URL
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<Media"
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = [] if url is None else [quote_text(url)]
        except _Unrepresentable:
            raise invalid("Media", url, {}, kwargs) from None
        node = _new(Media)
        node._head = head
        node._content = content
        self._content.append(node)
        return node

    def _check(self) -> None:
        # Twilio's limit is on the whole body: the text plus every <Body>.
        size = sum(
            len(item)
            if isinstance(item, str)
            else len(item.text or "")
            if item.tag == "Body"
            else 0
            for item in self.content
        )
        if size > MAX_MESSAGE_CHARS:
            raise message_too_long(size)


class Media(TwiML):
    """The ``<Media>`` TwiML noun, inside ``<Message>``."""

    __slots__ = ()
    _tag = "Media"

    def __init__(self, url: TextValue, **kwargs: Any) -> None:
        super().__init__(url, **kwargs)


class Body(TwiML):
    """The ``<Body>`` TwiML noun, inside ``<Message>``."""

    __slots__ = ()
    _tag = "Body"

    def __init__(self, message: TextValue, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)

    def _check(self) -> None:
        # A <Body> does not know its <Message>; Message.body() and Message.append()
        # check the total, this checks a <Body> on its own.
        size = len(self.text or "")
        if size > MAX_MESSAGE_CHARS:
            raise message_too_long(size)


# Which children each element may hold (tag -> class), from its builder methods.
MessagingResponse._child_classes = {"Message": Message, "Redirect": Redirect}
Message._child_classes = {"Body": Body, "Media": Media}
