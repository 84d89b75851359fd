"""The log scrubs the bot token from every line, tracebacks included; it stamps each line with
an ISO 8601 time and its zone; LOG_LEVEL and LOG_FILE (rotated) are honoured."""

from __future__ import annotations

import io
import logging
import logging.handlers
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from bot.logs import ROTATE_BYTES, ROTATED_FILES_KEPT, RedactingFormatter, configure_logging

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


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    telegram = logging.getLogger("telegram").level
    yield
    for handler in root.handlers:
        handler.close()
    root.handlers[:], root.level = handlers, level
    logging.getLogger("telegram").setLevel(telegram)


@pytest.mark.usefixtures("restore_logging")
def test_lines_carry_an_iso_time_with_its_zone_and_go_to_the_file(tmp_path: Path) -> None:
    file = tmp_path / "logs" / "mesocare.log"
    configure_logging(TOKEN, level=logging.INFO, file=file)
    logging.getLogger("bot.test").info("sent message 12 (pre_care) to patient 3")
    logging.getLogger("bot.test").debug("not at INFO")
    (line,) = file.read_text(encoding="utf-8").splitlines()
    stamp, rest = line.split(" ", 1)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d", stamp), stamp
    assert abs((datetime.now().astimezone() - datetime.fromisoformat(stamp)).total_seconds()) < 60
    assert rest == "INFO bot.test: sent message 12 (pre_care) to patient 3"
    (rotating,) = [
        h
        for h in logging.getLogger().handlers
        if isinstance(h, logging.handlers.RotatingFileHandler)
    ]
    assert (rotating.maxBytes, rotating.backupCount) == (ROTATE_BYTES, ROTATED_FILES_KEPT)


@pytest.mark.usefixtures("restore_logging")
def test_debug_is_for_our_code_only_never_the_librarys_request_dumps(tmp_path: Path) -> None:
    file = tmp_path / "mesocare.log"
    configure_logging(TOKEN, level=logging.DEBUG, file=file)
    logging.getLogger("jobs.test").debug("claimed 3 message(s)")
    logging.getLogger("telegram.ext.ExtBot").debug("Calling sendMessage with text Sara Ahmadi")
    written = file.read_text(encoding="utf-8")
    assert "claimed 3 message(s)" in written
    assert "Sara" not in written


@pytest.mark.usefixtures("restore_logging")
def test_warning_level_keeps_the_routine_out(tmp_path: Path) -> None:
    file = tmp_path / "mesocare.log"
    configure_logging(TOKEN, level=logging.WARNING, file=file)
    logging.getLogger("jobs.test").info("sent message 1")
    logging.getLogger("jobs.test").warning("rate limited by Telegram for 3 s")
    assert file.read_text(encoding="utf-8").count("\n") == 1
