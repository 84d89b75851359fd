"""A domain Problem as staff read it: rendered through the shipped catalogs, as the bot does."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from bot.common.staff_voice import Voice
from care.content.catalog import DEFAULT_MESSAGES_DIR, load_catalog
from care.core.problems import Problem

_CATALOG = load_catalog(DEFAULT_MESSAGES_DIR)


_MARKS = re.compile("[\u200e\u200f\u2066-\u2069]")


def said(problem: BaseException, lang: str = "en") -> str:
    """What the desk tells staff about `problem` (a care.problems.Problem), without the
    direction marks (tests/care/content/test_right_to_left.py checks those)."""
    assert isinstance(problem, Problem), problem
    return _MARKS.sub("", Voice(_CATALOG, lang, ZoneInfo("Asia/Tehran")).problem(problem))


def staff_text(lang: str, key: str, **values: object) -> str:
    """A staff text exactly as the bot sends it (direction marks included)."""
    return Voice(_CATALOG, lang, ZoneInfo("Asia/Tehran"))(key, **values)
