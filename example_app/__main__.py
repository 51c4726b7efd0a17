"""``python -m example_app``: run the example app on http://127.0.0.1:5000."""

from __future__ import annotations

import logging
import os

from . import DEV_AUTH_TOKEN, DEV_SECRET_KEY, create_app


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    port = int(os.environ.get("PORT", "5000"))
    app = create_app()
    base = f"http://127.0.0.1:{port}"
    if app.config["TWILIO_AUTH_TOKEN"] == DEV_AUTH_TOKEN:
        # The development token is not a secret: print it so requests can be signed with it.
        print(f" * TWILIO_AUTH_TOKEN is not set: using the development token {DEV_AUTH_TOKEN!r}")
        print("   Sign requests with it, e.g. text the bot from another terminal:")
        print(f"     twhooks chat --auth-token {DEV_AUTH_TOKEN} {base}/twilio/messages")
        print("   Set TWILIO_AUTH_TOKEN to your real token to receive Twilio's webhooks.")
    if app.config["SECRET_KEY"] == DEV_SECRET_KEY:
        print(" * SECRET_KEY is not set: sessions are signed with a public development key")
    print(f" * Webhooks: {base}/twilio/messages and {base}/twilio/voice")
    print(f" * Dashboard: {base}/dashboard")
    app.run(host="127.0.0.1", port=port)


if __name__ == "__main__":
    main()
