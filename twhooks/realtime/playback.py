"""What the caller has heard of the audio a Media Stream sent: barge-in by what was played.

Audio sent to a bidirectional stream is queued by Twilio and played at 8,000 bytes a second
(8 kHz μ-law). What was *sent* says nothing of what the caller *heard*; a ``mark`` does:
Twilio echoes it once the audio sent before it has played. :class:`Playback` keeps, for the
audio sent since the last ``clear``, where each mark stands and the text each piece of audio
speaks, and so knows, from the marks echoed, how many milliseconds have played
(:attr:`~Playback.played_ms`) and which text the caller heard (:meth:`~Playback.heard`).
That is what a model's answer is cut to on barge-in (a realtime model's "truncate at
``audio_end_ms``"), not the bytes queued.

It does no I/O: the stream sessions (:mod:`twhooks.realtime.stream`) feed it what they send
and receive, and ``stream.barge_in()`` clears Twilio's queue and returns what was heard.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

__all__ = ["BYTES_PER_MS", "Heard", "Playback"]

#: Bytes of 8 kHz μ-law per millisecond.
BYTES_PER_MS = 8


@dataclass(frozen=True, slots=True)
class Heard:
    """What the caller heard of the audio sent since the last ``clear``.

    :param ms: milliseconds of it played, as of the last mark echoed (a lower bound: audio
        after the last mark may have played too).
    :param text: the text of the pieces that had begun playing by then, joined (pieces sent
        without text add nothing).
    :param sent_ms: milliseconds of audio sent.
    """

    ms: int
    text: str
    sent_ms: int

    @property
    def interrupted(self) -> bool:
        """Whether audio sent was not known to be played: there was something to cut."""
        return self.ms < self.sent_ms


class Playback:
    """The audio sent since the last ``clear`` and how much of it has played."""

    __slots__ = ("_marks", "_names", "_pieces", "_played", "_sent")

    def __init__(self) -> None:
        self._sent = 0  # bytes sent
        self._played = 0  # bytes known to be played
        self._pieces: list[tuple[int, str]] = []  # (start in bytes, text) of each text piece
        self._marks: dict[str, int] = {}  # pending mark -> bytes sent before it
        self._names = itertools.count(1)

    @property
    def sent_ms(self) -> int:
        """Milliseconds of audio sent since the last ``clear``."""
        return self._sent // BYTES_PER_MS

    @property
    def played_ms(self) -> int:
        """Milliseconds of it known to be played: the position of the last mark echoed."""
        return self._played // BYTES_PER_MS

    @property
    def pending_marks(self) -> int:
        """How many marks sent since the last ``clear`` Twilio has not echoed yet."""
        return len(self._marks)

    def sent(self, audio: bytes, text: str | None = None) -> None:
        """Note *audio* sent, speaking *text* if given."""
        if text:
            self._pieces.append((self._sent, text))
        self._sent += len(audio)

    def mark(self, name: str | None = None) -> str:
        """Note a mark sent now; its name (``twhooks-<n>`` if none is given)."""
        if name is None:
            name = f"twhooks-{next(self._names)}"
        self._marks[name] = self._sent
        return name

    def echoed(self, name: str) -> None:
        """Note Twilio's echo of the mark *name*: the audio before it has played.

        A mark of before the last ``clear`` (Twilio echoes those too) moves nothing.
        """
        position = self._marks.pop(name, None)
        if position is not None and position > self._played:
            self._played = position

    def heard(self) -> Heard:
        """What has been heard so far of the audio sent since the last ``clear``."""
        played = self._played
        text = "".join(t for start, t in self._pieces if start < played)
        return Heard(played // BYTES_PER_MS, text, self._sent // BYTES_PER_MS)

    def cleared(self) -> Heard:
        """Note a ``clear``: the queue is gone. What had been heard before it."""
        heard = self.heard()
        self._sent = self._played = 0
        self._pieces.clear()
        self._marks.clear()
        return heard
