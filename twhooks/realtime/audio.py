"""The audio of a Media Stream: 8 kHz G.711 μ-law, to and from WAV files.

Twilio streams a call as 8-bit μ-law at 8,000 samples a second, 160 bytes per 20 ms frame.
:func:`read_wav` takes a mono 8 kHz WAV file, 16-bit PCM or μ-law, to μ-law bytes;
:func:`write_wav` saves μ-law bytes as a 16-bit PCM WAV file any player opens. The codec is
the ITU-T G.711 one (what the standard library's deprecated ``audioop`` did), by table.
"""

from __future__ import annotations

import struct
import sys
from array import array
from pathlib import Path

from .errors import RealtimeError

__all__ = [
    "FRAME_BYTES",
    "SAMPLE_RATE",
    "frames",
    "pcm16_to_ulaw",
    "read_wav",
    "ulaw_to_pcm16",
    "write_wav",
]

#: Samples per second of a Media Stream.
SAMPLE_RATE = 8000
#: Bytes of μ-law in one 20 ms media frame.
FRAME_BYTES = 160

_BIAS = 0x84
_CLIP = 8159  # of the 14-bit magnitude
_SEGMENT_ENDS = (0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF)


def _decode(byte: int) -> int:
    byte = ~byte & 0xFF
    sign, exponent, mantissa = byte & 0x80, (byte >> 4) & 0x07, byte & 0x0F
    sample = (((mantissa << 3) + _BIAS) << exponent) - _BIAS
    return -sample if sign else sample


def _encode(sample: int) -> int:
    # G.711 on the top 14 bits, as the reference implementation (and audioop) does it.
    value = sample >> 2
    mask = 0xFF
    if value < 0:
        value, mask = -value, 0x7F
    value = min(value, _CLIP) + (_BIAS >> 2)
    for segment, end in enumerate(_SEGMENT_ENDS):
        if value <= end:
            return ((segment << 4) | ((value >> (segment + 1)) & 0x0F)) ^ mask
    return 0x7F ^ mask


_DECODE = array("h", (_decode(b) for b in range(256)))
_ENCODE: bytes | None = None  # 64 KiB, built on first use


def ulaw_to_pcm16(data: bytes) -> bytes:
    """μ-law bytes to 16-bit little-endian PCM."""
    samples = array("h", (_DECODE[b] for b in data))
    if sys.byteorder == "big":  # pragma: no cover
        samples.byteswap()
    return samples.tobytes()


def pcm16_to_ulaw(data: bytes) -> bytes:
    """16-bit little-endian PCM to μ-law bytes."""
    global _ENCODE
    if _ENCODE is None:
        _ENCODE = bytes(_encode(s - 65536 if s >= 32768 else s) for s in range(65536))
    samples = array("H")
    samples.frombytes(data[: len(data) // 2 * 2])
    if sys.byteorder == "big":  # pragma: no cover
        samples.byteswap()
    table = _ENCODE
    return bytes(table[s] for s in samples)


def read_wav(path: str | Path) -> bytes:
    """The audio of a mono 8 kHz WAV file (16-bit PCM or μ-law), as μ-law bytes.

    :raises RealtimeError: not such a file; the message says what it is instead.
    """
    data = Path(path).read_bytes()
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise RealtimeError(f"{path}: not a WAV file")
    offset, fmt, audio = 12, None, None
    while offset + 8 <= len(data):
        chunk, size = (
            data[offset : offset + 4],
            struct.unpack("<I", data[offset + 4 : offset + 8])[0],
        )
        body = data[offset + 8 : offset + 8 + size]
        if chunk == b"fmt ":
            fmt = struct.unpack("<HHIIHH", body[:16])
        elif chunk == b"data":
            audio = body
        offset += 8 + size + (size & 1)
    if fmt is None or audio is None:
        raise RealtimeError(f"{path}: a WAV file without format or data")
    encoding, channels, rate, _, _, bits = fmt
    if channels != 1 or rate != SAMPLE_RATE:
        raise RealtimeError(
            f"{path}: {channels} channel(s) at {rate} Hz; a Media Stream needs mono 8000 Hz "
            "(convert it first, e.g. sox in.wav -r 8000 -c 1 out.wav)"
        )
    if encoding == 7 and bits == 8:
        return audio
    if encoding == 1 and bits == 16:
        return pcm16_to_ulaw(audio)
    raise RealtimeError(f"{path}: WAV format {encoding} with {bits} bits; need 16-bit PCM or μ-law")


def write_wav(path: str | Path, ulaw: bytes) -> None:
    """Save μ-law bytes as a mono 8 kHz 16-bit PCM WAV file."""
    pcm = ulaw_to_pcm16(ulaw)
    header = b"RIFF" + struct.pack("<I", 36 + len(pcm)) + b"WAVE"
    fmt = struct.pack("<HHIIHH", 1, 1, SAMPLE_RATE, SAMPLE_RATE * 2, 2, 16)
    Path(path).write_bytes(
        header + b"fmt " + struct.pack("<I", 16) + fmt + b"data" + struct.pack("<I", len(pcm)) + pcm
    )


def frames(ulaw: bytes, size: int = FRAME_BYTES) -> list[bytes]:
    """*ulaw* cut in 20 ms frames, the last one padded with silence."""
    out = [ulaw[i : i + size] for i in range(0, len(ulaw), size)]
    if out and len(out[-1]) < size:
        out[-1] = out[-1] + b"\xff" * (size - len(out[-1]))
    return out
