"""Twilio's 8 kHz μ-law to and from the 16/24 kHz PCM of speech models
(:mod:`twhooks.realtime.resample`), without ``audioop``."""

from __future__ import annotations

import math
from array import array

import pytest

from twhooks.realtime.audio import pcm16_to_ulaw, ulaw_to_pcm16
from twhooks.realtime.errors import RealtimeError
from twhooks.realtime.resample import FromTwilio, Reframer, Resampler, ToTwilio

pytestmark = pytest.mark.core


def tone(hz: float, rate: int, ms: int, amplitude: int = 8000, delay: float = 0.0) -> list[int]:
    return [
        round(amplitude * math.sin(2 * math.pi * hz * (i / rate - delay)))
        for i in range(rate * ms // 1000)
    ]


def pcm(samples: list[int]) -> bytes:
    return array("h", samples).tobytes()


def samples(data: bytes) -> list[int]:
    out = array("h")
    out.frombytes(data)
    return list(out)


def rms(values: list[int]) -> float:
    return math.sqrt(sum(v * v for v in values) / len(values))


def in_chunks(data: bytes, sizes: list[int]) -> list[bytes]:
    chunks, i, n = [], 0, 0
    while i < len(data):
        size = sizes[n % len(sizes)]
        chunks.append(data[i : i + size])
        i, n = i + size, n + 1
    return chunks


@pytest.mark.parametrize("target", [16000, 24000, 48000])
def test_upsampling_follows_the_waveform(target: int) -> None:
    resampler = Resampler(8000, target)
    source = pcm(tone(440, 8000, 200))
    out = samples(b"".join(resampler.convert(c) for c in in_chunks(source, [320])))
    assert len(out) == target * 200 // 1000
    # Linear interpolation from the previous sample: a delay of (k - 1) output samples.
    ideal = tone(440, target, 200, delay=(target // 8000 - 1) / target)
    error = [a - b for a, b in zip(out, ideal, strict=True)]
    assert rms(error[target // 100 :]) < 0.05 * rms(ideal)


@pytest.mark.parametrize("source", [16000, 24000])
def test_downsampling_keeps_speech_and_damps_what_would_alias(source: int) -> None:
    voice = samples(Resampler(source, 8000).convert(pcm(tone(440, source, 200))))
    assert len(voice) == 1600
    assert rms(voice) > 0.9 * rms(tone(440, 8000, 200))
    # 7 kHz cannot be carried at 8 kHz: it would fold to 1 kHz; the filter damps it.
    folded = samples(Resampler(source, 8000).convert(pcm(tone(7000, source, 200))))
    assert rms(folded) < 0.3 * rms(tone(440, 8000, 200))


@pytest.mark.parametrize(
    ("source", "target"), [(8000, 16000), (8000, 24000), (24000, 8000), (16000, 8000)]
)
def test_chunk_boundaries_change_nothing(source: int, target: int) -> None:
    data = pcm(tone(300, source, 100))
    whole = Resampler(source, target).convert(data)
    resampler = Resampler(source, target)
    # Odd-sized chunks of whole samples: 7, 33 and 160 samples.
    pieces = b"".join(resampler.convert(c) for c in in_chunks(data, [14, 66, 320]))
    assert pieces == whole


@pytest.mark.parametrize(("source", "target"), [(8000, 12000), (16000, 24000), (0, 8000)])
def test_rates_that_are_not_whole_multiples_are_refused(source: int, target: int) -> None:
    with pytest.raises(RealtimeError, match="whole multiple"):
        Resampler(source, target)


def test_reframer_cuts_any_chunks_into_20_ms_frames() -> None:
    reframer = Reframer()
    data = bytes(range(256)) * 3  # 768 bytes: 4 frames and 128 left
    frames = [f for c in in_chunks(data, [1, 99, 250, 7]) for f in reframer.feed(c)]
    assert [len(f) for f in frames] == [160] * 4
    assert b"".join(frames) == data[:640]
    assert len(reframer) == 128
    (last,) = reframer.flush()
    assert last == data[640:] + b"\xff" * 32  # padded with μ-law silence
    assert reframer.flush() == []


def test_to_twilio_frames_a_models_speech_and_back() -> None:
    speech = pcm(tone(440, 24000, 110))  # 110 ms: 5 frames and half of one
    to_call = ToTwilio(24000)
    frames = [f for c in in_chunks(speech, [1234, 4000, 98]) for f in to_call.frames(c)]
    frames += to_call.flush()
    assert [len(f) for f in frames] == [160] * 6
    heard = samples(ulaw_to_pcm16(b"".join(frames)))[:880]
    assert rms(heard) == pytest.approx(rms(tone(440, 8000, 110)), rel=0.1)
    # And the call's audio back to the model's rate.
    back = FromTwilio(24000).convert(b"".join(frames[:5]))
    assert len(back) == 5 * 480 * 2


def test_from_twilio_is_the_codec_then_the_resampler() -> None:
    ulaw = pcm16_to_ulaw(pcm(tone(1000, 8000, 20)))
    assert FromTwilio(16000).convert(ulaw) == Resampler(8000, 16000).convert(ulaw_to_pcm16(ulaw))
    assert FromTwilio(8000).convert(ulaw) == ulaw_to_pcm16(ulaw)
