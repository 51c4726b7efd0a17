"""SSML elements inside ``<Say>``: ``say.break_()``, ``say.prosody()``, ``say.say_as()``…"""

from __future__ import annotations

from typing import Any

from ._base import (
    AttrValue,
    TextValue,
    TwiML,
    _new,
    _Unrepresentable,
    extra_attrs,
    invalid,
    quote_attr,
    quote_text,
)

__all__ = [
    "SsmlBreak",
    "SsmlEmphasis",
    "SsmlLang",
    "SsmlP",
    "SsmlPhoneme",
    "SsmlProsody",
    "SsmlS",
    "SsmlSayAs",
    "SsmlSub",
    "SsmlW",
]


class _BreakBuilder(TwiML):
    """Builds ``<break>`` children."""

    __slots__ = ()

    def break_(
        self,
        strength: AttrValue = None,
        time: AttrValue = None,
        **kwargs: Any,
    ) -> SsmlBreak:
        """Add a ``<break>`` child and return it.

        :param strength: Set a pause based on strength
        :param time: Set a pause to a specific length of time in seconds or milliseconds, available
            values: [number]s, [number]ms
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<break"
            if strength is not None:
                head += ' strength="' + quote_attr(strength) + '"'
            if time is not None:
                head += ' time="' + quote_attr(time) + '"'
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = []
        except _Unrepresentable:
            raise invalid("break", None, {"strength": strength, "time": time}, kwargs) from None
        node = _new(SsmlBreak)
        node._head = head
        node._content = content
        self._content.append(node)
        return node


class _EmphasisBuilder(TwiML):
    """Builds ``<emphasis>`` children."""

    __slots__ = ()

    def emphasis(
        self,
        words: TextValue = None,
        level: AttrValue = None,
        **kwargs: Any,
    ) -> SsmlEmphasis:
        """Add a ``<emphasis>`` child and return it.

        :param words: Words to emphasize
        :param level: Specify the degree of emphasis
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<emphasis"
            if level is not None:
                head += ' level="' + quote_attr(level) + '"'
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = [] if words is None else [quote_text(words)]
        except _Unrepresentable:
            raise invalid("emphasis", words, {"level": level}, kwargs) from None
        node = _new(SsmlEmphasis)
        node._head = head
        node._content = content
        self._content.append(node)
        return node


class _LangBuilder(TwiML):
    """Builds ``<lang>`` children."""

    __slots__ = ()

    def lang(
        self,
        words: TextValue = None,
        xml_lang: AttrValue = None,
        **kwargs: Any,
    ) -> SsmlLang:
        """Add a ``<lang>`` child and return it.

        :param words: Words to speak
        :param xml_lang: Specify the language
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<lang"
            if xml_lang is not None:
                head += ' xml:lang="' + quote_attr(xml_lang) + '"'
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = [] if words is None else [quote_text(words)]
        except _Unrepresentable:
            raise invalid("lang", words, {"xml:lang": xml_lang}, kwargs) from None
        node = _new(SsmlLang)
        node._head = head
        node._content = content
        self._content.append(node)
        return node


class _PBuilder(TwiML):
    """Builds ``<p>`` children."""

    __slots__ = ()

    def p(
        self,
        words: TextValue = None,
        **kwargs: Any,
    ) -> SsmlP:
        """Add a ``<p>`` child and return it.

        :param words: Words to speak
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<p"
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = [] if words is None else [quote_text(words)]
        except _Unrepresentable:
            raise invalid("p", words, {}, kwargs) from None
        node = _new(SsmlP)
        node._head = head
        node._content = content
        self._content.append(node)
        return node


class _PhonemeBuilder(TwiML):
    """Builds ``<phoneme>`` children."""

    __slots__ = ()

    def phoneme(
        self,
        words: TextValue,
        alphabet: AttrValue = None,
        ph: AttrValue = None,
        **kwargs: Any,
    ) -> SsmlPhoneme:
        """Add a ``<phoneme>`` child and return it.

        :param words: Words to speak
        :param alphabet: Specify the phonetic alphabet
        :param ph: Specifiy the phonetic symbols for pronunciation
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<phoneme"
            if alphabet is not None:
                head += ' alphabet="' + quote_attr(alphabet) + '"'
            if ph is not None:
                head += ' ph="' + quote_attr(ph) + '"'
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = [] if words is None else [quote_text(words)]
        except _Unrepresentable:
            raise invalid("phoneme", words, {"alphabet": alphabet, "ph": ph}, kwargs) from None
        node = _new(SsmlPhoneme)
        node._head = head
        node._content = content
        self._content.append(node)
        return node


class _ProsodyBuilder(TwiML):
    """Builds ``<prosody>`` children."""

    __slots__ = ()

    def prosody(
        self,
        words: TextValue = None,
        volume: AttrValue = None,
        rate: AttrValue = None,
        pitch: AttrValue = None,
        **kwargs: Any,
    ) -> SsmlProsody:
        """Add a ``<prosody>`` child and return it.

        :param words: Words to speak
        :param volume: Specify the volume, available values: default, silent, x-soft, soft, medium,
            loud, x-loud, +ndB, -ndB
        :param rate: Specify the rate, available values: x-slow, slow, medium, fast, x-fast, n%
        :param pitch: Specify the pitch, available values: default, x-low, low, medium, high,
            x-high, +n%, -n%
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<prosody"
            if volume is not None:
                head += ' volume="' + quote_attr(volume) + '"'
            if rate is not None:
                head += ' rate="' + quote_attr(rate) + '"'
            if pitch is not None:
                head += ' pitch="' + quote_attr(pitch) + '"'
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = [] if words is None else [quote_text(words)]
        except _Unrepresentable:
            raise invalid(
                "prosody", words, {"volume": volume, "rate": rate, "pitch": pitch}, kwargs
            ) from None
        node = _new(SsmlProsody)
        node._head = head
        node._content = content
        self._content.append(node)
        return node


class _SBuilder(TwiML):
    """Builds ``<s>`` children."""

    __slots__ = ()

    def s(
        self,
        words: TextValue = None,
        **kwargs: Any,
    ) -> SsmlS:
        """Add a ``<s>`` child and return it.

        :param words: Words to speak
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<s"
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = [] if words is None else [quote_text(words)]
        except _Unrepresentable:
            raise invalid("s", words, {}, kwargs) from None
        node = _new(SsmlS)
        node._head = head
        node._content = content
        self._content.append(node)
        return node


class _SayAsBuilder(TwiML):
    """Builds ``<say-as>`` children."""

    __slots__ = ()

    def say_as(
        self,
        words: TextValue,
        interpret_as: AttrValue = None,
        format: AttrValue = None,
        **kwargs: Any,
    ) -> SsmlSayAs:
        """Add a ``<say-as>`` child and return it.

        :param words: Words to be interpreted
        :param interpret_as:
        :param format: Specify the format of the date when interpret-as is set to date
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<say-as"
            if interpret_as is not None:
                head += ' interpret-as="' + quote_attr(interpret_as) + '"'
            if format is not None:
                head += ' format="' + quote_attr(format) + '"'
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = [] if words is None else [quote_text(words)]
        except _Unrepresentable:
            raise invalid(
                "say-as", words, {"interpret-as": interpret_as, "format": format}, kwargs
            ) from None
        node = _new(SsmlSayAs)
        node._head = head
        node._content = content
        self._content.append(node)
        return node


class _SubBuilder(TwiML):
    """Builds ``<sub>`` children."""

    __slots__ = ()

    def sub(
        self,
        words: TextValue,
        alias: AttrValue = None,
        **kwargs: Any,
    ) -> SsmlSub:
        """Add a ``<sub>`` child and return it.

        :param words: Words to be substituted
        :param alias: Substitute a different word (or pronunciation) for selected text such as an
            acronym or abbreviation
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<sub"
            if alias is not None:
                head += ' alias="' + quote_attr(alias) + '"'
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = [] if words is None else [quote_text(words)]
        except _Unrepresentable:
            raise invalid("sub", words, {"alias": alias}, kwargs) from None
        node = _new(SsmlSub)
        node._head = head
        node._content = content
        self._content.append(node)
        return node


class _WBuilder(TwiML):
    """Builds ``<w>`` children."""

    __slots__ = ()

    def w(
        self,
        words: TextValue = None,
        role: AttrValue = None,
        **kwargs: Any,
    ) -> SsmlW:
        """Add a ``<w>`` child and return it.

        :param words: Words to speak
        :param role: Customize the pronunciation of words by specifying the word's part of speech or
            alternate meaning
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        try:
            head = "<w"
            if role is not None:
                head += ' role="' + quote_attr(role) + '"'
            if kwargs:
                head += extra_attrs(kwargs)
            content: list[str | TwiML] = [] if words is None else [quote_text(words)]
        except _Unrepresentable:
            raise invalid("w", words, {"role": role}, kwargs) from None
        node = _new(SsmlW)
        node._head = head
        node._content = content
        self._content.append(node)
        return node


class SsmlW(
    _BreakBuilder,
    _EmphasisBuilder,
    _PhonemeBuilder,
    _ProsodyBuilder,
    _SayAsBuilder,
    _SubBuilder,
    TwiML,
):
    """The SSML ``<w>`` element (inside ``<Say>``). It holds ``<break>``, ``<emphasis>``,
    ``<phoneme>``, ``<prosody>``, ``<say-as>``, ``<sub>``.
    """

    __slots__ = ()
    _tag = "w"

    def __init__(self, words: TextValue = None, **kwargs: Any) -> None:
        super().__init__(words, **kwargs)


class SsmlSub(TwiML):
    """The SSML ``<sub>`` element (inside ``<Say>``)."""

    __slots__ = ()
    _tag = "sub"

    def __init__(self, words: TextValue, **kwargs: Any) -> None:
        super().__init__(words, **kwargs)


class SsmlSayAs(TwiML):
    """The SSML ``<say-as>`` element (inside ``<Say>``)."""

    __slots__ = ()
    _tag = "say-as"

    def __init__(self, words: TextValue, **kwargs: Any) -> None:
        super().__init__(words, **kwargs)


class SsmlProsody(
    _BreakBuilder,
    _EmphasisBuilder,
    _LangBuilder,
    _PBuilder,
    _PhonemeBuilder,
    _ProsodyBuilder,
    _SBuilder,
    _SayAsBuilder,
    _SubBuilder,
    _WBuilder,
    TwiML,
):
    """The SSML ``<prosody>`` element (inside ``<Say>``). It holds ``<break>``, ``<emphasis>``,
    ``<lang>``, ``<p>``, ``<phoneme>``, ``<prosody>``, ``<s>``, ``<say-as>``, ``<sub>``,
    ``<w>``.
    """

    __slots__ = ()
    _tag = "prosody"

    def __init__(self, words: TextValue = None, **kwargs: Any) -> None:
        super().__init__(words, **kwargs)


class SsmlS(
    _BreakBuilder,
    _EmphasisBuilder,
    _LangBuilder,
    _PhonemeBuilder,
    _ProsodyBuilder,
    _SayAsBuilder,
    _SubBuilder,
    _WBuilder,
    TwiML,
):
    """The SSML ``<s>`` element (inside ``<Say>``). It holds ``<break>``, ``<emphasis>``,
    ``<lang>``, ``<phoneme>``, ``<prosody>``, ``<say-as>``, ``<sub>``, ``<w>``.
    """

    __slots__ = ()
    _tag = "s"

    def __init__(self, words: TextValue = None, **kwargs: Any) -> None:
        super().__init__(words, **kwargs)


class SsmlPhoneme(TwiML):
    """The SSML ``<phoneme>`` element (inside ``<Say>``)."""

    __slots__ = ()
    _tag = "phoneme"

    def __init__(self, words: TextValue, **kwargs: Any) -> None:
        super().__init__(words, **kwargs)


class SsmlLang(
    _BreakBuilder,
    _EmphasisBuilder,
    _LangBuilder,
    _PBuilder,
    _PhonemeBuilder,
    _ProsodyBuilder,
    _SBuilder,
    _SayAsBuilder,
    _SubBuilder,
    _WBuilder,
    TwiML,
):
    """The SSML ``<lang>`` element (inside ``<Say>``). It holds ``<break>``, ``<emphasis>``,
    ``<lang>``, ``<p>``, ``<phoneme>``, ``<prosody>``, ``<s>``, ``<say-as>``, ``<sub>``,
    ``<w>``.
    """

    __slots__ = ()
    _tag = "lang"

    def __init__(self, words: TextValue = None, **kwargs: Any) -> None:
        super().__init__(words, **kwargs)


class SsmlP(
    _BreakBuilder,
    _EmphasisBuilder,
    _LangBuilder,
    _PhonemeBuilder,
    _ProsodyBuilder,
    _SBuilder,
    _SayAsBuilder,
    _SubBuilder,
    _WBuilder,
    TwiML,
):
    """The SSML ``<p>`` element (inside ``<Say>``). It holds ``<break>``, ``<emphasis>``,
    ``<lang>``, ``<phoneme>``, ``<prosody>``, ``<s>``, ``<say-as>``, ``<sub>``, ``<w>``.
    """

    __slots__ = ()
    _tag = "p"

    def __init__(self, words: TextValue = None, **kwargs: Any) -> None:
        super().__init__(words, **kwargs)


class SsmlEmphasis(
    _BreakBuilder,
    _EmphasisBuilder,
    _LangBuilder,
    _PhonemeBuilder,
    _ProsodyBuilder,
    _SayAsBuilder,
    _SubBuilder,
    _WBuilder,
    TwiML,
):
    """The SSML ``<emphasis>`` element (inside ``<Say>``). It holds ``<break>``, ``<emphasis>``,
    ``<lang>``, ``<phoneme>``, ``<prosody>``, ``<say-as>``, ``<sub>``, ``<w>``.
    """

    __slots__ = ()
    _tag = "emphasis"

    def __init__(self, words: TextValue = None, **kwargs: Any) -> None:
        super().__init__(words, **kwargs)


class SsmlBreak(TwiML):
    """The SSML ``<break>`` element (inside ``<Say>``)."""

    __slots__ = ()
    _tag = "break"

    def __init__(self, **kwargs: Any) -> None:
        if kwargs:
            super().__init__(None, **kwargs)
        else:
            self._head = "<break"
            self._content = []


# Which children each element may hold (tag -> class), from its builder methods.
SsmlW._child_classes = {
    "break": SsmlBreak,
    "emphasis": SsmlEmphasis,
    "phoneme": SsmlPhoneme,
    "prosody": SsmlProsody,
    "say-as": SsmlSayAs,
    "sub": SsmlSub,
}
SsmlProsody._child_classes = {
    "break": SsmlBreak,
    "emphasis": SsmlEmphasis,
    "lang": SsmlLang,
    "p": SsmlP,
    "phoneme": SsmlPhoneme,
    "prosody": SsmlProsody,
    "s": SsmlS,
    "say-as": SsmlSayAs,
    "sub": SsmlSub,
    "w": SsmlW,
}
SsmlS._child_classes = {
    "break": SsmlBreak,
    "emphasis": SsmlEmphasis,
    "lang": SsmlLang,
    "phoneme": SsmlPhoneme,
    "prosody": SsmlProsody,
    "say-as": SsmlSayAs,
    "sub": SsmlSub,
    "w": SsmlW,
}
SsmlLang._child_classes = {
    "break": SsmlBreak,
    "emphasis": SsmlEmphasis,
    "lang": SsmlLang,
    "p": SsmlP,
    "phoneme": SsmlPhoneme,
    "prosody": SsmlProsody,
    "s": SsmlS,
    "say-as": SsmlSayAs,
    "sub": SsmlSub,
    "w": SsmlW,
}
SsmlP._child_classes = {
    "break": SsmlBreak,
    "emphasis": SsmlEmphasis,
    "lang": SsmlLang,
    "phoneme": SsmlPhoneme,
    "prosody": SsmlProsody,
    "s": SsmlS,
    "say-as": SsmlSayAs,
    "sub": SsmlSub,
    "w": SsmlW,
}
SsmlEmphasis._child_classes = {
    "break": SsmlBreak,
    "emphasis": SsmlEmphasis,
    "lang": SsmlLang,
    "phoneme": SsmlPhoneme,
    "prosody": SsmlProsody,
    "say-as": SsmlSayAs,
    "sub": SsmlSub,
    "w": SsmlW,
}
