"""The optional dependencies: which extra of ``pip install 'twhooks[...]'`` a feature needs.

``pip install twhooks`` brings the runtime's minimum (Flask, Werkzeug, itsdangerous, lxml,
requests); every other dependency comes with the feature that needs it:

============  ===========================================  ====================================
extra         installs                                     for
============  ===========================================  ====================================
``sql``       SQLAlchemy                                   a SQL URL or ``Engine`` other than
                                                           PostgreSQL
``postgres``  SQLAlchemy and psycopg 3                     ``TWHOOKS_STORE="postgresql://…"``
``redis``     redis-py (with hiredis)                      ``TWHOOKS_STORE="redis://…"``
``quart``     Quart                                        :mod:`twhooks.quart`
``voice``     flask-sock and websockets                    ``@hooks.relay()`` /
                                                           ``@hooks.stream()`` on Flask, the
                                                           ``twhooks relay``/``stream`` clients
``otel``      opentelemetry-api                            spans (``TWHOOKS_TRACING``)
``metrics``   prometheus_client                            ``TWHOOKS_METRICS``
``all``       all of the above
``rq``        RQ                                           ``TWHOOKS_RUNNER = "rq"``
``celery``    Celery with its Redis transport              ``TWHOOKS_RUNNER = "celery"``
============  ===========================================  ====================================

A feature whose extra is missing raises :class:`~twhooks.exceptions.ConfigurationError`
naming the command to run, when it is configured (``init_app``, or the import of
:mod:`twhooks.quart`) — never an ``ImportError`` from deep inside on the first request.
This module imports none of them.
"""

from __future__ import annotations

import importlib
import importlib.util

from .exceptions import ConfigurationError

__all__ = ["EXTRAS", "install_command", "installed", "missing", "require"]

#: What each extra is for, as the error messages say it.
EXTRAS = {
    "sql": "a SQL store through SQLAlchemy",
    "postgres": "the PostgreSQL store (SQLAlchemy and psycopg)",
    "redis": "the Redis store (redis-py)",
    "quart": "twhooks.quart (Quart)",
    "voice": "voice sockets on Flask (flask-sock) and the relay/stream clients (websockets)",
    "otel": "OpenTelemetry spans (opentelemetry-api)",
    "metrics": "Prometheus metrics (prometheus_client)",
    "rq": "background jobs on RQ (rq)",
    "celery": "background jobs on Celery (celery[redis])",
}


def install_command(extra: str) -> str:
    """The command that installs *extra*: ``pip install 'twhooks[redis]'``."""
    return f"pip install 'twhooks[{extra}]'"


def missing(extra: str, what: str, module: str) -> ConfigurationError:
    """The error for *what* (a setting or a feature), which needs *module* of *extra*."""
    return ConfigurationError(
        f"{module}, which {what} uses, is not installed: {install_command(extra)}"
    )


def installed(module: str) -> bool:
    """Whether *module* can be imported, without importing it."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a parent that is not a package, a broken install
        return False


def require(extra: str, what: str, *modules: str) -> None:
    """Import *modules* (the ones of *extra* that *what* needs).

    :raises ConfigurationError: one of them is not installed, naming the ``pip install`` to
        run. An import that fails for another reason (an installed module that is broken)
        propagates as it is.
    """
    for module in modules:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as error:
            if error.name is None or error.name.partition(".")[0] != module.partition(".")[0]:
                raise
            raise missing(extra, what, module) from error
