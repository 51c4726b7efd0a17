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
- ``twilio_call``: a call of the default caller to the default number (not started).

The test client is imported only when a fixture is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .flask.testing import TwilioTestClient
    from .simulator import SimulatedCall, SimulatedConversation

_NO_APP = (
    "the twhooks fixtures need an `app` fixture that returns your Flask app, for example "
    "in conftest.py:\n\n"
    "    @pytest.fixture\n"
    "    def app():\n"
    '        return create_app({"TWILIO_AUTH_TOKEN": "test-token"})\n'
)


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
