"""Log records captured as the app's JSON logging setup would write them (the filter of the
app's own records, then :class:`~twhooks.observability.JsonFormatter`)."""

from __future__ import annotations

import json
import logging
from typing import Any

from twhooks.observability import JsonFormatter, WebhookLogFields


class Capture(logging.Handler):
    """Every record, with the filter of the app's own records, formatted as JSON."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.lines: list[str] = []
        self.addFilter(WebhookLogFields())
        self.setFormatter(JsonFormatter())

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.lines.append(self.format(record))

    def of(self, name: str) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.lines if json.loads(line)["logger"] == name]
