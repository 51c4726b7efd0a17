"""Fax TwiML: :class:`FaxResponse` and ``<Receive>``."""

from __future__ import annotations

from typing import Any

from ._base import (
    AttrValue,
    TwiML,
    _new,
    _Unrepresentable,
    extra_attrs,
    invalid,
    quote_attr,
)

__all__ = [
    "FaxResponse",
    "Receive",
]


class FaxResponse(TwiML):
    """A ``<Response>`` for Fax: the root of a Fax TwiML document. It holds ``<Receive>``."""

    __slots__ = ()
    _tag = "Response"

    def __init__(self, **kwargs: Any) -> None:
        if kwargs:
            super().__init__(None, **kwargs)
        else:
            self._head = "<Response"
            self._content = []

    def receive(
        self,
        action: AttrValue = None,
        method: AttrValue = None,
        media_type: AttrValue = None,
        page_size: AttrValue = None,
        store_media: AttrValue = None,
        **kwargs: Any,
    ) -> Receive:
        """Add a ``<Receive>`` child and return it.

        :param action: Receive action URL
        :param method: Receive action URL method
        :param media_type: The media type used to store media in the fax media store
        :param page_size: What size to interpret received pages as
        :param store_media: Whether or not to store received media in the fax media store
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<Receive"
            if action is not None:
                head += ' action="' + quote_attr(action) + '"'
            if method is not None:
                head += ' method="' + quote_attr(method) + '"'
            if media_type is not None:
                head += ' mediaType="' + quote_attr(media_type) + '"'
            if page_size is not None:
                head += ' pageSize="' + quote_attr(page_size) + '"'
            if store_media is not None:
                head += ' storeMedia="' + quote_attr(store_media) + '"'
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = []
        except _Unrepresentable:
            raise invalid(
                "Receive",
                None,
                {
                    "action": action,
                    "method": method,
                    "mediaType": media_type,
                    "pageSize": page_size,
                    "storeMedia": store_media,
                },
                kwargs,
            ) from None
        node = _new(Receive)
        node._head = head
        node._content = content
        self._content.append(node)
        return node


class Receive(TwiML):
    """The ``<Receive>`` TwiML verb."""

    __slots__ = ()
    _tag = "Receive"

    def __init__(self, **kwargs: Any) -> None:
        if kwargs:
            super().__init__(None, **kwargs)
        else:
            self._head = "<Receive"
            self._content = []


# Which children each element may hold (tag -> class), from its builder methods.
FaxResponse._child_classes = {"Receive": Receive}
