"""Between Twilio's 8 kHz μ-law and the 16 or 24 kHz linear PCM speech models take.

Twilio streams a call as 8 kHz G.711 μ-law, 160 bytes per 20 ms frame; speech-to-text and
realtime models usually want 16-bit linear PCM at 16 kHz or 24 kHz, and their speech comes
back at that rate in chunks of any size. Python 3.13 removed ``audioop``, so twhooks does
both in pure Python (with the G.711 codec of :mod:`twhooks.realtime.audio`):

- :class:`FromTwilio` turns a stream's μ-law frames into PCM at the model's rate;
- :class:`ToTwilio` turns the model's PCM chunks into μ-law 20 ms frames, ready for
  ``stream.send_audio``, keeping what does not fill a frame for the next chunk;
- under them, :class:`Resampler` (16-bit mono PCM between rates whose ratio is a whole
  number) and :class:`Reframer` (bytes into fixed-size frames).

Each keeps the little state a stream needs across chunks (the last sample, an odd sample
left over), so a chunk boundary adds no click. Upsampling interpolates linearly; downsampling
averages each group of samples (a box filter: crude, but it removes most of what would alias
into the 4 kHz band of a phone line). Telephone speech does not need better, and the cost per
20 ms frame is in ``bench/bench_realtime.py``.
"""

from __future__ import annotations

import sys
from array import array

from .audio import FRAME_BYTES, SAMPLE_RATE, pcm16_to_ulaw, ulaw_to_pcm16
from .errors import RealtimeError

__all__ = ["FromTwilio", "Reframer", "Resampler", "ToTwilio"]

_SILENCE = b"\xff"  # μ-law zero


def _samples(data: bytes) -> array[int]:
    samples = array("h")
    samples.frombytes(data)
    if sys.byteorder == "big":  # pragma: no cover
        samples.byteswap()
    return samples


def _pcm(samples: list[int] | array[int]) -> bytes:
    out = samples if isinstance(samples, array) else array("h", samples)
    if sys.byteorder == "big":  # pragma: no cover
        out.byteswap()
    return out.tobytes()


class Resampler:
    """16-bit little-endian mono PCM from *source* to *target* Hz, chunk after chunk.

    :raises RealtimeError: the rates are not whole multiples of each other.
    """

    __slots__ = ("_factor", "_last", "_left", "_up", "source", "target")

    def __init__(self, source: int, target: int) -> None:
        high, low = max(source, target), min(source, target)
        if low <= 0 or high % low:
            raise RealtimeError(
                f"cannot resample {source} Hz to {target} Hz: one must be a whole multiple "
                "of the other (8000 to 16000, 24000 or 48000 and back)"
            )
        self.source = source
        self.target = target
        self._factor = high // low
        self._up = target > source
        self._last = 0  # the previous chunk's last sample (upsampling)
        self._left: list[int] = []  # samples short of a whole group (downsampling)

    def convert(self, pcm: bytes) -> bytes:
        """The samples of *pcm* at the target rate (an odd byte at the end is dropped)."""
        samples = _samples(pcm[: len(pcm) // 2 * 2])
        k = self._factor
        if k == 1 or not samples:
            return pcm[: len(pcm) // 2 * 2]
        if self._up:
            return _pcm(self._interpolate(samples, k))
        return _pcm(self._average(samples, k))

    def _interpolate(self, samples: array[int], k: int) -> list[int]:
        # Each input sample becomes k, on the line from the previous one to it.
        previous = [self._last, *samples[:-1]]
        self._last = samples[-1]
        out = [0] * (len(samples) * k)
        for j in range(1, k + 1):
            out[j - 1 :: k] = [p + (c - p) * j // k for p, c in zip(previous, samples, strict=True)]
        return out

    def _average(self, samples: array[int], k: int) -> list[int]:
        values = [*self._left, *samples] if self._left else list(samples)
        whole = len(values) // k * k
        self._left = values[whole:]
        values = values[:whole]
        if k == 2:
            return [(a + b) // 2 for a, b in zip(values[0::2], values[1::2], strict=True)]
        if k == 3:
            thirds = zip(values[0::3], values[1::3], values[2::3], strict=True)
            return [(a + b + c) // 3 for a, b, c in thirds]
        return [sum(group) // k for group in zip(*(values[j::k] for j in range(k)), strict=True)]


class Reframer:
    """Bytes of any chunk sizes into frames of *size* bytes, the rest kept for the next chunk.

    :param size: a 20 ms μ-law frame by default.
    """

    __slots__ = ("_buffer", "size")

    def __init__(self, size: int = FRAME_BYTES) -> None:
        self.size = size
        self._buffer = bytearray()

    def __len__(self) -> int:
        """Bytes waiting for a whole frame."""
        return len(self._buffer)

    def feed(self, data: bytes) -> list[bytes]:
        """The whole frames *data* completes, in order."""
        buffer = self._buffer
        buffer += data
        size = self.size
        whole = len(buffer) // size * size
        if not whole:
            return []
        frames = [bytes(buffer[i : i + size]) for i in range(0, whole, size)]
        del buffer[:whole]
        return frames

    def flush(self, pad: bytes = _SILENCE) -> list[bytes]:
        """The bytes still waiting, as one frame padded with *pad* (μ-law silence), if any."""
        if not self._buffer:
            return []
        frame = bytes(self._buffer) + pad * (self.size - len(self._buffer))
        self._buffer.clear()
        return [frame]

    def clear(self) -> None:
        """Drop the bytes waiting (on barge-in, with ``stream.barge_in()``)."""
        self._buffer.clear()


class FromTwilio:
    """A Media Stream's μ-law audio as 16-bit PCM at *rate* Hz (16000 or 24000 for most
    speech models), frame after frame::

        to_model = FromTwilio(16000)
        for audio in stream.audio():
            model.send(to_model.convert(audio))
    """

    __slots__ = ("_resampler", "rate")

    def __init__(self, rate: int = 16000) -> None:
        self.rate = rate
        self._resampler = Resampler(SAMPLE_RATE, rate)

    def convert(self, ulaw: bytes) -> bytes:
        """The PCM of *ulaw* at :attr:`rate`."""
        return self._resampler.convert(ulaw_to_pcm16(ulaw))


class ToTwilio:
    """A model's 16-bit PCM at *rate* Hz, in chunks of any size, as μ-law 20 ms frames
    (:meth:`frames`), the last one padded at the end of an answer (:meth:`flush`)::

        to_call = ToTwilio(24000)
        for chunk in model.speech():
            for frame in to_call.frames(chunk):
                stream.send_audio(frame)
        for frame in to_call.flush():
            stream.send_audio(frame)
    """

    __slots__ = ("_reframer", "_resampler", "rate")

    def __init__(self, rate: int = 24000) -> None:
        self.rate = rate
        self._resampler = Resampler(rate, SAMPLE_RATE)
        self._reframer = Reframer(FRAME_BYTES)

    def frames(self, pcm: bytes) -> list[bytes]:
        """The whole 20 ms frames of μ-law that *pcm* completes."""
        return self._reframer.feed(pcm16_to_ulaw(self._resampler.convert(pcm)))

    def flush(self) -> list[bytes]:
        """The last, partial frame, padded with silence (at the end of an answer)."""
        return self._reframer.flush()

    def clear(self) -> None:
        """Drop what waits for a whole frame (on barge-in)."""
        self._reframer.clear()
