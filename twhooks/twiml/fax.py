"""Fax TwiML: :class:`FaxResponse` and ``<Receive>``."""

from __future__ import annotations

from typing import Any

from ._base import (
    AttrValue,
    TwiML,
    _SubElement,
    invalid,
    render_attr,
    set_extra,
)

_new = object.__new__


class FaxResponse(TwiML):
    """A ``<Response>`` for Fax: the root of a Fax TwiML document."""

    __slots__ = ()
    _tag = "Response"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(None, **kwargs)

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
        el = _SubElement(self._el, "Receive")
        try:
            if action is not None:
                el.set("action", action if type(action) is str else render_attr(action))
            if method is not None:
                el.set("method", method if type(method) is str else render_attr(method))
            if media_type is not None:
                el.set(
                    "mediaType", media_type if type(media_type) is str else render_attr(media_type)
                )
            if page_size is not None:
                el.set("pageSize", page_size if type(page_size) is str else render_attr(page_size))
            if store_media is not None:
                el.set(
                    "storeMedia",
                    store_media if type(store_media) is str else render_attr(store_media),
                )
            if kwargs:
                set_extra(el, kwargs)
        except ValueError as exc:
            raise invalid(
                self._el,
                el,
                exc,
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
        node._el = el
        return node


class Receive(TwiML):
    """The ``<Receive>`` TwiML verb."""

    __slots__ = ()
    _tag = "Receive"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(None, **kwargs)


# Which children each element may hold (tag -> class), from its builder methods.
FaxResponse._child_classes = {"Receive": Receive}
