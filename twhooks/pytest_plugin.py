"""pytest plugin of twhooks (registered through the ``pytest11`` entry point).

It provides fixtures built on your own ``app`` fixture, the one that returns your Flask app
(the convention of pytest-flask)::

    # conftest.py
    import pytest
    from myapp import create_app

    @pytest.fixture
    def app():
        return create_app({"TWILIO_AUTH_TOKEN": "test-token", "SECRET_KEY": "test"})

    # test_bot.py
    def test_help(twilio_conversation):
        assert twilio_conversation.send("HELP").messages == ["Reply BAL for your balance."]

- ``twilio_client``: a :class:`twhooks.flask.testing.TwilioTestClient` for ``app``;
- ``twilio_conversation``: a conversation of the default sender with the default number;
- ``twilio_call``: a call of the default caller to the default number (not started);
- ``twilio_api``: a :class:`twhooks.testing.FakeTwilioApi` started for the test (a local
  Twilio REST API on 127.0.0.1; point the app at it with ``twilio_api.config()``), stopped
  after it.

Each test its own state: under pytest, an app that names no ``TWHOOKS_STORE`` gets a memory
store (``TESTING`` or not), emptied before each test (:mod:`twhooks.isolation`); a test marked
``@pytest.mark.twhooks_default_store`` opens the real default, the SQLite file in the instance
folder, as a server would.

The test client is imported only when a fixture is used.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from . import isolation

if TYPE_CHECKING:
    from .flask.testing import TwilioTestClient
    from .rest.fake import FakeTwilioApi
    from .simulator import SimulatedCall, SimulatedConversation

_NO_APP = (
    "the twhooks fixtures need an `app` fixture that returns your Flask app, for example "
    "in conftest.py:\n\n"
    "    @pytest.fixture\n"
    "    def app():\n"
    '        return create_app({"TWILIO_AUTH_TOKEN": "test-token"})\n'
)


# Now, as pytest loads its plugins: a conftest.py may build the app when it is imported,
# before pytest_configure. (A pytest run inside a test, with pytester, leaves it on.)
isolation.activate()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "twhooks_default_store: apps opened by this test that name no TWHOOKS_STORE open the "
        "default SQLite file in their instance folder, not a memory store of their own",
    )


@pytest.fixture(autouse=True)
def _twhooks_isolated_state(request: pytest.FixtureRequest) -> Iterator[None]:
    """Empty the memory stores of apps that name no store, before each test."""
    isolation.empty_all()
    if request.node.get_closest_marker("twhooks_default_store") is None:
        yield
        return
    isolation.deactivate()
    try:
        yield
    finally:
        isolation.activate()


@pytest.fixture
def twilio_client(request: pytest.FixtureRequest) -> TwilioTestClient:
    """A :class:`~twhooks.flask.testing.TwilioTestClient` for the Flask app of ``app``."""
    from flask import Flask

    from .flask.testing import TwilioTestClient

    try:
        app = request.getfixturevalue("app")
    except pytest.FixtureLookupError as error:
        if error.argname != "app":
            raise  # the app fixture itself needs a fixture that does not exist: pytest says so
        app = None
    if app is None:
        # Outside the except block: the lookup error's internals are not chained to it.
        pytest.fail(_NO_APP, pytrace=False)
    if not isinstance(app, Flask):
        pytest.fail(
            f"the `app` fixture must return a Flask app, not {type(app).__name__}",
            pytrace=False,
        )
    return TwilioTestClient(app)


@pytest.fixture
def twilio_conversation(twilio_client: TwilioTestClient) -> SimulatedConversation:
    """A conversation with the app: ``twilio_conversation.send("HELP")``."""
    return twilio_client.conversation()


@pytest.fixture
def twilio_call(twilio_client: TwilioTestClient) -> SimulatedCall:
    """A phone call to the app, not started yet: ``twilio_call.start()``."""
    return twilio_client.call()


@pytest.fixture
def twilio_api() -> Iterator[FakeTwilioApi]:
    """A local Twilio REST API (:class:`~twhooks.testing.FakeTwilioApi`), started for the
    test and stopped after it: ``app.config.update(twilio_api.config())`` sends there."""
    from .rest.fake import FakeTwilioApi

    with FakeTwilioApi() as api:
        yield api
