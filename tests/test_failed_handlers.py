"""A handler that raised did not consume its webhook (issue 23 §2): its status callback is
not recorded as applied and its claim is released, so Twilio's retry (or a re-send) runs the
handler again; meanwhile the webhook waits in the dead-letter list (``hooks.history.failed()``),
from which ``twhooks rerun`` sends it again, signed.

On gunicorn with three workers (Flask) and on two Hypercorn processes (Quart), over each
shared store. On 0.3.0.dev0's main the retry of a failed status callback answered 204
"late or duplicate" and never ran the handler: the app's own record stayed behind while
``hooks.deliveries`` said ``delivered``.
"""

from __future__ import annotations

import concurrent.futures
import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from _servers import Gunicorn, Hypercorn, ServerProcess
from _signing import TOKEN, official_signature
from _stores import POSTGRESQL_URL, REDIS_URL, named_store, new_prefix, remove

from twhooks.cli import main as twhooks_main

ACCOUNT = "AC" + "1" * 32
MESSAGES = 20
STATUSES = ["queued", "sent", "delivered"]


@pytest.fixture(params=["sqlite", "redis", "postgresql"])
def store_env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    prefix = new_prefix("failed")
    if request.param == "sqlite":
        yield {"TEST_STORE": f"sqlite:///{tmp_path}/store.sqlite3", "TEST_PREFIX": prefix}
        return
    url = REDIS_URL if request.param == "redis" else POSTGRESQL_URL
    yield {"TEST_STORE": url, "TEST_PREFIX": prefix}
    remove(url, prefix)


@pytest.fixture(params=["flask", "quart"])
def server(
    request: pytest.FixtureRequest,
    store_env: dict[str, str],
    gunicorn: Callable[..., Gunicorn],
    tmp_path: Path,
) -> Iterator[ServerProcess]:
    work = tmp_path / "app"
    work.mkdir()
    env = {"TEST_TWILIO_AUTH_TOKEN": TOKEN, "TEST_DIR": str(work), **store_env}
    if request.param == "flask":
        yield gunicorn("failing_app:flask_app()", workers=3, env=env)
        return
    process = Hypercorn("failing_app:quart_app()", env, tmp_path / "hypercorn.log")
    try:
        yield process
    finally:
        process.stop()


def post(url: str, params: dict[str, str], token: str | None = None) -> requests.Response:
    headers = {"X-Twilio-Signature": official_signature(url, params)}
    if token is not None:
        headers["I-Twilio-Idempotency-Token"] = token
    return requests.post(url, data=params, headers=headers, timeout=30)


def wait_for(check: Callable[[], bool], timeout: float = 5.0) -> None:
    """Poll *check* (what another process writes with its history's next batch)."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def status_callback(sid: str, status: str) -> dict[str, str]:
    return {
        "AccountSid": ACCOUNT,
        "MessageSid": sid,
        "MessageStatus": status,
        "To": "+15550001111",
        "From": "+15550002222",
    }


def app_record(server: ServerProcess, sid: str) -> str | None:
    path = Path(server_env(server)["TEST_DIR"]) / "orders.sqlite3"
    if not path.exists():
        return None
    with sqlite3.connect(path) as db:
        row = db.execute("SELECT status FROM orders WHERE sid = ?", (sid,)).fetchone()
    return row[0] if row else None


def server_env(server: ServerProcess) -> dict[str, str]:
    return server.env


def store_of(server: ServerProcess) -> Any:
    env = server_env(server)
    return named_store(env["TEST_STORE"], env["TEST_PREFIX"])


def test_a_failed_status_handler_runs_again_on_the_retry(server: ServerProcess) -> None:
    url = server.url + "/twilio/messages/status"
    sent = status_callback("SM" + "a" * 32, "sent")
    delivered = status_callback("SM" + "a" * 32, "delivered")
    assert post(url, sent, "tok-sent").status_code == 500  # its first run raises
    assert post(url, sent, "tok-sent").status_code == 204  # Twilio's retry runs it again
    assert app_record(server, sent["MessageSid"]) == "sent"
    assert post(url, delivered, "tok-delivered").status_code == 500
    store = store_of(server)
    try:
        # Not applied: the store does not run ahead of the app's own record.
        delivery = store.get_message(sent["MessageSid"])
        assert delivery is not None and delivery.status == "sent"
        # The failure of "sent" is off the list once its success's history batch is written.
        wait_for(lambda: len(store.failed_webhooks(10)) == 1)
        failed = store.failed_webhooks(10)
        assert [(f.kind, f.params["MessageStatus"], f.attempts) for f in failed] == [
            ("message_status", "delivered", 1)
        ]
        assert failed[0].error == f"RuntimeError: first run of delivered-{'SM' + 'a' * 32} fails"
        assert "RuntimeError" in failed[0].traceback
        assert post(url, delivered, "tok-delivered").status_code == 204
        assert app_record(server, sent["MessageSid"]) == "delivered"
        delivery = store.get_message(sent["MessageSid"])
        assert delivery is not None and delivery.status == "delivered"
        # The retry succeeded: off the list, with its history record's batch (0.1 s).
        wait_for(lambda: store.failed_webhooks(10) == [])
        # A duplicate after that is late: recorded, no handler run.
        assert post(url, delivered, "tok-again").status_code == 204
    finally:
        store.close()


def test_a_failed_message_handler_runs_again_rather_than_replay_its_500(
    server: ServerProcess,
) -> None:
    url = server.url + "/twilio/messages"
    params = {
        "AccountSid": ACCOUNT,
        "MessageSid": "SM" + "b" * 32,
        "Body": "hello",
        "From": "+15550002222",
        "To": "+15550001111",
    }
    assert post(url, params, "tok-msg").status_code == 500
    retried = post(url, params, "tok-msg")
    assert retried.status_code == 200 and "got hello" in retried.text
    again = post(url, params, "tok-msg")  # now the first reply is replayed, not run again
    assert again.status_code == 200 and again.text == retried.text
    runs = (Path(server_env(server)["TEST_DIR"]) / "runs").read_text().splitlines()
    assert runs == [f"{params['MessageSid']} hello"]
    store = store_of(server)
    try:
        wait_for(lambda: store.failed_webhooks(10) == [])
    finally:
        store.close()


def test_twhooks_rerun_sends_the_dead_letters_again_signed(
    server: ServerProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    url = server.url + "/twilio/messages/status"
    sids = ["SM" + c * 32 for c in "cd"]
    for sid in sids:
        assert post(url, status_callback(sid, "delivered")).status_code == 500
    always = status_callback("SM" + "e" * 32, "always-failing")
    assert post(url, always).status_code == 500
    env = server_env(server)
    store_args = ["--store", env["TEST_STORE"], "--prefix", env["TEST_PREFIX"]]
    assert twhooks_main(["rerun", server.url, *store_args, "--auth-token", TOKEN]) == 0
    listed = capsys.readouterr().out
    assert "3 failed webhook(s)" in listed and sids[0] in listed
    status = twhooks_main(["rerun", server.url, *store_args, "--all", "--auth-token", TOKEN])
    out = capsys.readouterr().out
    assert status == 1, out  # one failed again
    assert "re-ran 3, 2 succeeded" in out
    assert [app_record(server, sid) for sid in sids] == ["delivered", "delivered"]
    store = store_of(server)
    try:
        wait_for(lambda: len(store.failed_webhooks(10)) == 1)
        left = store.failed_webhooks(10)
        assert [(f.params["MessageSid"], f.attempts) for f in left] == [(always["MessageSid"], 2)]
        # Each re-run is a request of its own in the app's history (written within 0.1 s).
        wait_for(lambda: len(store.recent_history(50, sid=sids[0])) == 2)
        assert [r.status for r in store.recent_history(50, sid=sids[0])] == [204, 500]
    finally:
        store.close()


def test_shuffled_callbacks_that_fail_once_end_at_the_furthest_status(
    store_env: dict[str, str], gunicorn: Callable[..., Gunicorn], tmp_path: Path
) -> None:
    """Every callback's first run fails; the retries come in another random order, at the
    same time, to four workers: the app's own record and the store both end at the furthest
    status of every message, and no dead letter is left (a retry found late is consumed)."""
    work = tmp_path / "app"
    work.mkdir()
    env = {"TEST_TWILIO_AUTH_TOKEN": TOKEN, "TEST_DIR": str(work), **store_env}
    server = gunicorn("failing_app:flask_app()", workers=4, env=env)
    url = server.url + "/twilio/messages/status"
    shuffled = random.Random(23)
    callbacks = [
        status_callback(f"SM{n:032d}", status)
        for n in range(MESSAGES)
        for status in shuffled.sample(STATUSES, len(STATUSES))
    ]

    def send(params: dict[str, str]) -> int:
        return post(
            url, params, f"tok-{params['MessageSid']}-{params['MessageStatus']}"
        ).status_code

    with concurrent.futures.ThreadPoolExecutor(12) as pool:
        assert list(pool.map(send, callbacks)) == [500] * len(callbacks)
        shuffled.shuffle(callbacks)
        assert list(pool.map(send, callbacks)) == [204] * len(callbacks)
    store = store_of(server)
    try:
        for n in range(MESSAGES):
            sid = f"SM{n:032d}"
            delivery = store.get_message(sid)
            assert (app_record(server, sid), delivery and delivery.status) == (
                "delivered",
                "delivered",
            ), sid
        wait_for(lambda: store.failed_webhooks(1000) == [])
    finally:
        store.close()
