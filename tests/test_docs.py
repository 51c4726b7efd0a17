"""The documentation in docs/: code blocks fit the page, the intersphinx inventories are local,
the logs and the refusal the pages show are the app's (every Python block runs:
tests/test_docs_code.py)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask

from twhooks import TwilioHooks, TwilioSignatureMiddleware
from twhooks.flask.testing import TwilioTestClient

#: Needs the runtime dependencies only: CI runs it after ``pip install twhooks`` too.
pytestmark = pytest.mark.core

DOCS = Path(__file__).resolve().parent.parent / "docs"
#: The widest code line that fits the page without scrolling sideways.
MAX_COLUMNS = 88

_CODE_DIRECTIVE = re.compile(r"\s*\.\. (code-block|code|sourcecode)::")
_OTHER_DIRECTIVE = re.compile(r"\s*\.\. [\w:-]+::")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def code_lines(text: str) -> Iterator[tuple[int, str]]:
    """``(line number, line)`` of every line inside a literal block or code directive."""
    lines = text.splitlines()
    number = 0
    while number < len(lines):
        line = lines[number]
        number += 1
        is_code = _CODE_DIRECTIVE.match(line) is not None
        if not is_code and (not line.rstrip().endswith("::") or _OTHER_DIRECTIVE.match(line)):
            continue
        base = _indent(line)
        while number < len(lines) and (not lines[number].strip() or _indent(lines[number]) > base):
            yield number + 1, lines[number]
            number += 1


def test_the_scanner_finds_code() -> None:
    text = (
        "Run::\n\n    long line\n\nProse.\n\n"
        ".. note::\n\n   not code\n\n"
        ".. code-block:: sh\n\n   ok\n"
    )
    assert [line.strip() for _, line in code_lines(text) if line.strip()] == ["long line", "ok"]


@pytest.mark.parametrize("page", sorted(DOCS.glob("**/*.rst")), ids=lambda path: path.name)
def test_code_blocks_fit_in_88_columns(page: Path) -> None:
    too_wide = [
        f"{page.name}:{number}: {len(line)} columns"
        for number, line in code_lines(page.read_text(encoding="utf-8"))
        if len(line) > MAX_COLUMNS
    ]
    assert too_wide == []


def test_intersphinx_reads_committed_inventories() -> None:
    namespace: dict[str, object] = {"__file__": str(DOCS / "conf.py")}
    exec(compile((DOCS / "conf.py").read_text(), str(DOCS / "conf.py"), "exec"), namespace)
    mapping = namespace["intersphinx_mapping"]
    assert isinstance(mapping, dict)
    assert set(mapping) == {"python", "flask", "werkzeug"}
    for _, inventory in mapping.values():
        assert Path(inventory).is_file(), inventory  # never fetched from the network


def _page(name: str) -> str:
    """A page's text with its line breaks and indents made single spaces."""
    return " ".join((DOCS / name).read_text(encoding="utf-8").split())


def _app(**config: object) -> tuple[Flask, TwilioHooks]:
    app = Flask("docs")
    app.config.update(TWILIO_AUTH_TOKEN="docs-token", TWHOOKS_STORE="memory://", **config)
    return app, TwilioHooks(app)


def _refused_by_the_extension() -> None:
    app, _ = _app()
    assert app.test_client().post("/twilio/messages", data={"Body": "hi"}).status_code == 403


def _a_handler_error() -> None:
    app, hooks = _app(TESTING=False)

    @hooks.message()
    def broken(msg: object) -> str:
        raise RuntimeError("broken")

    assert TwilioTestClient(app).webhook("message").status_code == 500


def _refused_by_the_middleware() -> None:
    app = Flask("docs")
    app.wsgi_app = TwilioSignatureMiddleware(app.wsgi_app, "docs-token")  # type: ignore[method-assign]
    assert app.test_client().post("/sms", data={"Body": "hi"}).status_code == 403


def _a_malformed_field() -> None:
    app, hooks = _app()
    hooks.call_status()(lambda status: None)
    TwilioTestClient(app).webhook("call_status", params={"CallDuration": "12s"})


#: What the app logs, and the words of the page that names its logger (``{}``).
LOGS: dict[str, tuple[Callable[[], None], str, str]] = {
    "refused by the extension": (
        _refused_by_the_extension,
        "deploying.rst",
        "``{}`` (a request the extension refused",
    ),
    "a handler error": (
        _a_handler_error,
        "routing.rst",
        "on the ``{}`` logger, naming the handler",
    ),
    "refused by the middleware": (
        _refused_by_the_middleware,
        "signatures.rst",
        "every refusal is logged once at WARNING on the ``{}`` logger",
    ),
    "a malformed field": (
        _a_malformed_field,
        "events.rst",
        "on the ``{}`` logger naming the field",
    ),
}


@pytest.mark.parametrize("case", sorted(LOGS))
def test_the_docs_name_the_logger_the_app_logs_on(
    case: str, caplog: pytest.LogCaptureFixture
) -> None:
    cause, page, words = LOGS[case]
    with caplog.at_level(logging.INFO, logger="twhooks"):
        cause()
    names = {
        record.name
        for record in caplog.records
        if record.levelno >= logging.WARNING and record.name.startswith("twhooks")
    }
    assert len(names) == 1, names
    assert words.format(names.pop()) in _page(page)


def test_the_loggers_section_names_every_logger() -> None:
    """deploying.rst's Logs section names every logger twhooks has, and no other."""
    root = DOCS.parent
    loggers: set[str] = set()
    for path in (root / "twhooks").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        loggers.update(re.findall(r'getLogger\("([\w.]+)"\)', text))
        if "getLogger(__name__)" in text:
            loggers.add(".".join(path.relative_to(root).with_suffix("").parts))
    section = _page("deploying.rst").partition("twhooks logs on loggers")[2].partition("Under")[0]
    assert set(re.findall(r"``(twhooks\.[\w.]+)``", section)) == loggers


def test_the_refusal_the_docs_show_is_the_apps() -> None:
    app, _ = _app()
    body = app.test_client().post("/twilio/messages").get_data(as_text=True)
    assert f"HTTP 403 Forbidden {body.strip()}" in _page("testing.rst")
