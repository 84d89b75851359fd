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
from bot.settings import Settings
from care.content.catalog import Catalog
from care.core.clock import Clock, to_epoch
from care.core.models import AlertKind, AppointmentStatus
from care.db import alerts, appointments, patients, staff
from care.db.alerts import AlertRow
from care.db.worker import Database

log = logging.getLogger(__name__)


def card_button(voice: Voice, patient_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(voice("card.open"), callback_data=f"card:{patient_id}")]]
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
            pending = await self._db.run(alerts.undelivered)
            sent = 0
            for alert in pending:
                if await self._send_to_staff(alert):
                    await self._db.run(_delivered, alert.id, to_epoch(self._clock.now()))
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
        people = sorted(settings.admin_ids | {m.user_id for m in staff.active(conn)})
        return [(user, staff.language_of(conn, user) or settings.staff_language) for user in people]


def _describe(conn: sqlite3.Connection, alert: AlertRow, voice: Voice) -> str:
    kind = AlertKind(alert.kind)
    who = voice("alerts.patient", patient_id=alert.patient_id or 0)
    if alert.patient_id is not None:
        patient = patients.get(conn, alert.patient_id)
        if patient is not None:
            who = voice("desk.who", patient_name=patient.full_name, patient_id=patient.id)
    what = voice(f"alerts.{kind.value}")
    lines = [voice("alerts.urgent" if alert.urgent else "alerts.warning", who=who, what=what)]
    if alert.appointment_id is not None:
        appointment = appointments.get(conn, alert.appointment_id)
        if appointment is not None:
            lines.append(
                voice(
                    "alerts.appointment",
                    appointment_id=appointment.id,
                    starts=appointment.starts_at,
                )
            )
    if kind is AlertKind.REBOOK and alert.patient_id is not None:
        lines.append(_remaining_sessions(conn, alert.patient_id, voice))
    return "\n".join(lines)


def _remaining_sessions(conn: sqlite3.Connection, patient_id: int, voice: Voice) -> str:
    """The course's sessions still booked, for staff finding the patient a new time."""
    booked = [
        voice("desk.appointment", appointment_id=a.id, starts=a.starts_at)
        for a in appointments.of_patient(conn, patient_id)
        if a.status is AppointmentStatus.BOOKED
    ]
    if not booked:
        return voice("alerts.remaining_none")
    return voice("alerts.remaining", sessions=voice.join(booked))


def _delivered(conn: sqlite3.Connection, alert_id: int, now: int) -> None:
    alerts.mark_delivered(conn, alert_id, now)
