"""Every Python code block of the guide pages (``docs/*.rst``) compiles, and runs.

A page's blocks run in order in one namespace, as a reader would paste them: a Flask ``app``
(TESTING, an auth token, a secret key, the in-memory store) and ``hooks = TwilioHooks(app)``
are given; every other name a block uses, a block of the page must import or define. A
literal block (``::``) is Python, as Sphinx highlights it: another language says so
(``.. code-block:: console``). A block that cannot run here is in :data:`CANNOT_RUN`, keyed
by page and first line, with the reason; it is still compiled. A new block that fails, or an
entry that no longer names a block, fails the test.
"""

from __future__ import annotations

import builtins
import dis
import doctest
import io
import os
import re
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import CodeType, ModuleType
from typing import Any

import pytest
import sqlalchemy
from flask import Flask, current_app

from twhooks import TwilioHooks

DOCS = Path(__file__).resolve().parent.parent / "docs"
GUIDE = sorted(DOCS.glob("*.rst"))

_CODE_DIRECTIVE = re.compile(r"\s*\.\. (?:code-block|code|sourcecode)::\s*(\S*)")
_OTHER_DIRECTIVE = re.compile(r"\s*\.\. [\w:-]+::")
_PYTHON = {"python", "python3", "py", "pycon"}

_SQLALCHEMY_APP = "# app.py: twhooks' tables in the app's own database (Flask-SQLAlchemy 3)"

#: ``(page, first line)`` of the blocks that are compiled but not run, and why.
CANNOT_RUN: dict[tuple[str, str], str] = {
    ("observability.rst", "from opentelemetry.sdk.trace import TracerProvider"): (
        "needs an OTLP exporter, not a test dependency: tests/test_observability_tracing.py "
        "reads the spans with the SDK's in-memory exporter"
    ),
    ("observability.rst", "import os"): (
        "reads METRICS_PASSWORD from the environment: tests/test_observability_middleware.py "
        "serves such a middleware on gunicorn"
    ),
    ("existing_app.rst", "from flask import redirect, request, url_for"): (
        "needs Flask-Login, not a test dependency"
    ),
    ("existing_app.rst", "from flask import Response"): (
        "needs Flask-Limiter, not a test dependency"
    ),
    ("existing_app.rst", "from flask_sqlalchemy import SQLAlchemy"): (
        "needs Flask-SQLAlchemy, not a test dependency: store.rst's whole app is run over a "
        "stand-in below"
    ),
    ("store.rst", 'd = hooks.deliveries.get("SM…")'): (
        "a placeholder SID, and a message and numbers of the app's own"
    ),
    ("store.rst", _SQLALCHEMY_APP): (
        "needs Flask-SQLAlchemy, not a test dependency: run over a stand-in below"
    ),
    ("store.rst", "from twhooks.store import open_store"): "a database server URL placeholder",
    ("testing.rst", "# conftest.py"): "a pytest conftest over the example app",
    ("background.rst", "import dramatiq"): (
        "needs Dramatiq, not a test dependency: tests/test_background_jobs.py runs a runner of "
        "the same shape (a factory named by TWHOOKS_RUNNER)"
    ),
    ("testing.rst", "# test_bot.py"): "pytest tests that take the plugin's fixtures",
    ("runners.rst", "# yourapp.py"): (
        "a module of the reader's own with its Celery worker: tests/queue_app.py is this app, "
        "run by tests/test_queue_runners.py with gunicorn and a real worker"
    ),
    (
        "runners.rst",
        '# yourapp/dramatiq_runner.py: TWHOOKS_RUNNER = "yourapp.dramatiq_runner:make_runner"',
    ): ("needs Dramatiq, not a test dependency"),
    ("testing.rst", "# test_sending.py"): "a pytest test over the reader's app factory",
}

#: Names a page's functions may use without defining them: the reader's own objects.
READERS_OWN = {
    "db": "the app's own database",
    "help_": "events.rst tests the quickstart's handler",
    "llm": "the app's language model client",
    "SUBACCOUNT_TOKENS": "the app's subaccounts",
    "AUTH_TOKEN": "the test's auth token",
}


@dataclass(frozen=True)
class Block:
    page: str
    line: int
    language: str
    code: str

    @property
    def first_line(self) -> str:
        return self.code.splitlines()[0].strip()

    def __str__(self) -> str:
        return f"{self.page}:{self.line}: {self.first_line}"


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def python_blocks(page: str, text: str) -> Iterator[Block]:
    """The Python blocks of a page: its ``python``/``pycon`` directives and literal blocks."""
    lines = text.splitlines()
    number = 0
    while number < len(lines):
        line = lines[number]
        number += 1
        directive = _CODE_DIRECTIVE.match(line)
        if directive is not None:
            language = directive.group(1) or "python"
        elif line.rstrip().endswith("::") and not _OTHER_DIRECTIVE.match(line):
            language = "python"
        else:
            continue
        base = _indent(line)
        body: list[tuple[int, str]] = []
        while number < len(lines) and (not lines[number].strip() or _indent(lines[number]) > base):
            body.append((number + 1, lines[number]))
            number += 1
        if directive is not None:  # the directive's options, then the blank line
            while body and body[0][1].strip().startswith(":"):
                body.pop(0)
        while body and not body[0][1].strip():
            body.pop(0)
        if body and language in _PYTHON:
            code = textwrap.dedent("\n".join(text for _, text in body)).strip("\n") + "\n"
            yield Block(page, body[0][0], language, code)


def guide_blocks() -> list[Block]:
    return [
        block
        for path in GUIDE
        for block in python_blocks(path.name, path.read_text(encoding="utf-8"))
    ]


def test_the_scanner_finds_python_blocks() -> None:
    text = (
        "Run::\n\n    x = 1\n\n"
        ".. note::\n\n   not code\n\n"
        ".. code-block:: console\n\n   $ not python\n\n"
        ".. code-block:: python\n   :caption: c\n\n   y = 2\n   z = 3\n"
    )
    blocks = list(python_blocks("p.rst", text))
    assert [(block.line, block.code) for block in blocks] == [
        (3, "x = 1\n"),
        (16, "y = 2\nz = 3\n"),
    ]


def _source(block: Block) -> str:
    if block.language != "pycon":
        return block.code
    examples = doctest.DocTestParser().get_examples(block.code)
    return "".join(example.source for example in examples)


@pytest.mark.parametrize("block", guide_blocks(), ids=str)
def test_every_python_block_compiles(block: Block) -> None:
    compile(_source(block), str(block), "exec")


def test_the_list_of_blocks_that_cannot_run_names_blocks() -> None:
    present = {(block.page, block.first_line) for block in guide_blocks()}
    assert sorted(set(CANNOT_RUN) - present) == []


def _namespace(tmp_path: Path) -> dict[str, Any]:
    app = Flask("docs", instance_path=str(tmp_path))
    app.config.update(
        TESTING=True,
        SECRET_KEY="docs-secret",
        TWILIO_AUTH_TOKEN="docs-token",
        TWHOOKS_STORE="memory://",
    )
    return {"__name__": "docs", "app": app, "hooks": TwilioHooks(app)}


def global_names(code: CodeType) -> Iterator[str]:
    """The global names *code* reads, in its functions and classes too."""
    for instruction in dis.get_instructions(code):
        if instruction.opname in {"LOAD_GLOBAL", "LOAD_NAME"}:
            yield str(instruction.argval)
    for constant in code.co_consts:
        if isinstance(constant, CodeType):
            yield from global_names(constant)


def _run(block: Block, namespace: dict[str, Any]) -> set[str]:
    """Run *block* in *namespace*; the global names it reads."""
    if block.language == "pycon":
        test = doctest.DocTestParser().get_doctest(block.code, namespace, str(block), None, 0)
        flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
        runner = doctest.DocTestRunner(optionflags=flags)
        report = io.StringIO()
        runner.run(test, out=report.write, clear_globs=False)
        assert runner.failures == 0, report.getvalue()
        return set()
    code = compile(block.code, str(block), "exec")
    exec(code, namespace)
    return set(global_names(code))


@pytest.mark.parametrize("page", GUIDE, ids=lambda path: path.name)
def test_every_python_block_runs(
    page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # a block that writes a file writes it there
    for name in (  # a deployment's environment, as the pages read it
        "TWILIO_AUTH_TOKEN",
        "TWILIO_SECONDARY_AUTH_TOKEN",
        "TWILIO_WEBHOOK_KEY",
        "INSPECTOR_PASSWORD",
    ):
        monkeypatch.setitem(os.environ, name, f"docs-{name.lower()}")
    namespace = _namespace(tmp_path)
    used: dict[str, Block] = {}
    for block in python_blocks(page.name, page.read_text(encoding="utf-8")):
        if (block.page, block.first_line) in CANNOT_RUN:
            continue
        try:
            names = _run(block, namespace)
        except Exception as error:  # the block and the error, not a traceback
            pytest.fail(f"{block}\n{type(error).__name__}: {error}")
        used.update(dict.fromkeys(names, block))
    # A function's body runs later: a name it reads must exist once the page has run.
    undefined = [
        f"{block}: {name}"
        for name, block in used.items()
        if name not in namespace and name not in READERS_OWN and not hasattr(builtins, name)
    ]
    assert undefined == [], "names no block of the page imports or defines"


class _FlaskSQLAlchemy:
    """Flask-SQLAlchemy 3's ``SQLAlchemy`` as far as the docs use it: an engine per app, which
    ``db.engine`` finds through the current app (outside an app context it raises, as the real
    one does)."""

    def __init__(self, app: Flask) -> None:
        self.engines = {app: sqlalchemy.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])}

    @property
    def engine(self) -> sqlalchemy.Engine:
        return self.engines[current_app._get_current_object()]  # type: ignore[attr-defined]


def test_the_flask_sqlalchemy_app_keeps_the_store_in_its_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (block,) = [block for block in guide_blocks() if block.first_line == _SQLALCHEMY_APP]
    stand_in = ModuleType("flask_sqlalchemy")
    stand_in.SQLAlchemy = _FlaskSQLAlchemy  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "flask_sqlalchemy", stand_in)
    monkeypatch.setitem(os.environ, "DATABASE_URL", f"sqlite:///{tmp_path / 'app.db'}")
    namespace: dict[str, Any] = {"__name__": "docs"}
    outside = Flask("outside")
    outside.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
    with pytest.raises(RuntimeError, match="application context"):  # why the page needs one
        _ = _FlaskSQLAlchemy(outside).engine
    app = Flask("docs")
    app.config.update(TESTING=True, TWILIO_AUTH_TOKEN="docs-token")
    monkeypatch.setattr("flask.Flask", lambda name: app)  # the block's app, configured
    _run(block, namespace)
    engine = namespace["db"].engines[app]
    assert app.config["TWHOOKS_STORE"] is engine
    with app.app_context():
        namespace["hooks"].blocklist.add("+15557770000")
        assert "+15557770000" in namespace["hooks"].blocklist
    assert "twhooks_blocklist" in sqlalchemy.inspect(engine).get_table_names()
