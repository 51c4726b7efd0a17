"""Build + render TwiML: twhooks.twiml against the official twilio.twiml, side by side.

Three documents, each built and rendered to a string from scratch per iteration:

* ``sms``: a one-message SMS reply;
* ``ivr``: an IVR step, a ``<Gather>`` holding a ``<Say>``, then a ``<Redirect>``;
* ``200 verbs``: a Voice document of 200 verbs (Say, Pause, Play, Dial+Number in turn).

Each figure is the best of nine repeats, official and twhooks timed in alternation
so that both see the same machine load, in µs per document; the ratio is
official / twhooks (higher is better for twhooks).
"""

from __future__ import annotations

import timeit
from collections.abc import Callable
from typing import Any

from twilio.twiml.messaging_response import MessagingResponse as OfficialMessaging
from twilio.twiml.voice_response import VoiceResponse as OfficialVoice

from twhooks.twiml import MessagingResponse, VoiceResponse


def sms(messaging: Any) -> Callable[[], str]:
    def build() -> str:
        response = messaging()
        response.message("Thanks! We got your message and will reply shortly.")
        return str(response)

    return build


def ivr(voice: Any) -> Callable[[], str]:
    def build() -> str:
        response = voice()
        gather = response.gather(num_digits=1, action="/menu", method="POST", timeout=5)
        gather.say("For sales press 1. For support press 2.", voice="Polly.Joanna")
        response.redirect("/voice/menu", method="POST")
        return str(response)

    return build


def two_hundred_verbs(voice: Any) -> Callable[[], str]:
    def build() -> str:
        response = voice()
        for i in range(50):
            response.say(f"Item {i}", voice="alice", language="en-US")
            response.pause(length=1)
            response.play("https://example.com/tone.mp3", loop=2)
            dial = response.dial(timeout=10, caller_id="+15550100")
            dial.number("+15550101", send_digits="ww1")
        return str(response)

    return build


def best_pair_us(
    official: Callable[[], str], ours: Callable[[], str], number: int, repeat: int = 9
) -> tuple[float, float]:
    """Best µs per call of each, timed in alternation so both see the same machine load."""
    official_best = ours_best = float("inf")
    for _ in range(repeat):
        official_best = min(official_best, timeit.timeit(official, number=number))
        ours_best = min(ours_best, timeit.timeit(ours, number=number))
    return official_best / number * 1e6, ours_best / number * 1e6


def main() -> None:
    cases = [
        ("sms", sms(OfficialMessaging), sms(MessagingResponse), 20_000),
        ("ivr", ivr(OfficialVoice), ivr(VoiceResponse), 10_000),
        ("200 verbs", two_hundred_verbs(OfficialVoice), two_hundred_verbs(VoiceResponse), 100),
    ]
    print(f"{'document':<12}{'official µs':>14}{'twhooks µs':>14}{'ratio':>9}")
    for name, official, ours, number in cases:
        assert ours() and official()  # both build (and warm up)
        official_us, ours_us = best_pair_us(official, ours, number)
        print(f"{name:<12}{official_us:>14.2f}{ours_us:>14.2f}{official_us / ours_us:>8.1f}x")


if __name__ == "__main__":
    main()
