"""twhooks.pytest_plugin: the fixtures, used from a user's own test suite (run by pytester)."""

from __future__ import annotations

import pytest

#: Needs the runtime dependencies only: CI runs it after ``pip install twhooks`` too.
pytestmark = pytest.mark.core

pytest_plugins = ["pytester"]

APP_FIXTURE = """
import pytest
from flask import Flask, session
from twhooks import TwilioHooks

@pytest.fixture
def app():
    app = Flask(__name__)
    app.config.update(SECRET_KEY="test", TWILIO_AUTH_TOKEN="test-token")
    hooks = TwilioHooks(app)

    @hooks.message(keyword="HELP")
    def help_(msg):
        return "Reply BAL for your balance."

    @hooks.message()
    def count(msg):
        session["n"] = session.get("n", 0) + 1
        return f"message {session['n']}"

    @hooks.call()
    def incoming(call):
        return "Hello caller."

    return app
"""


def test_fixtures_play_twilio_against_the_app_fixture(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(APP_FIXTURE)
    pytester.makepyfile(
        """
        from twhooks.flask.testing import TwilioTestClient

        def test_client(twilio_client):
            assert isinstance(twilio_client, TwilioTestClient)
            reply = twilio_client.conversation().send("HELP")
            assert reply.messages == ["Reply BAL for your balance."]

        def test_conversation_keeps_cookies(twilio_conversation):
            assert twilio_conversation.send("hi").messages == ["message 1"]
            assert twilio_conversation.send("hi").messages == ["message 2"]

        def test_call(twilio_call):
            reply = twilio_call.start()
            assert reply.says == ["Hello caller."]
            assert twilio_call.end_reason == "completed"
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-W", "error")
    result.assert_outcomes(passed=3)


def test_a_clear_error_without_an_app_fixture(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_needs_app(twilio_client):
            pass
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*the twhooks fixtures need an `app` fixture*"])
    # One error, with nothing of pytest's fixture lookup chained to it.
    result.stdout.no_fnmatch_line("*Traceback*")
    result.stdout.no_fnmatch_line("*During handling of the above exception*")
    result.stdout.no_fnmatch_line("*SubRequest*")
    # Once in the error report (the summary line may repeat it, untruncated on CI).
    report = result.stdout.str().partition("short test summary info")[0]
    assert report.count("the twhooks fixtures need") == 1


def test_an_app_fixture_needing_a_missing_fixture_gets_pytests_own_error(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture
        def app(database):
            return None
        """
    )
    pytester.makepyfile(
        """
        def test_needs_app(twilio_client):
            pass
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'database' not found*"])
    result.stdout.no_fnmatch_line("*the twhooks fixtures need*")


def test_a_clear_error_when_app_is_not_a_flask_app(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture
        def app():
            return "not an app"
        """
    )
    pytester.makepyfile(
        """
        def test_needs_app(twilio_conversation):
            pass
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*the `app` fixture must return a Flask app, not str*"])


MODULE_APP = """
from flask import Flask, session
from twhooks import TwilioHooks

# Built once, at import, without TESTING and without TWHOOKS_STORE: in production it would
# keep its conversations in instance/twhooks.sqlite3.
app = Flask("myapp", root_path={root!r})
app.config.update(SECRET_KEY="test", TWILIO_AUTH_TOKEN="test-token")
hooks = TwilioHooks(app)

@hooks.message()
def count(msg):
    session["n"] = session.get("n", 0) + 1
    return f"message {{session['n']}}"
"""


def test_each_test_has_its_own_state_without_testing(pytester: pytest.Pytester) -> None:
    root = pytester.path
    pytester.makepyfile(myapp=MODULE_APP.format(root=str(root)))
    pytester.makeconftest(
        """
        import pytest
        from myapp import app as the_app

        @pytest.fixture
        def app():
            return the_app
        """
    )
    pytester.makepyfile(
        test_counts="""
        import pytest
        from myapp import hooks, app

        @pytest.mark.parametrize("run", [1, 2, 3])
        def test_a_conversation_starts_afresh(twilio_conversation, run):
            assert twilio_conversation.send("hi").messages == ["message 1"]
            assert twilio_conversation.send("hi").messages == ["message 2"]
            with app.app_context():
                assert len(hooks.history.recent()) == 2
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-W", "error")
    result.assert_outcomes(passed=3)
    assert not (root / "instance").exists()  # the app's SQLite file was never opened


def test_a_test_marked_default_store_opens_the_real_default(pytester: pytest.Pytester) -> None:
    root = pytester.path
    pytester.makepyfile(
        test_default=f"""
        import pytest
        from flask import Flask
        from twhooks import TwilioHooks
        from twhooks.flask.testing import TwilioTestClient

        @pytest.mark.twhooks_default_store
        def test_default():
            app = Flask("myapp", root_path={str(root)!r})
            app.config.update(TWILIO_AUTH_TOKEN="test-token")
            hooks = TwilioHooks(app)
            hooks.message()(lambda msg: "ok")
            assert TwilioTestClient(app).conversation().send("hi").messages == ["ok"]
            assert type(app.extensions["twhooks"].facades.store).__name__ != "MemoryStore"
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-W", "error")
    result.assert_outcomes(passed=1)
    assert (root / "instance" / "twhooks.sqlite3").is_file()
