"""The import paths of 0.2 that moved in 0.3 still work for this release, with a
DeprecationWarning naming the new path."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest


def _import_anew(name: str, monkeypatch: pytest.MonkeyPatch, new: str) -> object:
    """Import *name* as a first import does, checking its warning names *new*."""
    monkeypatch.delitem(sys.modules, name, raising=False)
    with pytest.warns(DeprecationWarning, match=new):
        return importlib.import_module(name)


def test_twhooks_extension(monkeypatch: pytest.MonkeyPatch) -> None:
    import twhooks.flask

    old = _import_anew("twhooks.extension", monkeypatch, "twhooks.flask")
    assert old.TwilioHooks is twhooks.flask.TwilioHooks  # type: ignore[attr-defined]


def test_twhooks_testing() -> None:
    # twhooks.testing is FakeTwilioApi's home now: the names that moved warn when used.
    import twhooks.flask.testing
    import twhooks.testing as old

    for name in ("TwilioTestClient", "FlaskTransport"):
        with pytest.warns(DeprecationWarning, match="twhooks.flask.testing"):
            assert getattr(old, name) is getattr(twhooks.flask.testing, name)


def test_twhooks_realtime_flask_sock(monkeypatch: pytest.MonkeyPatch) -> None:
    import twhooks.flask.sockets

    old = _import_anew("twhooks.realtime.flask_sock", monkeypatch, "twhooks.flask.sockets")
    assert old.mount_flask is twhooks.flask.sockets.mount_flask  # type: ignore[attr-defined]
    assert old.FlaskSockSocket is twhooks.flask.sockets.FlaskSockSocket  # type: ignore[attr-defined]
    assert old.BLUEPRINT == "twhooks_realtime"  # type: ignore[attr-defined]


def test_twhooks_app_store(monkeypatch: pytest.MonkeyPatch) -> None:
    import twhooks.glue

    old = _import_anew("twhooks.app_store", monkeypatch, "twhooks.glue")
    for name in ("StoreProperties", "open_app_store", "share_call_records", "start_app"):
        assert getattr(old, name) is getattr(twhooks.glue, name)


def test_the_package_imports_no_deprecated_path() -> None:
    code = (
        "import sys, twhooks, twhooks.flask.sockets, twhooks.flask.testing, twhooks.quart, "
        "twhooks.pytest_plugin; twhooks.TwilioHooks; "
        "print(sorted(m for m in sys.modules if m in "
        "('twhooks.extension', 'twhooks.testing', 'twhooks.realtime.flask_sock', "
        "'twhooks.app_store')))"
    )
    out = subprocess.run(
        [sys.executable, "-W", "error", "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_twhooks_stored_reply_is_the_one_reply_type_and_warns() -> None:
    import twhooks

    with pytest.warns(DeprecationWarning, match="twhooks.Reply"):
        old = twhooks.StoredReply
    assert old is twhooks.Reply
