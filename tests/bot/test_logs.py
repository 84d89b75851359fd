"""The log scrubs the bot token from every line, tracebacks included."""

from __future__ import annotations

import io
import logging

from bot.logs import RedactingFormatter

TOKEN = "123456:SECRET-token-never-to-be-logged"


def test_the_token_is_scrubbed_from_messages_and_tracebacks() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(RedactingFormatter(TOKEN))
    logger = logging.getLogger("tests.logs")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("POST https://api.telegram.org/bot%s/sendMessage", TOKEN)
        try:
            raise ConnectionError(f"cannot reach https://api.telegram.org/bot{TOKEN}/getMe")
        except ConnectionError:
            logger.exception("polling failed")
    finally:
        logger.removeHandler(handler)
    written = stream.getvalue()
    assert TOKEN not in written
    assert "SECRET" not in written
    assert written.count("<token>") == 2  # in the message and in the traceback
