"""Nothing of opentelemetry or prometheus_client is imported unless the app turns it on."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

TESTS = Path(__file__).resolve().parent

SCRIPT = """
import sys
from _signing import TOKEN, signed_post
from flask import Flask
from twhooks import TwilioHooks

app = Flask("imports")
app.config.update(TWILIO_AUTH_TOKEN=TOKEN, TWHOOKS_STORE="memory://", {config})
TwilioHooks(app).message()(lambda msg: "ok")
params = {{"AccountSid": "AC1", "MessageSid": "SM1", "From": "+1", "To": "+2"}}
assert signed_post(app.test_client(), "/twilio/messages", params).status_code == 200
heavy = sorted(
    m for m in sys.modules
    if m.startswith(("opentelemetry.", "prometheus_client"))
)
print(",".join(heavy))
"""


def imported(config: str) -> set[str]:
    script = textwrap.dedent(SCRIPT.format(config=config))
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=TESTS,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return {name for name in result.stdout.strip().split(",") if name}


def test_off_nothing_is_imported() -> None:
    assert imported("TWHOOKS_TRACING=False") == set()


def test_on_its_package_is_imported() -> None:
    assert "opentelemetry.trace" in imported("")  # on by default when installed
    modules = imported("TWHOOKS_TRACING=False, TWHOOKS_METRICS=True")
    assert "prometheus_client" in modules
    assert not any(name.startswith("opentelemetry.") for name in modules)


def test_a_carrier_imports_nothing_when_tracing_is_off() -> None:
    # A background job's carrier, made and read where opentelemetry was never imported.
    script = (
        "import sys\n"
        "from twhooks.observability import extract, inject\n"
        "assert inject() == {}\n"
        "assert extract({}) is None\n"
        "print(','.join(m for m in sys.modules if m.startswith('opentelemetry')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == ""
