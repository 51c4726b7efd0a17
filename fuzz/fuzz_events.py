"""Fuzz every event's ``from_params``: any parameters, known names with any values, give an
event (malformed values become None) or a twhooks error, never another exception."""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))
from _harness import Data, instrumented, run

with instrumented(__name__):
    from twhooks import events
    from twhooks.exceptions import TwhooksError

EVENTS = [
    cls
    for cls in vars(events).values()
    if isinstance(cls, type) and issubclass(cls, events._Event) and cls is not events._Event
]
# Every name an event reads, from the module's source: the fuzzer starts from real fields.
NAMES = sorted(
    {
        word.strip("\"'")
        for line in Path(events.__file__).read_text(encoding="utf-8").splitlines()
        for word in line.replace("(", " ").replace(")", " ").replace(",", " ").split()
        if word.startswith('"') and word.endswith('"') and word.strip('"').isidentifier()
    }
)
NAMES += ["MediaUrl0", "MediaContentType0", "MediaUrl1", "NumMedia", "SipHeader_X-Test"]
VALUES = ["", "0", "-1", "1e309", "nan", "true", "false", "2410301200", "whatsapp:+1", "x" * 90]
VALUES += ["Wed, 30 Oct 2024 12:00:00 +0000", "3", "99999999999999999999", "\x00", "\udc80"]


def fuzz_one(data: bytes) -> None:
    d = Data(data)
    cls = d.pick(EVENTS)
    pairs = []
    for _ in range(d.byte() % 24):
        name = d.pick(NAMES) if d.byte() % 4 else d.text(12)
        value = d.pick(VALUES) if d.bool() else d.text(24)
        pairs.append((name, value))
    try:
        event = cls.from_params(pairs)
    except TwhooksError:
        return
    # Every field reads without raising (properties included).
    for field in dataclasses.fields(event):
        getattr(event, field.name)
    for name in dir(event):
        if not name.startswith("_"):
            getattr(event, name)


if __name__ == "__main__":
    run(fuzz_one)
