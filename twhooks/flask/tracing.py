"""The HTTP span of OpenTelemetry's Flask instrumentation as the parent of the webhook spans.

``FlaskInstrumentor`` starts its HTTP span in a ``before_request`` function — which runs after
twhooks' own (the first of the app's, so that a forged request reaches no other code): the
webhook span would start before its parent existed, in a trace of its own. So, on the first
webhook (every extension is initialised by then), the instrumentation's function — and only
it, found where ``instrument_app`` keeps it (``app._before_request``) — is moved ahead of
twhooks'. It only starts a span; it reads no body and calls no user code.

An app instrumented with the WSGI middleware (``OpenTelemetryMiddleware`` around
``app.wsgi_app``) needs none of this: its span is current before Flask runs.
"""

from __future__ import annotations

from flask import Flask

__all__ = ["instrumentation_first"]


def instrumentation_first(app: Flask, *, running: bool) -> bool:
    """Run the OpenTelemetry Flask instrumentation's ``before_request`` function first, if
    *app* has one after twhooks' own; whether it had.

    :param running: called by twhooks' own ``before_request`` function, while Flask runs
        them: the instrumentation's, moved ahead of the one running, is called now (else it
        would not run for this request).
    """
    starts_span = getattr(app, "_before_request", None)
    functions = app.before_request_funcs.get(None, [])
    if starts_span is None or starts_span not in functions[1:]:
        return False
    functions.remove(starts_span)
    functions.insert(0, starts_span)
    if running:
        starts_span()
    return True
