"""What the request path does with the shared store: deliveries, calls, opt-outs, the block
list and the webhook history, through a real app (each test on a memory store and on
SQLite, the default backend)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from _signing import TOKEN, signed_post
from flask import Flask

from twhooks import HandlerError, IncomingMessage, MessageStatus, TwilioHooks
from twhooks.conversation import Conversation
from twhooks.flask.testing import TwilioTestClient

SID = "SM" + "a" * 32
ME, APP = "+15551234567", "+15557654321"


@pytest.fixture(params=["memory", "sqlite"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return "memory://" if request.param == "memory" else f"sqlite:///{tmp_path}/s.sqlite3"


def make(store_url: str, **config: Any) -> tuple[Flask, TwilioHooks, list[Any]]:
    app = Flask(__name__)
    app.config.update(TWILIO_AUTH_TOKEN=TOKEN, SECRET_KEY="s", TWHOOKS_STORE=store_url, **config)
    hooks = TwilioHooks(app)
    seen: list[Any] = []

    @hooks.message(keyword="ORDER")
    def order(msg: IncomingMessage) -> str:
        assert msg.conversation is not None
        msg.conversation.goto("size")
        seen.append(("order", msg.body))
        return "Which size?"

    @hooks.message(state="size")
    def size(msg: IncomingMessage) -> str:
        seen.append(("size", msg.body))
        return f"Size {msg.body}"

    @hooks.message()
    def other(msg: IncomingMessage) -> str:
        seen.append(("other", msg.body))
        return "ok"

    return app, hooks, seen


def status(client: TwilioTestClient, value: str, **fields: Any) -> int:
    return client.webhook("message_status", message_sid=SID, status=value, **fields).status_code


class TestDeliveries:
    def test_statuses_out_of_order_keep_the_furthest_and_run_handlers_once(
        self, store_url: str
    ) -> None:
        app, hooks, _ = make(store_url)
        events: list[MessageStatus] = []
        stale: list[MessageStatus] = []
        hooks.message_status()(events.append)
        hooks.message_status("sent", include_stale=True)(stale.append)
        client = TwilioTestClient(app)
        for value in ("sent", "delivered", "sent", "delivered", "queued"):
            assert status(client, value) == 204
        with app.app_context():
            record = hooks.deliveries.get(SID)
        assert record is not None and record.status == "delivered"
        assert [c.status for c in record.history] == ["queued", "sent", "delivered"]
        assert [(e.status, e.previous, e.advanced) for e in events] == [("delivered", "sent", True)]
        assert [(e.status, e.previous, e.advanced) for e in stale] == [
            ("sent", None, True),
            ("sent", "delivered", False),
        ]

    def test_error_21610_records_the_recipient_as_opted_out(self, store_url: str) -> None:
        app, hooks, _ = make(store_url)
        client = TwilioTestClient(app)
        assert status(client, "undelivered", error_code=21610, to=ME, from_=APP) == 204
        with app.app_context():
            assert hooks.opt_outs.is_opted_out(ME, APP)

    def test_call_callbacks_are_kept_by_sequence_number(self, store_url: str) -> None:
        app, hooks, _ = make(store_url)
        client = TwilioTestClient(app)
        call = "CA" + "b" * 32
        for seq, value in ((2, "completed"), (0, "initiated"), (1, "in-progress")):
            fields = {"SequenceNumber": str(seq), "CallSid": call}
            reply = client.webhook("call_status", status=value, params=fields)
            assert reply.status_code == 204
        with app.app_context():
            record = hooks.calls.get(call)
        assert record is not None and record.status == "completed"
        assert [e.params["CallStatus"] for e in record.callbacks] == [
            "initiated",
            "in-progress",
            "completed",
        ]


class TestOptOutsAndBlocklist:
    def test_stop_is_recognised_before_any_handler_and_ends_the_dialog(
        self, store_url: str
    ) -> None:
        app, hooks, seen = make(store_url)
        talk = TwilioTestClient(app).conversation(from_=ME, to=APP)
        talk.send("ORDER")
        assert talk.send(" Stop. ").messages == []  # Twilio sends its own confirmation
        with app.app_context():
            # From the Messaging Service the message came through (the simulator's MG…).
            [opt_out] = hooks.opt_outs.get(ME)
            assert opt_out.sender.startswith("MG") and opt_out.source == "keyword"
        assert talk.send("M").messages == ["ok"]  # the dialog ended
        assert seen == [("order", "ORDER"), ("other", "M")]

    def test_opt_out_opt_in_and_help_handlers(self, store_url: str) -> None:
        app, hooks, seen = make(store_url)
        hooks.opt_out()(lambda msg: "You are unsubscribed.")
        hooks.opt_in()(lambda msg: "Welcome back.")
        hooks.help()(lambda msg: "Reply STOP to unsubscribe.")
        talk = TwilioTestClient(app).conversation(from_=ME, to=APP)
        assert talk.send("YES").messages == ["ok"]  # not opted out: an ordinary answer
        assert talk.send("help").messages == ["Reply STOP to unsubscribe."]
        assert talk.send("UNSUBSCRIBE").messages == ["You are unsubscribed."]
        assert talk.send("start").messages == ["Welcome back."]
        with app.app_context():
            assert not hooks.opt_outs.is_opted_out(ME)
        assert seen == [("other", "YES")]

    def test_opt_out_type_wins_over_the_body(self, store_url: str) -> None:
        app, hooks, seen = make(store_url)
        talk = TwilioTestClient(app).conversation(from_=ME, to=APP)
        reply = talk.send("arrêtez", params={"OptOutType": "STOP"})  # a custom keyword
        assert reply.messages == []
        with app.app_context():
            assert hooks.opt_outs.is_opted_out(ME)
        assert seen == []

    def test_a_blocked_number_gets_no_handler(self, store_url: str) -> None:
        app, hooks, seen = make(store_url)
        calls: list[Any] = []
        hooks.call()(lambda call: calls.append(call) or "Hello")
        with app.app_context():
            hooks.blocklist.add(ME)
        client = TwilioTestClient(app)
        assert client.conversation(from_=ME, to=APP).send("ORDER").messages == []
        reply = client.call(from_=ME, to=APP, status_callback=None).start()
        assert "<Reject/>" in reply.text
        assert seen == [] and calls == []
        with app.app_context():
            hooks.blocklist.remove(ME)
        assert client.conversation(from_=ME, to=APP).send("hi").messages == ["ok"]


class TestHistory:
    def test_accepted_refused_and_replayed_requests_are_recorded(self, store_url: str) -> None:
        app, hooks, _ = make(store_url)
        client = app.test_client()
        params = {"AccountSid": "AC1", "MessageSid": SID, "From": ME, "To": APP}
        headers = {"I-Twilio-Idempotency-Token": "tok-h"}
        signed_post(client, "/twilio/messages", {**params, "Body": "ORDER"}, headers=headers)
        signed_post(client, "/twilio/messages", {**params, "Body": "ORDER"}, headers=headers)
        signed_post(client, "/twilio/messages", {**params, "Body": "x"}, token="forged")
        with app.app_context():
            forged, replay, first = hooks.history.recent(10)
        assert (first.kind, first.verdict, first.status) == ("message", "valid", 200)
        assert first.handler is not None and first.handler.endswith("order")
        assert first.why == "keyword order"
        assert "Which size?" in first.reply and first.token == "tok-h" and not first.replay
        assert replay.replay and replay.reply == first.reply
        assert (forged.verdict, forged.status, forged.verified) == (
            "invalid_signature",
            403,
            False,
        )
        assert forged.reason is not None and "URL checked" in forged.reason
        assert TOKEN not in forged.reason

    def test_history_off(self, store_url: str) -> None:
        app, hooks, _ = make(store_url, TWHOOKS_HISTORY=False)
        signed_post(app.test_client(), "/twilio/messages", {"Body": "hi", "From": ME})
        with app.app_context(), pytest.raises(Exception, match="history is off"):
            hooks.history.recent()


@pytest.mark.twhooks_default_store
def test_by_default_the_store_is_an_sqlite_file_in_the_instance_folder(tmp_path: Path) -> None:
    app = Flask(__name__, instance_path=str(tmp_path / "instance"))
    app.config.update(TWILIO_AUTH_TOKEN=TOKEN)
    hooks = TwilioHooks(app)
    hooks.message()(lambda msg: "ok")
    TwilioTestClient(app).conversation().send("hi")
    assert (tmp_path / "instance" / "twhooks.sqlite3").is_file()
    testing = Flask(__name__, instance_path=str(tmp_path / "other"))
    testing.config.update(TWILIO_AUTH_TOKEN=TOKEN, TESTING=True)
    TwilioHooks(testing)
    assert not (tmp_path / "other").exists()  # TESTING apps keep it in memory


def test_a_conversation_held_too_long_elsewhere_is_a_503(store_url: str) -> None:
    app, hooks, seen = make(store_url)
    client = TwilioTestClient(app)
    with app.app_context():
        conversations = hooks.conversations
        conversations.lock_wait = 0.2
        key = conversations.key(ME, APP, account_sid=client.account_sid)
        with conversations.lock(key):  # another worker's handler, still running
            reply = client.conversation(from_=ME, to=APP).send("ORDER")
    assert reply.status_code == 503
    assert seen == []
    assert client.conversation(from_=ME, to=APP).send("ORDER").messages == ["Which size?"]


class TestConversationLockOnFirstUse:
    """The conversation's lock is taken when a handler (or state routing, or an opt-out)
    first uses the conversation, and held until the webhook is answered."""

    @staticmethod
    def app(store_url: str) -> tuple[Flask, TwilioHooks, list[str]]:
        app = Flask(__name__)
        app.config.update(TWILIO_AUTH_TOKEN=TOKEN, TWHOOKS_STORE=store_url)
        hooks = TwilioHooks(app)
        errors: list[str] = []

        @hooks.message(keyword="REMEMBER")
        def remember(msg: IncomingMessage) -> str:
            assert msg.conversation is not None
            msg.conversation.goto("remembered", word=msg.body)
            return "noted"

        @hooks.message(keyword="RECALL")
        def recall(msg: IncomingMessage) -> str:
            assert msg.conversation is not None
            return str(msg.conversation.data.get("word"))

        @hooks.message()
        def echo(msg: IncomingMessage) -> str:
            return f"echo {msg.body}"

        @hooks.error
        def on_error(error: Exception, event: Any) -> str:
            errors.append(type(error).__name__)
            return "error handler"

        return app, hooks, errors

    def test_a_handler_that_never_reads_it_takes_no_lock(self, store_url: str) -> None:
        app, hooks, errors = self.app(store_url)
        client = TwilioTestClient(app)
        with app.app_context():
            conversations = hooks.conversations
            conversations.lock_wait = 0.2
            key = conversations.key(ME, APP, account_sid=client.account_sid)
            with conversations.lock(key):  # another worker's handler, still running
                talk = client.conversation(from_=ME, to=APP)
                assert talk.send("hello").messages == ["echo hello"]
                busy = talk.send("RECALL")
        assert busy.status_code == 503  # not the error handler's reply
        assert errors == []

    def test_state_is_kept_and_an_opt_out_ends_it_without_a_read(self, store_url: str) -> None:
        app, hooks, errors = self.app(store_url)
        client = TwilioTestClient(app)
        talk = client.conversation(from_=ME, to=APP)
        assert talk.send("REMEMBER").messages == ["noted"]
        assert talk.send("hello").messages == ["echo hello"]
        assert talk.send("RECALL").messages == ["REMEMBER"]
        with app.app_context():
            stored = hooks.conversations.get(ME, APP, account_sid=client.account_sid)
            assert stored is not None and stored.state == "remembered"
        talk.send("STOP")
        with app.app_context():
            assert hooks.conversations.get(ME, APP, account_sid=client.account_sid) is None
        assert errors == []

    def test_a_conversation_kept_after_its_webhook_is_a_clear_error(self, store_url: str) -> None:
        app, hooks, errors = self.app(store_url)
        kept: list[Conversation] = []

        @hooks.message(keyword="KEEP")
        def keep(msg: IncomingMessage) -> str:
            assert msg.conversation is not None
            kept.append(msg.conversation)  # not read while the webhook was handled
            return "kept"

        with app.app_context():
            hooks.conversations.lock_wait = 0.5
        client = TwilioTestClient(app)
        talk = client.conversation(from_=ME, to=APP)
        assert talk.send("KEEP").messages == ["kept"]
        with pytest.raises(HandlerError, match="answered already"):
            kept[0].state  # noqa: B018
        # The late use took no lock: the person's next message is answered at once.
        assert talk.send("RECALL").messages == ["None"]
        assert errors == []


#: Run in a fresh interpreter, so that no other test's objects are collected meanwhile: it
#: handles each kind of webhook (a message whose handler changes its conversation, one whose
#: handler does not, a status callback, a call), then watches what the same webhooks leave in
#: reference cycles, and prints the types (twhooks' and SQLAlchemy's) it found there.
CYCLES_SCRIPT = """
import gc, json, sys
from _signing import TOKEN, signed_post
from flask import Flask
from twhooks import TwilioHooks

app = Flask("cycles")
app.config.update(TWILIO_AUTH_TOKEN=TOKEN, TWHOOKS_STORE=sys.argv[1])
hooks = TwilioHooks(app)

@hooks.message(keyword="COUNT")
def count(msg):
    msg.conversation.data["n"] = msg.conversation.data.get("n", 0) + 1
    return str(msg.conversation.data["n"])

@hooks.message()
def echo(msg):
    return msg.body

@hooks.message_status()
def delivered(status):
    return None

client = app.test_client()
common = {"AccountSid": "AC" + "0" * 32, "From": "+15551234567", "To": "+15557654321"}

def webhooks(i):
    sid, call_sid = f"SM{i:032d}", f"CA{i:032d}"
    for body in ("COUNT", "hello"):
        message = {**common, "MessageSid": sid, "Body": body}
        assert signed_post(client, "/twilio/messages", message).status_code == 200
    callback = {**common, "MessageSid": sid, "MessageStatus": "delivered"}
    assert signed_post(client, "/twilio/messages/status", callback).status_code == 204
    call = {**common, "CallSid": call_sid, "CallStatus": "ringing"}
    assert signed_post(client, "/twilio/voice", call).status_code == 200
    with app.app_context():
        assert hooks.history.recent(1)  # the history's batch written too

# Twice first: what is made once per process (statements compiled on first use) is made.
for i in range(2):
    webhooks(i)
gc.collect()
gc.set_debug(gc.DEBUG_SAVEALL)
for i in range(2, 7):
    webhooks(i)
gc.collect()
print(json.dumps(sorted({
    f"{type(o).__module__}.{type(o).__qualname__}"
    for o in gc.garbage
    if type(o).__module__.startswith(("twhooks", "sqlalchemy"))
})))
"""


def test_webhooks_leave_no_reference_cycles(store_url: str) -> None:
    """Every object of a webhook's handling is freed as soon as it is answered: none is left
    in a reference cycle for the garbage collector (whose runs would then cost every request
    of a busy server more than the conversation did)."""
    tests = Path(__file__).parent
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(tests), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-c", CYCLES_SCRIPT, store_url],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


class TestConversationLookups:
    """``hooks.conversations.get(person, number)`` finds the conversation without the app
    knowing the AccountSid, in an app that serves one account (issue 23 §5)."""

    def test_a_lookup_without_the_account_finds_the_conversation(self, store_url: str) -> None:
        app, hooks, _ = make(store_url)  # no TWILIO_ACCOUNT_SID set
        client = TwilioTestClient(app)
        assert client.conversation(from_=ME, to=APP).send("ORDER").messages == ["Which size?"]
        with app.app_context():
            stored = hooks.conversations.get(ME, APP)
            assert stored is not None and stored.state == "size"
            hooks.conversations.reset(ME, APP)
            assert hooks.conversations.get(ME, APP) is None
        assert client.conversation(from_=ME, to=APP).send("L").messages == ["ok"]

    def test_the_test_client_sends_the_apps_account(self, store_url: str) -> None:
        account = "AC" + "1" * 32
        app, hooks, _ = make(store_url, TWILIO_ACCOUNT_SID=account)
        sent: list[str | None] = []

        @hooks.message(keyword="WHO")
        def who(msg: IncomingMessage) -> str:
            sent.append(msg.account_sid)
            return "me"

        client = TwilioTestClient(app)
        assert client.account_sid == account
        client.conversation(from_=ME, to=APP).send("WHO")
        client.conversation(from_=ME, to=APP).send("ORDER")
        assert sent == [account]
        with app.app_context():
            for lookup in ({}, {"account_sid": account}):
                stored = hooks.conversations.get(ME, APP, **lookup)
                assert stored is not None and stored.state == "size"

    def test_subaccounts_keep_apart(self, store_url: str) -> None:
        main, sub = "AC" + "1" * 32, "AC" + "2" * 32
        app, hooks, _ = make(
            store_url, TWILIO_ACCOUNT_SID=main, TWHOOKS_ACCOUNT_TOKENS={sub: "sub-token"}
        )
        TwilioTestClient(app, account_sid=sub).conversation(from_=ME, to=APP).send("ORDER")
        with app.app_context():
            assert hooks.conversations.get(ME, APP) is None  # the main account's: none
            stored = hooks.conversations.get(ME, APP, account_sid=sub)
            assert stored is not None and stored.state == "size"
        TwilioTestClient(app).conversation(from_=ME, to=APP).send("ORDER")
        with app.app_context():
            assert hooks.conversations.get(ME, APP) is not None
            assert hooks.conversations.get(ME, APP, account_sid=main) is not None
            hooks.conversations.reset(ME, APP, account_sid=sub)
            assert hooks.conversations.get(ME, APP, account_sid=sub) is None
            assert hooks.conversations.get(ME, APP) is not None

    def test_several_accounts_and_no_main_one_is_a_clear_error(self, store_url: str) -> None:
        app, hooks, _ = make(store_url, TWHOOKS_ACCOUNT_TOKENS={"AC" + "2" * 32: "t"})
        with (
            app.app_context(),
            pytest.raises(ValueError, match=r"account_sid=.*TWILIO_ACCOUNT_SID"),
        ):
            hooks.conversations.get(ME, APP)
