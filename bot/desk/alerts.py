"""Telling the clinic's staff that something needs a human.

Alerts are written to the database first (once per event) and sent from there, so an alert
survives a restart and is never sent twice.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import TelegramError

from bot.common.staff_voice import Voice
from bot.desk import buttons as desk_buttons
from bot.settings import Settings
from care.alerts.outbox import (
    AlertRow,
    booked_sessions,
    mark_delivered,
    subject_of,
    undelivered,
)
from care.content.catalog import Catalog
from care.core.clock import Clock
from care.core.models import AlertKind, Appointment
from care.db.worker import Database
from care.people.staffing import active_staff, language_of

log = logging.getLogger(__name__)


def card_button(voice: Voice, patient_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(voice("card.open"), callback_data=desk_buttons.card(patient_id))]]
    )


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
        for chat_id, lang in await self._db.run(self._targets):
            voice = Voice(self._catalog, lang, self._settings.timezone)
            text = await self._db.run(_describe, alert, voice)
            markup = card_button(voice, alert.patient_id) if alert.patient_id is not None else None
            try:
                await self._bot.send_message(chat_id, text, reply_markup=markup)
                delivered = True
            except TelegramError as error:
                log.error("could not alert staff chat %s: %s", chat_id, error)
        return delivered

    def _targets(self, conn: sqlite3.Connection) -> list[tuple[int, str]]:
        """Each chat to alert, with its language: the staff group's, or each member's own
        choice (/language), else STAFF_LANGUAGE."""
        settings = self._settings
        if settings.staff_chat_id is not None:
            return [(settings.staff_chat_id, settings.staff_language)]
        people = sorted(settings.admin_ids | {m.user_id for m in active_staff(conn)})
        return [(user, language_of(conn, user) or settings.staff_language) for user in people]


def _describe(conn: sqlite3.Connection, alert: AlertRow, voice: Voice) -> str:
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
    if kind is AlertKind.REBOOK and alert.patient_id is not None:
        lines.append(_remaining_sessions(booked_sessions(conn, alert.patient_id), voice))
    return "\n".join(lines)


def _remaining_sessions(booked: list[Appointment], voice: Voice) -> str:
    """The sessions still booked, for staff finding the patient a new time."""
    if not booked:
        return voice("alerts.remaining_none")
    listed = [voice("desk.appointment", appointment_id=a.id, starts=a.starts_at) for a in booked]
    return voice("alerts.remaining", sessions=voice.join(listed))
