"""Messaging TwiML: :class:`MessagingResponse`, ``<Message>`` and its ``<Body>``/``<Media>``."""

from __future__ import annotations

from typing import Any

from ..exceptions import TwiMLLimitExceeded
from ._base import (
    MAX_MESSAGE_CHARS,
    AttrValue,
    TextValue,
    TwiML,
    _SubElement,
    invalid,
    message_too_long,
    render_attr,
    render_text,
    set_extra,
    wrap,
)
from .voice import Redirect, _RedirectBuilder

_new = object.__new__


class MessagingResponse(_RedirectBuilder, TwiML):
    """A ``<Response>`` for Messaging: the root of a Messaging TwiML document."""

    __slots__ = ()
    _tag = "Response"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(None, **kwargs)

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
        el = _SubElement(self._el, "Message")
        try:
            if body is not None:
                el.text = body if type(body) is str else render_text(body)
                if len(el.text) > MAX_MESSAGE_CHARS:
                    raise message_too_long(len(el.text))
            if to is not None:
                el.set("to", to if type(to) is str else render_attr(to))
            if from_ is not None:
                el.set("from", from_ if type(from_) is str else render_attr(from_))
            if action is not None:
                el.set("action", action if type(action) is str else render_attr(action))
            if method is not None:
                el.set("method", method if type(method) is str else render_attr(method))
            if status_callback is not None:
                el.set(
                    "statusCallback",
                    status_callback
                    if type(status_callback) is str
                    else render_attr(status_callback),
                )
            if kwargs:
                set_extra(el, kwargs)
        except TwiMLLimitExceeded:
            self._el.remove(el)
            raise
        except ValueError as exc:
            raise invalid(
                self._el,
                el,
                exc,
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
        node._el = el
        return node


class Message(TwiML):
    """The ``<Message>`` TwiML verb."""

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
        el = _SubElement(self._el, "Body")
        try:
            if message is not None:
                el.text = message if type(message) is str else render_text(message)
            if kwargs:
                set_extra(el, kwargs)
        except ValueError as exc:
            raise invalid(self._el, el, exc, message, {}, kwargs) from None
        node = _new(Body)
        node._el = el
        try:
            self._check()
        except TwiMLLimitExceeded:
            self._el.remove(el)
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
        el = _SubElement(self._el, "Media")
        try:
            if url is not None:
                el.text = url if type(url) is str else render_text(url)
            if kwargs:
                set_extra(el, kwargs)
        except ValueError as exc:
            raise invalid(self._el, el, exc, url, {}, kwargs) from None
        node = _new(Media)
        node._el = el
        return node

    def _check(self) -> None:
        # Twilio's limit is on the whole body: the text plus every <Body>.
        el = self._el
        size = len(el.text or "") + sum(len(b.text or "") for b in el if b.tag == "Body")
        if size > MAX_MESSAGE_CHARS:
            raise message_too_long(size)


class Media(TwiML):
    """The ``<Media>`` TwiML noun."""

    __slots__ = ()
    _tag = "Media"

    def __init__(self, url: TextValue, **kwargs: Any) -> None:
        super().__init__(url, **kwargs)


class Body(TwiML):
    """The ``<Body>`` TwiML noun."""

    __slots__ = ()
    _tag = "Body"

    def __init__(self, message: TextValue, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)

    def _check(self) -> None:
        parent = self._el.getparent()
        if parent is not None and parent.tag == "Message":
            wrap(Message, parent)._check()
        elif len(self._el.text or "") > MAX_MESSAGE_CHARS:
            raise message_too_long(len(self._el.text or ""))


# Which children each element may hold (tag -> class), from its builder methods.
MessagingResponse._child_classes = {"Message": Message, "Redirect": Redirect}
Message._child_classes = {"Body": Body, "Media": Media}
