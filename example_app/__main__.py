"""``python -m example_app``: run the example app on http://127.0.0.1:5000, for development.

Settings left unset get public development values (printed below), which is safe only
because the server listens on 127.0.0.1: nothing but this machine can reach it. Served any
other way, the app needs its settings (see :func:`example_app.create_app`).
"""

from __future__ import annotations

import logging
import os

from . import DEV_AUTH_TOKEN, SETTINGS, create_app

HOST = "127.0.0.1"


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    port = int(os.environ.get("PORT", "5000"))
    app = create_app(development=True)
    base = f"http://{HOST}:{port}"
    unset = [name for name, value in SETTINGS.items() if app.config[name] == value]
    if "TWILIO_AUTH_TOKEN" in unset:
        # The development token is not a secret: print it so requests can be signed with it.
        print(f" * TWILIO_AUTH_TOKEN is not set: using the development token {DEV_AUTH_TOKEN!r}")
        print("   Sign requests with it, e.g. text the bot from another terminal:")
        print(f"     twhooks chat --auth-token {DEV_AUTH_TOKEN} {base}/twilio/messages")
        print("   Set TWILIO_AUTH_TOKEN to your real token to receive Twilio's webhooks.")
    if "SECRET_KEY" in unset:
        print(" * SECRET_KEY is not set: sessions are signed with a public development key")
    print(f" * Webhooks: {base}/twilio/messages and {base}/twilio/voice")
    if "EXAMPLE_DASHBOARD_PASSWORD" in unset:
        password = SETTINGS["EXAMPLE_DASHBOARD_PASSWORD"]
        print(f" * Dashboard: {base}/dashboard (any user name, password {password!r})")
    else:
        print(f" * Dashboard: {base}/dashboard (password: EXAMPLE_DASHBOARD_PASSWORD)")
    print(f" * Webhook inspector: {base}/twilio/_inspector (the dashboard's password)")
    app.run(host=HOST, port=port)


if __name__ == "__main__":
    main()
