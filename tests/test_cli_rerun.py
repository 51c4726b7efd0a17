"""``twhooks rerun``'s answers when there is nothing to run or the store is wrong (the
re-runs themselves are in tests/test_failed_handlers.py, against real servers)."""

from __future__ import annotations

from pathlib import Path

import pytest

from twhooks.cli import main


def test_listing_needs_no_auth_token(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TWILIO_AUTH_TOKEN", raising=False)
    store = f"sqlite:///{tmp_path}/store.sqlite3"
    assert main(["rerun", "http://127.0.0.1:9", "--store", store]) == 0
    assert capsys.readouterr().out == "0 failed webhook(s)\n"


def test_running_one_needs_the_auth_token(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TWILIO_AUTH_TOKEN", raising=False)
    store = f"sqlite:///{tmp_path}/store.sqlite3"
    assert main(["rerun", "http://127.0.0.1:9", "--store", store, "--all"]) == 2
    assert "no auth token" in capsys.readouterr().err


def test_an_unknown_id_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = f"sqlite:///{tmp_path}/store.sqlite3"
    argv = ["rerun", "http://127.0.0.1:9", "--store", store, "--id", "nope", "--auth-token", "t"]
    assert main(argv) == 1
    assert capsys.readouterr().err == "twhooks: no failed webhook nope\n"


@pytest.mark.parametrize("store", ["ftp://somewhere", "sqlite:///:memory:"])
def test_a_wrong_store_says_so(store: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rerun", "http://127.0.0.1:9", "--store", store]) == 2
    err = capsys.readouterr().err
    assert err.startswith("twhooks: --store: ") and err[-1] == "\n"
