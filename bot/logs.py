"""Logging that never leaks the bot token.

The HTTP client logs every request URL, and Telegram puts the token in the URL, so its
chatter is turned down, and every line written (tracebacks included, where an error message
may quote a URL) is scrubbed of the token as a last line of defence.
"""

from __future__ import annotations

import logging

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RedactingFormatter(logging.Formatter):
    def __init__(self, token: str) -> None:
        super().__init__(FORMAT)
        self._token = token

    def format(self, record: logging.LogRecord) -> str:
        return super().format(record).replace(self._token, "<token>")


def configure_logging(token: str, level: int = logging.INFO) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter(token))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # Its warnings say a safety tick was skipped while the sender was busy: by design.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
