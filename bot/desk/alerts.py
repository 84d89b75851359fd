"""Telling the clinic's staff that something needs a human.

Alerts are written to the database first (once per event) and sent from there, so an alert
survives a restart and is never sent twice.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3

from telegram import Bot
from telegram.error import TelegramError

from bot.common.staff_voice import Voice
from bot.desk import alert_buttons
from bot.settings import Settings
from care.alerts.outbox import AlertRow, mark_delivered, subject_of, undelivered
from care.alerts.posts import record_post
from care.content.catalog import Catalog
from care.core.clock import Clock
from care.core.models import AlertKind
from care.db.worker import Database
from care.people.staffing import active_staff, language_of

log = logging.getLogger(__name__)


class StaffAlerts:
    """Sends stored alerts to the staff group when there is one, else to each staff member."""

    def __init__(
        self, bot: Bot, db: Database, settings: Settings, clock: Clock, catalog: Catalog
    ) -> None:
        self._bot = bot
        self._db = db
        self._settings = settings
        self._clock = clock
        self._catalog = catalog
        self._lock = asyncio.Lock()

    @property
    def bot(self) -> Bot:
        """The bot alerts go out through (the relay's escalations and morning sheet use it too)."""
        return self._bot

    async def flush(self) -> int:
        """Send every alert not yet sent; return how many went out."""
        async with self._lock:
            pending = await self._db.run(undelivered)
            sent = 0
            for alert in pending:
                if await self._send_to_staff(alert):
                    await self._db.run(mark_delivered, alert.id, self._clock.now())
                    sent += 1
            return sent

    async def _send_to_staff(self, alert: AlertRow) -> bool:
        delivered = False
        for chat_id, lang in await self._db.run(staff_targets, self._settings):
            voice = Voice(self._catalog, lang, self._settings.timezone)
            text = await self._db.run(describe, alert, voice)
            # Each alert waits for an owner (bot/relay/ownership.py); its posts are recorded
            # so taking it can be shown on every copy.
            markup = alert_buttons.keyboard(
                voice, alert.id, alert.patient_id, step=alert_buttons.Step.TAKE
            )
            try:
                sent = await self._bot.send_message(chat_id, text, reply_markup=markup)
                delivered = True
            except TelegramError as error:
                log.error("could not alert staff chat %s: %s", chat_id, error)
                continue
            await self._db.run(record_post, chat_id, sent.message_id, alert.id)
        return delivered


def staff_targets(conn: sqlite3.Connection, settings: Settings) -> list[tuple[int, str]]:
    """Each chat to tell something, with its language: the staff group's, or each member's
    own choice (/language), else STAFF_LANGUAGE."""
    if settings.staff_chat_id is not None:
        return [(settings.staff_chat_id, settings.staff_language)]
    people = sorted(settings.admin_ids | {m.user_id for m in active_staff(conn)})
    return [(user, language_of(conn, user) or settings.staff_language) for user in people]


def chat_language(conn: sqlite3.Connection, settings: Settings, chat_id: int) -> str:
    """The language a staff chat reads: the group's, or that member's own."""
    if chat_id == settings.staff_chat_id:
        return settings.staff_language
    return language_of(conn, chat_id) or settings.staff_language


def describe(conn: sqlite3.Connection, alert: AlertRow, voice: Voice) -> str:
    kind = AlertKind(alert.kind)
    who = voice("alerts.patient", patient_id=alert.patient_id or 0)
    subject = subject_of(conn, alert)
    if (patient := subject.patient) is not None:
        who = voice("desk.who", patient_name=patient.full_name, patient_id=patient.id)
    what = voice(f"alerts.{kind.value}")
    lines = [voice("alerts.urgent" if alert.urgent else "alerts.warning", who=who, what=what)]
    if (appointment := subject.appointment) is not None:
        lines.append(
            voice(
                "alerts.appointment",
                appointment_id=appointment.id,
                starts=appointment.starts_at,
            )
        )
    return "\n".join(lines)
