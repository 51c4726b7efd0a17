"""The app of a queue's worker process: found by its import path, loaded once per process.

A webhook's job runs in another process than the webhook (an RQ or Celery worker), which
needs the same app: its handlers, its store, its Twilio credentials. The worker names it
the way ``gunicorn`` and ``flask --app`` do, ``module:app`` or ``module:create_app()``:

- ``twhooks worker rq --app yourapp:app`` / ``twhooks worker celery --app yourapp:app``
  load it before the worker starts (:func:`use_app`), so that RQ's work horses, forked for
  each job, find it loaded;
- RQ's own ``rq worker`` (and any process that runs a job without the command) loads it
  from the environment variable ``TWHOOKS_APP`` on the first job (:func:`worker_app`).

Celery's ``celery -A yourapp worker`` needs none of this: importing the Celery app imports
the web app, whose ``init_app`` registered the task with the app's extension in it
(:mod:`twhooks.background.celery`). No web framework here: an app is any object with the
twhooks extension in its ``extensions``.
"""

from __future__ import annotations

import ast
import importlib
import os
import sys
import threading
from typing import Any

from ..exceptions import ConfigurationError

__all__ = ["load_app", "run_here", "use_app", "worker_app"]

#: The environment variable that names the app of a worker started without ``--app``.
APP_VARIABLE = "TWHOOKS_APP"

_lock = threading.Lock()
_app: Any = None


def load_app(spec: str) -> Any:
    """Import the app *spec* names: ``module:name``, ``module:factory()`` (called with no
    arguments, or with the literal arguments written), or ``module`` (its ``app``, or the
    ``create_app()`` it has). The current directory is importable, as for ``gunicorn``.

    :raises ConfigurationError: *spec* names no app, saying what was wrong.
    """
    module_name, _, attribute = spec.strip().partition(":")
    if not module_name:
        raise ConfigurationError(f"name the worker's app as module:app, not {spec!r}")
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        if getattr(error, "name", None) != module_name:
            raise  # the app's module is there, and one of its own imports failed
        raise ConfigurationError(
            f"the worker's app {spec!r}: no module {module_name!r} to import "
            "(run the worker from the app's folder, or set PYTHONPATH)"
        ) from None
    if not attribute:
        for name in ("app", "application"):
            if hasattr(module, name):
                return getattr(module, name)
        if callable(getattr(module, "create_app", None)):
            return module.create_app()
        raise ConfigurationError(
            f"the worker's app: module {module_name!r} has no 'app' nor 'create_app()'; "
            f"name it ({module_name}:name)"
        )
    name, call, arguments = attribute.partition("(")
    try:
        found = getattr(module, name.strip())
    except AttributeError:
        raise ConfigurationError(
            f"the worker's app {spec!r}: module {module_name!r} has no {name.strip()!r}"
        ) from None
    if not call:
        return found
    try:
        parsed = ast.parse(f"f({arguments}", mode="eval").body
        assert isinstance(parsed, ast.Call)
        args = [ast.literal_eval(a) for a in parsed.args]
        kwargs = {k.arg: ast.literal_eval(k.value) for k in parsed.keywords if k.arg}
    except (SyntaxError, ValueError, AssertionError):
        raise ConfigurationError(
            f"the worker's app {spec!r}: a factory's arguments must be literals"
        ) from None
    return found(*args, **kwargs)


def use_app(app: Any) -> None:
    """Make *app* the app whose jobs this process runs."""
    global _app
    with _lock:
        _app = app


def worker_app() -> Any:
    """This worker's app: the one :func:`use_app` set, else the app ``TWHOOKS_APP`` names,
    loaded now (once per process).

    :raises ConfigurationError: no app is named.
    """
    global _app
    with _lock:
        if _app is None:
            spec = os.environ.get(APP_VARIABLE)
            if not spec:
                raise ConfigurationError(
                    "a twhooks job cannot find its app: start the worker with "
                    "'twhooks worker rq --app module:app', or set TWHOOKS_APP=module:app"
                )
            _app = load_app(spec)
        return _app


def run_here(text: str) -> str:
    """Run the job of *text* (its JSON) in this worker's app, its context pushed.

    :returns: ``"done"`` or ``"skipped"`` (:func:`~twhooks.background.execute.run_job`).
    """
    from .execute import run_in_app

    return run_in_app(worker_app(), text)
