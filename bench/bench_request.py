"""A whole webhook request through Flask: twhooks against hand-written views, side by side.

Each iteration sends one signed 20-field inbound SMS through an app's WSGI callable with a
fresh environ (a new body stream and a fresh ``I-Twilio-Idempotency-Token`` each time, as
every webhook from Twilio has), and reads the whole response:

* ``default (SQLite file)``: ``TwilioHooks`` as a new app gets it — no ``TWHOOKS_STORE``,
  so its shared state is an SQLite file in the instance folder — with a catch-all
  ``@hooks.message()`` returning ``f"You said {msg.body}"`` (verify, claim, parse, route,
  handler, render, complete the claim with the reply, history);
* ``default, a file with 4 KiB pages``: the same on a file made beforehand with SQLite's
  usual 4 KiB pages (as an earlier twhooks made it), where the default makes 1 KiB pages;
* ``SQLAlchemy store, SQLite file``: the same on the SQL store through SQLAlchemy (0.2's
  default store, today's code),
  SQLAlchemy (``sqlite+pysqlite:///…``, replies kept an hour), for the saving;
* ``memory://``, ``redis://``, ``postgresql://``: the same app on the other stores (Redis and
  PostgreSQL on 127.0.0.1, under a key / table prefix of their own, removed at the end);
* ``SDK view``: a Flask view doing the same by hand with the official SDK —
  ``RequestValidator(token).validate(request.url, request.form, signature)`` and a
  ``twilio.twiml.messaging_response.MessagingResponse``;
* ``constant view``: a view answering a constant without reading the request: Flask's own
  per-request floor (the ``constant`` app of the server benchmark);
* ``flat view``: the least a verifying view does, in one function (read, parse with
  :func:`twhooks.forms.parse_form`, verify with :class:`twhooks.SignatureVerifier`, TwiML as
  a string: no event, routing, retries or history);
* ``default, no history`` / ``default, no retry claim``: the default with
  ``TWHOOKS_HISTORY = False`` or ``TWHOOKS_DEDUPLICATE = False``, to show what each costs;
* ``floor: 2 sqlite3 writes``: the claim and its completion alone, as two autocommit
  statements through the standard library's ``sqlite3`` on a WAL file
  (``synchronous=NORMAL``), in a loop (SQLite's code and pages stay in the CPU's caches);
* ``floor in a request: memory:// + 2 writes``: the ``memory://`` app with those two writes
  added around each request (:func:`floor_app`): what no SQLite-backed exactly-once can go
  below in a real request, where Flask's and twhooks' work between two writes evicts
  SQLite's from the caches;
* ``memory://, tracing off``, ``…, tracing (SDK)``, ``…, metrics`` and ``…, tracing (SDK) +
  metrics``: what observability costs (docs/observability.rst). The other rows have
  ``TWHOOKS_TRACING`` at its default: on when ``opentelemetry-api`` is installed (as in the dev
  install), its spans going to the API's no-op provider when the app sets none; *tracing off*
  is what an app without ``opentelemetry-api`` gets; *tracing (SDK)* records every span with an
  SDK ``TracerProvider`` that exports nothing; *metrics* counts in a prometheus_client registry
  of its own (``TWHOOKS_METRICS``).

Figures are the best of several repeats, in µs per request, the contenders interleaved so that
machine noise hits them alike. The goals of issue 24 are printed with whether each is met.
"""

from __future__ import annotations

import io
import itertools
import os
import tempfile
import time
import timeit
import uuid
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode
from xml.sax.saxutils import escape

from flask import Flask, request
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse as OfficialMessagingResponse
from werkzeug.test import EnvironBuilder

from twhooks import IncomingMessage, SignatureVerifier, TwilioHooks
from twhooks.forms import parse_form
from twhooks.store.open import DEFAULT_SQLITE_FILE
from twhooks.store.sqlite_connections import patiently

TOKEN = "bench-auth-token-0123456789abcdef"
PATH = "/twilio/messages"

SMS = {
    "ToCountry": "US",
    "ToState": "CA",
    "SmsMessageSid": "SM0123456789abcdef0123456789abcdef",
    "NumMedia": "0",
    "ToCity": "SAN FRANCISCO",
    "FromZip": "94105",
    "SmsSid": "SM0123456789abcdef0123456789abcdef",
    "FromState": "CA",
    "SmsStatus": "received",
    "FromCity": "SAN FRANCISCO",
    "Body": "What is my balance?",
    "FromCountry": "US",
    "To": "+15005550006",
    "MessagingServiceSid": "MG0123456789abcdef0123456789abcdef",
    "ToZip": "94105",
    "NumSegments": "1",
    "MessageSid": "SM0123456789abcdef0123456789abcdef",
    "AccountSid": "AC0123456789abcdef0123456789abcdef",
    "From": "+14155550100",
    "ApiVersion": "2010-04-01",
}


def bench_store(spec: str | None) -> Any:
    """``TWHOOKS_STORE`` for *spec*: ``None`` or ``"default"`` (unset), a URL, or
    ``redis://…`` / ``postgresql://…`` under ``BENCH_PREFIX`` (a prefix of the bench's own)."""
    if spec in (None, "default"):
        return None
    prefix = os.environ.get("BENCH_PREFIX")
    if prefix and spec.startswith("redis"):
        from twhooks.store.redis import RedisStore

        return RedisStore(spec, prefix=prefix)
    if prefix and spec.startswith("postgresql"):
        from twhooks.store.sql import SQLStore

        return SQLStore(spec, prefix=prefix)
    return spec


def twhooks_app(store: Any = "memory://", *, page_size: int | None = None, **config: Any) -> Flask:
    """The twhooks app; *store* is ``TWHOOKS_STORE`` (``None``: unset, the default SQLite
    file in the instance folder ``BENCH_INSTANCE`` or a new temporary one); under gunicorn
    ``BENCH_STORE`` from the environment decides (:func:`bench_store`; ``default:4096`` is
    the default with *page_size* 4096).

    *page_size*: the default's file is made beforehand with pages of that many bytes, in a
    folder of its own — as a file made by an earlier twhooks or by the app keeps its pages
    (SQLite's 4 KiB unless set otherwise)."""
    if "BENCH_STORE" in os.environ:
        spec = os.environ["BENCH_STORE"]
        if spec.startswith("default:"):
            spec, pages = spec.split(":")
            page_size = int(pages)
        store = bench_store(spec)
    instance = os.environ.get("BENCH_INSTANCE") or tempfile.mkdtemp(prefix="twhooks-bench-")
    if page_size is not None:
        instance = os.path.join(instance, f"pages-{page_size}")
        made_with_pages(os.path.join(instance, DEFAULT_SQLITE_FILE), page_size)
    app = Flask("bench_twhooks", instance_path=instance)
    app.config["TWILIO_AUTH_TOKEN"] = TOKEN
    if store is not None:
        app.config["TWHOOKS_STORE"] = store
    app.config.update(config)
    hooks = TwilioHooks(app)

    @hooks.message()
    def echo(msg: IncomingMessage) -> str:
        return f"You said {msg.body}"

    return app


def made_with_pages(path: str, page_size: int) -> None:
    """Make the SQLite file *path* (if new) with pages of *page_size* bytes, in WAL mode."""
    import sqlite3

    os.makedirs(os.path.dirname(path), exist_ok=True)
    db = sqlite3.connect(path, timeout=10)  # two workers may make it at once
    try:
        db.execute(f"PRAGMA page_size = {page_size}")  # ignored once the file has pages
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("CREATE TABLE IF NOT EXISTS bench_pages (a)")
        db.commit()
    finally:
        db.close()


def official_app() -> Flask:
    app = Flask("bench_official")

    @app.post(PATH)
    def messages() -> Any:
        validator = RequestValidator(TOKEN)
        signature = request.headers.get("X-Twilio-Signature", "")
        if not validator.validate(request.url, request.form, signature):
            return "forbidden", 403
        reply = OfficialMessagingResponse()
        reply.message(f"You said {request.form['Body']}")
        return str(reply), 200, {"Content-Type": "text/xml; charset=utf-8"}

    return app


def bare_app() -> Flask:
    app = Flask("bench_bare")

    @app.post(PATH)
    def messages() -> Any:
        request.form["Body"]
        return "<Response/>", 200, {"Content-Type": "text/xml; charset=utf-8"}

    return app


def flat_app() -> Flask:
    """The least a verifying view does, in one function (no event, routing, retries or
    history)."""
    app = Flask("bench_flat")
    verifier = SignatureVerifier(TOKEN)

    @app.post(PATH)
    def messages() -> Any:
        environ = request.environ
        body = environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"]))
        params = parse_form(body)
        verifier.verify(request.url, params, environ["HTTP_X_TWILIO_SIGNATURE"])
        reply = f"<Message>You said {escape(dict(params)['Body'])}</Message>"
        return (
            f'<?xml version="1.0" encoding="UTF-8"?><Response>{reply}</Response>',
            200,
            {"Content-Type": "text/xml; charset=utf-8"},
        )

    return app


def constant_app() -> Flask:
    """Flask's floor: a view answering a constant, the request unread."""
    app = Flask("bench_constant")
    app.add_url_rule(
        PATH,
        "constant",
        lambda: ("<Response/>", 200, {"Content-Type": "text/xml"}),
        methods=["POST"],
    )
    return app


def make_environ() -> tuple[dict[str, Any], bytes]:
    url = f"https://hooks.example.com{PATH}"
    signature = RequestValidator(TOKEN).compute_signature(url, SMS)
    body = urlencode(SMS).encode()
    builder = EnvironBuilder(
        path=PATH,
        base_url="https://hooks.example.com",
        method="POST",
        data=body,
        content_type="application/x-www-form-urlencoded; charset=UTF-8",
        headers=[
            ("X-Twilio-Signature", str(signature)),
            ("User-Agent", "TwilioProxy/1.1"),
            ("I-Twilio-Idempotency-Token", "0a1b2c3d-0000-4000-8000-000000000000"),
        ],
    )
    environ = builder.get_environ()
    builder.close()
    return environ, body


def runner(app: Flask, environ: dict[str, Any], body: bytes) -> Callable[[], tuple[str, bytes]]:
    wsgi = app.wsgi_app
    statuses: list[str] = []

    def start_response(status: str, headers: Any, exc_info: Any = None) -> Any:
        statuses.append(status)
        return None

    tokens = itertools.count()

    def one_request() -> tuple[str, bytes]:
        fresh = dict(environ)
        fresh["wsgi.input"] = io.BytesIO(body)
        # A new idempotency token each time: a repeated one would be answered from
        # twhooks' replay cache without running the handler.
        fresh["HTTP_I_TWILIO_IDEMPOTENCY_TOKEN"] = f"bench-{next(tokens)}"
        statuses.clear()
        chunks: Iterable[bytes] = wsgi(fresh, start_response)
        data = b"".join(chunks)
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
        return statuses[0], data

    return one_request


def observability_contenders(
    environ: dict[str, Any], body: bytes
) -> dict[str, Callable[[], tuple[str, bytes]]]:
    """The rows of tracing and metrics on and off (those of the installed packages), on
    ``memory://`` so that the store does not hide their cost."""
    rows = {
        "memory://, tracing off": runner(
            twhooks_app("memory://", TWHOOKS_TRACING=False), environ, body
        )
    }
    try:
        from opentelemetry.sdk.trace import TracerProvider
    except ImportError:
        provider = None
    else:
        provider = TracerProvider()
        rows["memory://, tracing (SDK)"] = runner(
            twhooks_app("memory://", TWHOOKS_TRACING=provider), environ, body
        )
    try:
        from prometheus_client import CollectorRegistry
    except ImportError:
        return rows
    rows["memory://, metrics"] = runner(
        twhooks_app("memory://", TWHOOKS_TRACING=False, TWHOOKS_METRICS=CollectorRegistry()),
        environ,
        body,
    )
    if provider is not None:
        rows["memory://, tracing (SDK) + metrics"] = runner(
            twhooks_app("memory://", TWHOOKS_TRACING=provider, TWHOOKS_METRICS=CollectorRegistry()),
            environ,
            body,
        )
    return rows


def best_us(fn: Callable[[], object], number: int, repeat: int) -> float:
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number * 1e6


#: The claim and its completion of :class:`twhooks.store.sqlite.SQLiteStore`, run bare.
FLOOR_CLAIM = (
    'INSERT INTO twhooks_claims ("key", owner, expires_at, status, headers, body) '
    'VALUES (?1, ?2, ?3, NULL, NULL, NULL) ON CONFLICT ("key") DO UPDATE SET owner = ?2, '
    "expires_at = ?3, status = NULL, headers = NULL, body = NULL "
    "WHERE twhooks_claims.expires_at <= ?4"
)
FLOOR_FINISH = (
    "UPDATE twhooks_claims SET owner = NULL, expires_at = ?, status = ?, headers = ?, body = ? "
    'WHERE "key" = ? AND owner = ? AND status IS NULL'
)


class FloorWrites:
    """The claim and its completion of :class:`twhooks.store.sqlite.SQLiteStore`, run bare:
    two autocommit writes through the standard library's sqlite3 on a WAL file
    (``synchronous=NORMAL``), in the default store's own table, a file the store made (its
    pages). Its connection is opened on first use in each process (after gunicorn forks its
    workers); a write that finds another worker's lock is tried again as the store does
    (``patiently``: 50 µs, doubling to 1 ms; SQLite's own busy handler sleeps 1 to 100 ms)."""

    REPLY = b'<?xml version="1.0" encoding="UTF-8"?><Response><Message>You said ...</Message>'
    HEADERS = '[["Content-Type","text/xml; charset=utf-8"],["Content-Length","98"]]'

    def __init__(self, path: str) -> None:
        from twhooks.store.sqlite import SQLiteStore

        self.path = path
        SQLiteStore(path).close()  # its tables and pragmas
        self._conn: Any = None
        self._pid = 0
        self._tokens = itertools.count()
        self._owner = ""

    def claim(self) -> str:
        if self._pid != os.getpid():
            import sqlite3

            self._conn = sqlite3.connect(self.path, isolation_level=None)
            self._conn.execute("PRAGMA synchronous = NORMAL")
            self._conn.execute("PRAGMA busy_timeout = 0")  # waited for as the store does
            self._pid, self._owner = os.getpid(), f"{uuid.uuid4().hex[:16]}.1"
        key = f"bench-{self._pid}-{next(self._tokens)}:POST:0123456789abcdefghijklmnopq="
        now = time.time()
        patiently(lambda: self._conn.execute(FLOOR_CLAIM, (key, self._owner, now + 5, now)))
        return key

    def finish(self, key: str) -> None:
        params = (time.time() + 30, 200, self.HEADERS, self.REPLY, key, self._owner)
        patiently(lambda: self._conn.execute(FLOOR_FINISH, params))


def sqlite_floor(folder: str) -> Callable[[], tuple[str, bytes]]:
    """The two writes of :class:`FloorWrites` alone, in a loop: the least an SQLite
    exactly-once costs per webhook, its cache warm (no request runs between two writes)."""
    writes = FloorWrites(os.path.join(folder, "floor.sqlite3"))

    def two_writes() -> tuple[str, bytes]:
        writes.finish(writes.claim())
        return "200 OK", FloorWrites.REPLY

    return two_writes


def floor_app(folder: str | None = None) -> Flask:
    """The floor in a request: the app on ``memory://`` (its claim and history in the
    worker's memory) plus the two writes of :class:`FloorWrites` on an SQLite file — the
    claim before the request's handler, its completion after — which every worker of a
    server shares (``BENCH_INSTANCE``). What the default configuration would cost if its
    store added nothing to the least an SQLite exactly-once costs: no history on the file,
    no wrapper, no waiting for another thread."""
    folder = folder or os.environ.get("BENCH_INSTANCE") or tempfile.mkdtemp(prefix="twhooks-")
    os.environ.pop("BENCH_STORE", None)
    app = twhooks_app("memory://")
    writes = FloorWrites(os.path.join(folder, "floor-in-request.sqlite3"))

    @app.before_request
    def claim() -> None:
        request.environ["bench.floor"] = writes.claim()

    @app.teardown_request
    def finish(error: BaseException | None) -> None:
        key = request.environ.pop("bench.floor", None)
        if key is not None:
            writes.finish(key)

    return app


REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
POSTGRESQL_URL = os.environ.get(
    "BENCH_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)

DEFAULT = "default (SQLite file)"
SDK = "SDK view"
CONSTANT = "constant view"
FLOOR = "floor: 2 sqlite3 writes"
OLD = "SQLAlchemy store, SQLite file"
IN_REQUEST = "floor in a request: memory:// + 2 writes"
PAGES_4K = "default, a file with 4 KiB pages"


def goal(label: str, value: float, bound: float, *, at_most: bool) -> str:
    met = value <= bound if at_most else value >= bound
    sign = "<=" if at_most else ">="
    return f"  {label:48} {value:5.2f}x  (goal {sign} {bound:.2f}x)  {'met' if met else 'NOT met'}"


def main(number: int = 400, repeat: int = 9) -> None:
    environ, body = make_environ()
    work = tempfile.mkdtemp(prefix="twhooks-bench-")
    run = uuid.uuid4().hex[:8]
    from twhooks.store.redis import RedisStore
    from twhooks.store.sql import SQLStore

    redis_store = RedisStore(REDIS_URL, prefix=f"twhooks-bench:{run}:")
    pg_store = SQLStore(POSTGRESQL_URL, prefix=f"bench{run}_")
    contenders = {
        DEFAULT: runner(twhooks_app(None), environ, body),
        PAGES_4K: runner(twhooks_app(None, page_size=4096), environ, body),
        OLD: runner(
            twhooks_app(f"sqlite+pysqlite:///{work}/old.sqlite3", TWHOOKS_REPLAY_TTL=3600),
            environ,
            body,
        ),
        "memory://": runner(twhooks_app("memory://"), environ, body),
        "redis://": runner(twhooks_app(redis_store), environ, body),
        "postgresql://": runner(twhooks_app(pg_store), environ, body),
        SDK: runner(official_app(), environ, body),
        CONSTANT: runner(constant_app(), environ, body),
        "flat view (read, parse, verify, TwiML)": runner(flat_app(), environ, body),
        "default, no history": runner(twhooks_app(None, TWHOOKS_HISTORY=False), environ, body),
        "default, no retry claim": runner(
            twhooks_app(None, TWHOOKS_DEDUPLICATE=False), environ, body
        ),
        FLOOR: sqlite_floor(work),
        IN_REQUEST: runner(floor_app(work), environ, body),
        **observability_contenders(environ, body),
    }
    try:
        for name, fn in contenders.items():
            status, data = fn()
            assert status.startswith("200"), (name, status, data)
            if name not in (CONSTANT, FLOOR):
                assert b"<Message>You said What is my balance?</Message>" in data, (name, data)
        # Interleave the repeats so that machine noise hits every contender alike.
        results = {name: float("inf") for name in contenders}
        for _ in range(repeat):
            for name, fn in contenders.items():
                results[name] = min(results[name], best_us(fn, number, 1))
    finally:
        redis_store.delete_all()
        redis_store.close()
        pg_store.drop_tables()
    ours, sdk = results[DEFAULT], results[SDK]
    print(
        f"signed 20-field inbound SMS, a fresh idempotency token each, best of {repeat} x "
        f"{number} requests (app.wsgi_app)"
    )
    print(f"{'contender':40} {'µs/request':>11} {'÷ SDK view':>11}")
    for name, us in results.items():
        print(f"{name:40} {us:11.1f} {us / sdk:11.2f}")
    print("goals (issue 24):")
    print(goal("default / SDK view", ours / sdk, 0.6, at_most=True))
    print(goal("default / memory://", ours / results["memory://"], 1.35, at_most=True))
    floor, memory, in_request = results[FLOOR], results["memory://"], results[IN_REQUEST]
    print(
        f"the default above memory://: {ours - memory:.1f} µs a webhook; the floor of its two "
        f"writes: {floor:.1f} µs alone, {in_request - memory:.1f} µs in a request"
    )
    below = [
        f"{bound:.2f}x {what}"
        for bound, what, ratio in (
            (0.6, "SDK", in_request / sdk),
            (1.35, "memory", in_request / memory),
        )
        if bound < ratio
    ]
    print(
        f"the floor in a request (memory:// + the two writes) is {in_request / sdk:.2f}x the "
        f"SDK view and {in_request / memory:.2f}x memory://: no SQLite default goes below it; "
        f"goals below it: {', '.join(below) or 'none'}"
    )


if __name__ == "__main__":
    main()
