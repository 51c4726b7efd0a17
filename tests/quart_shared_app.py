"""A Quart app on a shared store, served by Hypercorn processes in the tests
(``hypercorn quart_shared_app:app``, with ``tests/`` on ``PYTHONPATH``).

Read from the environment: ``TEST_TWILIO_AUTH_TOKEN``, ``TEST_STORE`` (the store's URL),
``TEST_PREFIX`` (its prefix, named per test),
``TEST_PUBLIC_URL`` and ``TEST_RUNS`` (a file: every run of the message handler appends
``<pid> <body> <count>``). A body starting with ``SLOW`` makes the handler wait
``TEST_SLOW`` seconds (on the event loop, ``await asyncio.sleep``) first. Each message adds
one to its conversation's ``count``.
"""

from __future__ import annotations

import asyncio
import os

from _stores import store_from_env
from quart import Quart

from twhooks import IncomingMessage
from twhooks.quart import TwilioHooks

app = Quart("quart_shared_app")
app.config.update(
    TWILIO_AUTH_TOKEN=os.environ["TEST_TWILIO_AUTH_TOKEN"],
    TWHOOKS_STORE=store_from_env(),
    TWHOOKS_PUBLIC_URL=os.environ.get("TEST_PUBLIC_URL") or None,
)
hooks = TwilioHooks(app)
RUNS = os.environ["TEST_RUNS"]


@hooks.message()
async def count(msg: IncomingMessage) -> str:
    if msg.body.startswith("SLOW"):
        await asyncio.sleep(float(os.environ.get("TEST_SLOW", "1")))
    assert msg.conversation is not None
    total = msg.conversation.data.get("count", 0) + 1
    msg.conversation.goto("counting", count=total)
    with open(RUNS, "a") as trace:
        trace.write(f"{os.getpid()} {msg.body} {total}\n")
    return f"{msg.body}: message {total} of this conversation"
