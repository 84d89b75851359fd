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

from bot.settings import Settings
from care.clock import Clock, to_epoch
from care.dates import iso_local
from care.db import alerts, appointments, patients, staff
from care.db.alerts import AlertRow
from care.db.worker import Database
from care.models import AlertKind

log = logging.getLogger(__name__)

WORDING: dict[AlertKind, str] = {
    AlertKind.BLOOD_THINNER: "takes a prescribed blood thinner: please call them before "
    "the session",
    AlertKind.ANOTHER_TIME: "asks for another appointment time",
    AlertKind.TOOK_PAINKILLER: "has taken aspirin or an ibuprofen-type painkiller in the 24 "
    "hours before the session: please call them, and tell the physician before the injection",
    AlertKind.STILL_SYMPTOMS: "still has symptoms after the session",
    AlertKind.SOMETHING_WRONG: "URGENT: reports that something looks wrong after the session",
    AlertKind.BOOK_ME: "would like to book a maintenance session",
    AlertKind.INVITE_NOT_OPENED: "has not opened their invite link yet and the session is close",
    AlertKind.UNREACHABLE: "cannot be reached on Telegram (blocked the bot or deleted the chat); "
    "their messages are on hold until they send /start again",
    AlertKind.DELIVERY_FAILED: "did not receive a care message after repeated attempts; "
    "please contact them",
    AlertKind.PAUSED: "paused all care messages (/stop)",
}


def card_button(patient_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton("Open patient card", callback_data=f"card:{patient_id}")]]
    )


class StaffAlerts:
    """Sends stored alerts to the staff group when there is one, else to each staff member."""

    def __init__(self, bot: Bot, db: Database, settings: Settings, clock: Clock) -> None:
        self._bot = bot
        self._db = db
        self._settings = settings
        self._clock = clock
        self._lock = asyncio.Lock()

    async def flush(self) -> int:
        """Send every alert not yet sent; return how many went out."""
        async with self._lock:
            pending = await self._db.run(alerts.undelivered)
            sent = 0
            for alert in pending:
                text = await self._db.run(_describe, alert, self._settings)
                if await self._send_to_staff(text, alert.patient_id):
                    await self._db.run(_delivered, alert.id, to_epoch(self._clock.now()))
                    sent += 1
            return sent

    async def _send_to_staff(self, text: str, patient_id: int | None) -> bool:
        markup = card_button(patient_id) if patient_id is not None else None
        targets = await self._targets()
        delivered = False
        for chat_id in targets:
            try:
                await self._bot.send_message(chat_id, text, reply_markup=markup)
                delivered = True
            except TelegramError as error:
                log.error("could not alert staff chat %s: %s", chat_id, error)
        return delivered

    async def _targets(self) -> list[int]:
        if self._settings.staff_chat_id is not None:
            return [self._settings.staff_chat_id]
        members = await self._db.run(staff.active)
        return sorted(self._settings.admin_ids | {m.user_id for m in members})


def _describe(conn: sqlite3.Connection, alert: AlertRow, settings: Settings) -> str:
    kind = AlertKind(alert.kind)
    who = f"Patient #{alert.patient_id}"
    if alert.patient_id is not None:
        patient = patients.get(conn, alert.patient_id)
        if patient is not None:
            who = f"{patient.full_name} (patient #{patient.id})"
    lines = [f"{'🚨' if alert.urgent else '⚠️'} {who} {WORDING[kind]}."]
    if alert.appointment_id is not None:
        appointment = appointments.get(conn, alert.appointment_id)
        if appointment is not None:
            when = iso_local(appointment.starts_at, settings.timezone)
            lines.append(f"Appointment #{appointment.id}, {when}")
    return "\n".join(lines)


def _delivered(conn: sqlite3.Connection, alert_id: int, now: int) -> None:
    alerts.mark_delivered(conn, alert_id, now)
