"""A feature whose extra is not installed says which ``pip install`` to run.

Each case runs in a fresh interpreter where the extra's packages cannot be imported
(tests/_blocked.py), as after ``pip install twhooks`` alone; CI also runs this file in a
virtualenv that really has the runtime dependencies only (.ci/run).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from _blocked import run_blocked

from twhooks import ConfigurationError, extras

pytestmark = pytest.mark.core

#: Every package of an extra.
ALL_EXTRAS = ("sqlalchemy", "psycopg", "redis", "quart", "flask_sock", "websockets", "hypercorn")

_OPEN = """
from flask import Flask
from twhooks import ConfigurationError, TwilioHooks

app = Flask(__name__)
app.config.update(TWILIO_AUTH_TOKEN="t" * 32, TWHOOKS_STORE={store!r})
try:
    TwilioHooks(app)
    out = "opened"
except ConfigurationError as error:
    out = str(error)
"""


@pytest.mark.parametrize(
    ("store", "blocked", "extra"),
    [
        ("postgresql://postgres@127.0.0.1:5432/test", ("sqlalchemy",), "postgres"),
        ("postgresql://postgres@127.0.0.1:5432/test", ("psycopg",), "postgres"),
        ("postgres://postgres@127.0.0.1:5432/test", ("psycopg",), "postgres"),
        # An SQLite file through SQLAlchemy (``sqlite+pysqlite``: a driver named).
        ("sqlite+pysqlite:////tmp/twhooks-extras-test.sqlite3", ("sqlalchemy",), "sql"),
        ("redis://127.0.0.1:6379/0", ("redis",), "redis"),
        ("rediss://127.0.0.1:6379/0", ("redis",), "redis"),
    ],
    ids=["postgresql-no-sqlalchemy", "postgresql-no-psycopg", "postgres", "sql", "redis", "tls"],
)
def test_a_store_url_without_its_extra_names_the_install(
    store: str, blocked: tuple[str, ...], extra: str
) -> None:
    result = run_blocked(_OPEN.format(store=store), blocked)
    message = result["out"]
    assert f"pip install 'twhooks[{extra}]'" in message
    assert "TWHOOKS_STORE" in message
    assert "127.0.0.1" not in message  # a URL may hold a password: never shown
    assert not set(blocked) & set(result["loaded"])


def test_memory_store_needs_no_extra() -> None:
    assert run_blocked(_OPEN.format(store="memory://"), ALL_EXTRAS)["out"] == "opened"


def test_quart_without_its_extra_names_the_install() -> None:
    code = """
from twhooks import ConfigurationError
try:
    import twhooks.quart
    out = "imported"
except ConfigurationError as error:
    out = str(error)
"""
    assert "pip install 'twhooks[quart]'" in run_blocked(code, ("quart",))["out"]


def test_flask_voice_sockets_without_their_extra_name_the_install() -> None:
    code = """
from flask import Flask
from twhooks import ConfigurationError, TwilioHooks

app = Flask(__name__)
app.config.update(TWILIO_AUTH_TOKEN="t" * 32, TWHOOKS_STORE="memory://")
hooks = TwilioHooks(app)  # webhooks work without it
try:
    hooks.relay()(lambda session: None)
    out = "registered"
except ConfigurationError as error:
    out = str(error)
"""
    assert "pip install 'twhooks[voice]'" in run_blocked(code, ("flask_sock",))["out"]


def test_the_relay_caller_without_websockets_names_the_install() -> None:
    code = """
from twhooks import ConfigurationError
from twhooks.realtime.testing import RelayCaller

try:
    RelayCaller("ws://127.0.0.1:9/twilio/relay/CA" + "0" * 32, "t" * 32).open()
    out = "opened"
except ConfigurationError as error:
    out = str(error)
"""
    assert "pip install 'twhooks[voice]'" in run_blocked(code, ("websockets",))["out"]


def test_a_broken_install_is_not_reported_as_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the extra's own module missing is "not installed": an installed package that
    fails to import one of its own dependencies raises its own error."""
    (tmp_path / "brokenpkg").mkdir()
    (tmp_path / "brokenpkg" / "__init__.py").write_text("import twhooks_no_such_dependency\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModuleNotFoundError) as raised:
        extras.require("sql", "TWHOOKS_STORE", "brokenpkg")
    assert raised.value.name == "twhooks_no_such_dependency"
    with pytest.raises(ConfigurationError, match=r"pip install 'twhooks\[sql\]'"):
        extras.require("sql", "TWHOOKS_STORE", "twhooks_no_such_module")


def test_every_extra_in_a_message_is_one_of_pyproject() -> None:
    from pathlib import Path

    import tomllib

    pyproject = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())
    declared = pyproject["project"]["optional-dependencies"]
    assert set(extras.EXTRAS) <= set(declared)
    assert set(declared["all"][0].partition("[")[2].rstrip("]").split(",")) >= {
        "postgres",
        "redis",
        "quart",
        "voice",
    }
    assert "twhooks[all]" in declared["test"]
    assert pyproject["project"]["dependencies"] == [
        "flask>=2.3",
        "werkzeug>=2.3",
        "itsdangerous>=2.1",
        "lxml>=4.9",
        "requests>=2.28",
    ]
