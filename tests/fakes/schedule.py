"""Filling a bot's database with linked patients whose care messages fall due soon, and
telling which care step a delivered text was."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from care.content.catalog import DEFAULT_MESSAGES_DIR, load_catalog
from care.db.connection import connect
from care.people.enrolment import Booking, enrol
from care.people.invites import redeem_invite
from care.schedule.plan import CarePlan
from care.schedule.protocol import load_protocol
from care.schedule.quiet_hours import QuietHours

DELIVERY_PROTOCOL = Path(__file__).with_name("delivery_protocol.toml")
ONE_STEP_PROTOCOL = Path(__file__).with_name("one_step_protocol.toml")
DELIVERY_STEPS = ("day_of", "post_care", "wash_ok", "check_in")
_CATALOG = load_catalog(DEFAULT_MESSAGES_DIR)


def seed_linked_patients(
    db_path: Path,
    chat_ids: Iterable[int],
    *,
    starts_at: datetime,
    now: datetime,
    protocol_path: Path = DELIVERY_PROTOCOL,
) -> list[int]:
    """Enrol one patient per chat (one English-speaking session at `starts_at`) and link the
    chat as the patient's invite would; return the patient ids."""
    plan = CarePlan(
        load_protocol(protocol_path), ZoneInfo("Asia/Tehran"), QuietHours.parse("00:00-00:00")
    )
    patient_ids = []
    with contextlib.closing(connect(db_path)) as conn:
        for chat_id in chat_ids:
            booking = Booking(f"Patient {chat_id}", starts_at, "en")
            enrolment = enrol(conn, booking, plan=plan, actor="test", invite_days=14, now=now)
            redeem_invite(conn, enrolment.token, chat_id=chat_id, now=now)
            patient_ids.append(enrolment.patient_id)
    return patient_ids


_MARKER = "\u00a7"


def opening(key: str, lang: str = "en") -> str:
    """A stretch of a catalog text that no placeholder interrupts and no other text shares:
    enough to tell which message arrived, whatever the names and dates in it (texts that
    share a block, such as the warning signs, are told apart by what else they say)."""
    others = [_blank(lang, other) for other in _CATALOG.keys(lang) if other != key]
    pieces = [piece.strip()[:30] for piece in sorted(_blank(lang, key).split(_MARKER), key=len)]
    own = [piece for piece in pieces if not any(piece in other for other in others)]
    return (own or pieces)[-1]  # the longest; a text that only repeats others: its longest


@cache
def _blank(lang: str, key: str) -> str:
    return _CATALOG.text(lang, key, **dict.fromkeys(_CATALOG.placeholders(lang, key), _MARKER))


def step_of(text: str) -> str | None:
    """Which delivery-protocol step an English care message is."""
    for step in DELIVERY_STEPS:
        if opening(f"steps.{step}") in text:
            return step
    return None
