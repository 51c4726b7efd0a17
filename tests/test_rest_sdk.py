"""The app's own twilio.rest.Client as the sender (TWHOOKS_REST_CLIENT), against FakeTwilioApi
over real HTTP: its messages, its TwilioRestException as TwilioApiError, its 429s retried."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from test_rest_client import FROM, TO, Sleeps
from twilio.rest import Client

from twhooks import TwilioApiError
from twhooks.rest import RetryPolicy, SdkClient
from twhooks.testing import FakeTwilioApi


@pytest.fixture
def api() -> Iterator[FakeTwilioApi]:
    with FakeTwilioApi(statuses=()) as fake:
        yield fake


def test_the_app_s_twilio_rest_client_is_used_as_given(api: FakeTwilioApi) -> None:
    sdk = Client(api.account_sid, api.auth_token)
    sdk.api.base_url = api.url  # the SDK's domain, pointed at the fake
    sent = SdkClient(sdk).create_message(to=TO, from_=FROM, body="hi", media_url=["https://x/a"])
    (message,) = api.messages
    assert (sent.sid, sent.to, sent.from_, sent.status) == (message.sid, TO, FROM, "queued")

    wrong = Client(api.account_sid, "wrong")
    wrong.api.base_url = api.url
    with pytest.raises(TwilioApiError) as raised:
        SdkClient(wrong).create_message(to=TO, from_=FROM, body="hi")
    assert (raised.value.status, raised.value.code) == (401, 20003)


def test_the_sdk_client_s_429_is_retried(api: FakeTwilioApi) -> None:
    sdk = Client(api.account_sid, api.auth_token)
    sdk.api.base_url = api.url
    api.fail_next(429, times=2)
    sleeps = Sleeps()
    SdkClient(sdk, retry=RetryPolicy(backoff=0.01), sleep=sleeps).create_message(
        to=TO, from_=FROM, body="hi"
    )
    assert [s for _, s in api.attempts] == [429, 429, 201] and len(sleeps) == 2
