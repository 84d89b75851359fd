"""Logging an operator can keep, that never leaks the bot token.

Every line starts with its time in ISO 8601 with the zone's offset
(`2026-12-05T14:30:00.123+03:30`), so lines from a server in another zone, or read after a
change of clock, still say when things happened.

The HTTP client logs every request URL, and Telegram puts the token in the URL, so its
chatter is turned down, and every line written (tracebacks included, where an error message
may quote a URL) is scrubbed of the token as a last line of defence.

The log always goes to standard error (journald or `docker logs` keep it); with LOG_FILE it
also goes to that file, rotated by size. A RotatingFileHandler rather than a WatchedFileHandler
for logrotate: it needs no logrotate rule (nor a container with logrotate in it), and disk use
stays bounded however the bot is run. It is safe because only one bot writes (the database
lock refuses a second one); `check` and `backup` never write to the file.
"""

from __future__ import annotations

import logging
import logging.handlers
from datetime import datetime
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
ROTATE_BYTES = 10 * 1024 * 1024
ROTATED_FILES_KEPT = 5


class RedactingFormatter(logging.Formatter):
    def __init__(self, token: str, *more_tokens: str) -> None:
        super().__init__(FORMAT)
        self._tokens = [t for t in (token, *more_tokens) if t]

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        """ISO 8601 in the machine's zone, with its offset (logging names this method)."""
        local = datetime.fromtimestamp(record.created).astimezone()
        return local.isoformat(timespec="milliseconds")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for token in self._tokens:
            text = text.replace(token, "<token>")
        return text


def configure_logging(
    token: str,
    *,
    level: int = logging.INFO,
    file: Path | None = None,
    more_tokens: tuple[str, ...] = (),
) -> None:
    """`more_tokens`: other secrets to scrub the same way (the Bale bot's token)."""
    formatter = RedactingFormatter(token, *more_tokens)
    handlers: list[logging.Handler] = [logging.StreamHandler()]
    if file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(
            logging.handlers.RotatingFileHandler(
                file, maxBytes=ROTATE_BYTES, backupCount=ROTATED_FILES_KEPT, encoding="utf-8"
            )
        )
    for handler in handlers:
        handler.setFormatter(formatter)
    logging.basicConfig(level=level, handlers=handlers, force=True)
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # At DEBUG, python-telegram-bot logs every request's parameters: message texts, names.
    # LOG_LEVEL=DEBUG is for our own code, which logs by number only.
    logging.getLogger("telegram").setLevel(max(level, logging.INFO))
    # Its warnings say a safety tick was skipped while the sender was busy: by design.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
