"""twhooks.simulator without Flask: cookies, request building, reading answers, replies.

The transport here is a plain function that answers like a tiny web app: the simulator
needs nothing more.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from twhooks import SimulationError, payloads
from twhooks.simulator import CookieJar, Request, Response, Simulator
from twhooks.simulator.reply import read_twiml

#: Needs the runtime dependencies only: CI runs it after ``pip install twhooks`` too.
pytestmark = pytest.mark.core

TOKEN = "simulator-token"


# -- cookies ------------------------------------------------------------------------------


def test_cookie_jar_keeps_overwrites_and_deletes() -> None:
    jar = CookieJar()
    assert jar.header() is None
    jar.update(["session=abc; HttpOnly; Path=/", "lang=en; Path=/twilio"])
    assert jar.header() == "session=abc; lang=en"
    jar.update(["session=def; Path=/"])
    assert jar["session"] == "def"
    jar.update(["session=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/"])
    assert "session" not in jar
    assert len(jar) == 1


@pytest.mark.parametrize(
    ("header", "kept"),
    [
        ("a=1; Max-Age=0", False),
        ("a=1; Max-Age=-5", False),
        ("a=1; Max-Age=3600", True),
        ("a=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT", False),
        ("a=1; Expires=Fri, 01 Jan 2100 00:00:00 GMT", True),
    ],
)
def test_cookie_expiry(header: str, kept: bool) -> None:
    jar = CookieJar()
    jar.update([header])
    assert ("a" in jar) is kept


def test_a_malformed_cookie_is_ignored_and_values_never_shown() -> None:
    jar = CookieJar()
    jar.update(['bad"cookie', "session=secret-value"])
    assert jar.header() == "session=secret-value"
    assert "secret-value" not in repr(jar)


# -- building requests ---------------------------------------------------------------------


def test_get_puts_the_fields_in_the_query_and_signs_the_url() -> None:
    simulator = Simulator(lambda request: Response(request.url, 204, "", ""), TOKEN)
    request = simulator.build_request(
        "https://example.com/voice?lang=en#rc=3", {"Digits": "12"}, method="get"
    )
    assert request.method == "GET"
    assert request.url == "https://example.com/voice?lang=en&Digits=12"
    assert request.body == b""
    assert "Content-Type" not in request.headers
    assert RequestValidator(TOKEN).validate(request.url, {}, request.headers["X-Twilio-Signature"])


def test_the_fragment_never_reaches_the_app_nor_the_signature() -> None:
    simulator = Simulator(lambda request: Response(request.url, 204, "", ""), TOKEN)
    request = simulator.build_request("https://example.com/sms#rc=2&rt=1000", {"Body": "hi"})
    assert request.url == "https://example.com/sms"
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded; charset=UTF-8"
    assert RequestValidator(TOKEN).validate(
        request.url, {"Body": "hi"}, request.headers["X-Twilio-Signature"]
    )


@pytest.mark.parametrize(
    ("url", "wire"),
    [
        ("https://x.test/a b?q=a b", "https://x.test/a%20b?q=a%20b"),
        ("https://x.test/café?q=é", "https://x.test/caf%C3%A9?q=%C3%A9"),
        ("https://x.test/?q=%7e%7E~", "https://x.test/?q=%7E%7E~"),
        ("https://x.test/?q=100%&r=%zz", "https://x.test/?q=100%25&r=%25zz"),
        ("https://x.test/?q=O'Brien&r=a+b", "https://x.test/?q=O'Brien&r=a+b"),
        ("https://x.test/?q=<[|]>", "https://x.test/?q=%3C%5B%7C%5D%3E"),
        ("https://x.test/p#rc=3", "https://x.test/p"),
        ("https://Ann:PW@X.Test:8443/P", "https://Ann:PW@x.test:8443/P"),
    ],
    ids=[
        "space",
        "non-ascii",
        "escape-case",
        "stray-percent",
        "sub-delims",
        "brackets",
        "fragment",
        "host-case",
    ],
)
def test_urls_are_signed_as_they_go_on_the_wire(url: str, wire: str) -> None:
    simulator = Simulator(lambda request: Response(request.url, 204, "", ""), TOKEN)
    assert simulator.url_for(url) == wire
    assert simulator.url_for(wire) == wire


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30), st.text(max_size=30))
def test_wire_urls_are_ascii_and_stable(path: str, query: str) -> None:
    simulator = Simulator(lambda request: Response(request.url, 204, "", ""), TOKEN)
    url = simulator.url_for(f"https://x.test/{path.replace('#', '')}?{query.replace('#', '')}")
    assert url.isascii()
    assert " " not in url
    assert simulator.url_for(url) == url


def test_unsigned_requests_have_no_signature() -> None:
    simulator = Simulator(lambda request: Response(request.url, 204, "", ""), None)
    assert "X-Twilio-Signature" not in simulator.build_request("http://x.test/", {}).headers
    assert "unsigned" in repr(simulator)


def test_relative_urls_need_a_base() -> None:
    simulator = Simulator(lambda request: Response(request.url, 204, "", ""), TOKEN)
    with pytest.raises(SimulationError, match="not an http"):
        simulator.build_request("/twilio/messages", {})


# -- reading answers -----------------------------------------------------------------------


def answer(status: int, content_type: str, text: str) -> Response:
    return Response("https://example.com/hook", status, content_type, text)


@pytest.mark.parametrize(
    ("response", "error"),
    [
        (answer(403, "text/plain", "forbidden: bad signature\nmore"), ": forbidden: bad signature"),
        (answer(500, "text/html", "<!doctype html>\n<p>Error</p>"), ""),
        (answer(502, "text/plain", "x" * 200), ": " + "x" * 117 + "..."),
    ],
    ids=["first-line", "html-page", "long-line"],
)
def test_an_http_error_says_what_the_app_answered(response: Response, error: str) -> None:
    _, problem = read_twiml(response, voice=False)
    assert problem == f"HTTP {response.status_code} from https://example.com/hook{error}"


@pytest.mark.parametrize(
    ("response", "voice", "tags", "error"),
    [
        (
            answer(200, "text/xml", "<Response><Message>hi</Message></Response>"),
            False,
            ["Message"],
            None,
        ),
        (
            answer(200, "application/xml; charset=utf-8", "<Response><Say>hi</Say></Response>"),
            True,
            ["Say"],
            None,
        ),
        (answer(204, "", ""), False, [], None),
        (answer(200, "text/plain", "hello"), False, ["Message"], None),
        (answer(200, "text/plain", "hello"), True, ["Say", "Hangup"], None),
        (answer(200, "text/xml", ""), True, None, "not TwiML"),
        (answer(200, "", "<Response/>"), False, None, "not TwiML (no Content-Type)"),
        (answer(200, "text/html", "<p>hi</p>"), False, None, "not TwiML (text/html)"),
        (answer(200, "text/xml", "<Other/>"), False, None, "not TwiML"),
        (answer(200, "text/xml", "<Response>"), False, None, "not TwiML"),
        (answer(302, "text/html", ""), False, None, "HTTP 302"),
        (answer(500, "text/xml", "<Response/>"), False, None, "HTTP 500"),
    ],
    ids=[
        "messaging",
        "voice-charset",
        "no-content",
        "plain-message",
        "plain-voice",
        "empty-voice",
        "no-content-type",
        "html",
        "wrong-root",
        "not-well-formed",
        "redirect",
        "server-error",
    ],
)
def test_read_twiml(
    response: Response, voice: bool, tags: list[str] | None, error: str | None
) -> None:
    root, problem = read_twiml(response, voice=voice)
    if error is None:
        assert problem is None and root is not None
        assert [child.tag for child in root.children] == tags
    else:
        assert root is None and problem is not None
        assert error in problem
        assert "https://example.com/hook" in problem


# -- a session over a plain-function transport ----------------------------------------------

VOICE = {
    "/start": ('<Response><Say>Hi</Say><Redirect method="GET">/menu?x=1</Redirect></Response>'),
    "/menu": (
        '<Response><Gather numDigits="1"><Say>Pick <emphasis>one</emphasis>.</Say>'
        "<Play>https://example.com/a.mp3</Play></Gather>"
        '<Dial action="/dialed"><Number>+14155550123</Number><Client>bob</Client></Dial>'
        "</Response>"
    ),
    "/dialed": "<Response><Reject/></Response>",
}


class TinyApp:
    """A transport answering TwiML by path, recording every request it gets."""

    def __init__(self) -> None:
        self.requests: list[Request] = []

    def __call__(self, request: Request) -> Response:
        self.requests.append(request)
        path = urlsplit(request.url).path
        return Response(request.url, 200, "text/xml", VOICE.get(path, "<Response/>"))


def test_a_call_over_any_transport() -> None:
    app = TinyApp()
    simulator = Simulator(app, TOKEN, base_url="https://example.com")
    call = simulator.call("/start")
    reply = call.start()
    assert reply.says == ["Hi", "Pick one."]
    assert reply.plays == ["https://example.com/a.mp3"]
    assert reply.redirects == ["/menu?x=1"]
    redirected = app.requests[1]
    assert redirected.method == "GET"
    query = dict(parse_qsl(urlsplit(redirected.url).query))
    assert (query["x"], query["CallSid"], query["CallStatus"]) == (
        "1",
        call.call_sid,
        "in-progress",
    )
    # Without an action the <Gather> posts to its document's URL, as it was requested.
    reply = call.press("5")
    assert app.requests[-1].url == "https://example.com/menu?x=1"
    assert dict(app.requests[-1].params)["Digits"] == "5"
    assert reply.gathers and not reply.dials
    reply = call.no_input()  # on to the <Dial> after the <Gather>
    [dial] = reply.dials
    assert dial.targets == ("+14155550123", "bob")
    reply = call.end_dial("no-answer")
    assert reply.rejected and call.end_reason == "rejected"
    assert "rejected" in repr(call)


def test_every_webhook_of_one_call_shares_its_fields() -> None:
    app = TinyApp()
    simulator = Simulator(app, TOKEN, base_url="https://example.com")
    call = simulator.call("/menu", from_="+12125550100")
    call.start()
    call.press("1")
    forms = [dict(request.params) for request in app.requests if request.method == "POST"]
    assert {form["CallSid"] for form in forms} == {call.call_sid}
    assert {form["From"] for form in forms} == {"+12125550100"}
    assert forms[0]["CallStatus"] == "ringing"
    assert forms[1]["CallStatus"] == "in-progress"


def test_webhook_of_an_unknown_kind() -> None:
    simulator = Simulator(TinyApp(), TOKEN, base_url="https://example.com")
    with pytest.raises(SimulationError, match="unknown kind of webhook 'fax'; one of: message"):
        simulator.webhook("fax", "/fax")
    assert set(payloads.FACTORIES) >= {"message", "call", "amd"}


@pytest.mark.parametrize("module", ["twhooks.simulator", "twhooks.simulator.reply"])
def test_reply_is_a_deprecated_alias_of_twiml_answer(module: str) -> None:
    import importlib

    from twhooks.simulator import TwimlAnswer

    with pytest.warns(DeprecationWarning, match="TwimlAnswer"):
        old = importlib.import_module(module).Reply
    assert old is TwimlAnswer
