"""Background handlers on real servers sharing Redis: gunicorn with four Flask workers and a
Hypercorn process of Quart, the thread runner in each. The webhook is answered while its
handler sleeps; the handler runs once per webhook, and its reply reaches the (local) Twilio
API once, when Twilio's retries (or copies without a token) reach several workers at once."""

from __future__ import annotations

import concurrent.futures
import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from _servers import Gunicorn, Hypercorn, ServerProcess
from _signing import official_signature
from _stores import REDIS_URL, new_prefix, remove

from twhooks.testing import FakeTwilioApi

ACCOUNT = "AC" + "1" * 32


@pytest.fixture
def api() -> Iterator[FakeTwilioApi]:
    with FakeTwilioApi(account_sid=ACCOUNT) as fake:
        yield fake


def server_env(api: FakeTwilioApi, prefix: str, runs: Path, *, slow: int) -> dict[str, str]:
    """The environment of ``background_app``: the local API, Redis under *prefix*, each run
    of the handler written to *runs*, a handler that sleeps *slow* seconds and replies."""
    return {
        "TEST_TWILIO_AUTH_TOKEN": api.auth_token,
        "TEST_ACCOUNT_SID": ACCOUNT,
        "TEST_API_URL": api.url,
        "TEST_REPLY": "1",
        "TEST_STORE": REDIS_URL,
        "TEST_PREFIX": prefix,
        "TEST_RUNS": str(runs),
        "TEST_SLOW": str(slow),
    }


@pytest.fixture(params=["flask", "quart"])
def server(
    request: pytest.FixtureRequest,
    gunicorn: Callable[..., Gunicorn],
    tmp_path: Path,
    api: FakeTwilioApi,
) -> Iterator[tuple[ServerProcess, Path]]:
    prefix = new_prefix("bg")
    runs = tmp_path / "runs.txt"
    runs.touch()
    env = server_env(api, prefix, runs, slow=2)
    try:
        if request.param == "flask":
            yield gunicorn("background_app:flask_app()", workers=4, env=env), runs
        else:
            process = Hypercorn("background_app:quart_app()", env, tmp_path / "hypercorn.log")
            try:
                yield process, runs
            finally:
                process.stop()
    finally:
        remove(REDIS_URL, prefix)


def post(
    api: FakeTwilioApi, url: str, params: dict[str, str], token: str | None
) -> requests.Response:
    headers = {"X-Twilio-Signature": official_signature(url, params, api.auth_token)}
    if token is not None:
        headers["I-Twilio-Idempotency-Token"] = token
    return requests.post(url, data=params, headers=headers, timeout=30)


def lines(runs: Path) -> list[str]:
    return runs.read_text().splitlines()


def test_answered_at_once_run_once_replied_once(
    server: tuple[ServerProcess, Path], api: FakeTwilioApi
) -> None:
    process, runs = server
    url = process.url + "/twilio/messages"
    params = {
        "AccountSid": ACCOUNT,
        "MessageSid": "SM" + "a" * 32,
        "From": "+15550001111",
        "To": "+15550002222",
        "Body": "order 42",
    }
    # Twilio's three retries at once, and three copies without a token (another route to
    # the app), on as many workers: every one answered while the handler sleeps its 2 s.
    tokens = ["retry-1"] * 3 + [None] * 3
    with concurrent.futures.ThreadPoolExecutor(len(tokens)) as pool:
        answers = list(pool.map(lambda token: post(api, url, params, token), tokens))
    assert [a.status_code for a in answers] == [200] * len(tokens)
    assert all(b"<Message" not in a.content for a in answers)
    assert lines(runs) == []  # answered; the handler still sleeps
    deadline = time.monotonic() + 15
    while not lines(runs) and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(2.5)  # time for a second run, were there one
    found = lines(runs)
    assert len(found) == 1, found
    assert found[0].endswith(f"{params['MessageSid']} order 42")
    (sent,) = api.wait_for_messages(1)
    assert (sent.to, sent.from_, sent.body) == ("+15550001111", "+15550002222", "Got order 42")
    time.sleep(0.5)
    assert len(api.messages) == 1


def test_a_job_whose_worker_died_runs_again_when_the_webhook_comes_again(
    gunicorn: Callable[..., Gunicorn], tmp_path: Path, api: FakeTwilioApi
) -> None:
    """The worker running the job is killed (SIGKILL) mid-handler: the job never finished, so
    the same webhook sent again (a re-run) runs it — once its dead claim's lease ran out —
    and its reply is sent once."""
    prefix = new_prefix("bgkill")
    runs = tmp_path / "runs.txt"
    runs.touch()
    env = server_env(api, prefix, runs, slow=3)
    try:
        process = gunicorn("background_app:flask_app()", workers=2, env=env)
        url = process.url + "/twilio/messages"
        params = {
            "AccountSid": ACCOUNT,
            "MessageSid": "SM" + "b" * 32,
            "From": "+15550001111",
            "To": "+15550002222",
            "Body": "killed",
        }
        assert post(api, url, params, "first").status_code == 200
        started = Path(str(runs) + ".started")
        deadline = time.monotonic() + 10
        while not started.exists() or not started.read_text().strip():
            assert time.monotonic() < deadline
            time.sleep(0.05)
        os.kill(int(started.read_text().split()[0]), signal.SIGKILL)
        assert post(api, url, params, None).status_code == 200  # sent again
        (sent,) = api.wait_for_messages(1, timeout=30)
        assert sent.body == "Got killed"
        assert len(lines(runs)) == 1
        assert len(started.read_text().split()) == 2  # started twice, finished once
        time.sleep(0.5)
        assert len(api.messages) == 1
    finally:
        remove(REDIS_URL, prefix)
