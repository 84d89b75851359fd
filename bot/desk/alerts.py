"""Telling the clinic's staff that something needs a human.

Alerts are written to the database first (once per event) and sent from there, so an alert
survives a restart and is never sent twice.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from telegram.error import TelegramError

from bot.common.staff_voice import Voice
from bot.desk import alert_buttons
from bot.desk.reschedule_view import choice_list
from care.alerts.outbox import (
    AlertRow,
    booked_sessions,
    mark_delivered,
    subject_of,
    undelivered,
)
from care.alerts.posts import record_post
from care.answers.reschedule import choices_of_alert
from care.core.models import AlertKind, Appointment, Patient
from care.people.staffing import active_staff, language_of

if TYPE_CHECKING:  # services name this class for their own type: a type only, no cycle
    from bot.services import Services

log = logging.getLogger(__name__)


def call_them(voice: Voice, patient: Patient | None) -> str:
    """A patient no channel reaches: staff call them (their phone, if given)."""
    if patient is None or patient.phone is None:
        return voice("channels.call_them_no_phone")
    return voice("channels.call_them", phone=patient.phone)


class StaffAlerts:
    """Sends stored alerts to staff on each channel the bot serves: to that channel's staff
    group when it has one (STAFF_CHAT_ID, BALE_STAFF_CHAT_ID), else to each staff member
    there. An alert counts as delivered once it reached staff on any channel."""

    def __init__(self, services: Services) -> None:
        self._services = services
        self._db = services.db
        self._settings = services.settings
        self._clock = services.clock
        self._catalog = services.catalog
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
        services = self._services
        for channel, chat_id, lang in await self._db.run(staff_targets, services, services.apps):
            bot = services.bot_of(channel)
            if bot is None:
                continue
            voice = Voice(self._catalog, lang, self._settings.timezone)
            text = await self._db.run(describe, alert, voice)
            # Each alert waits for an owner (bot/relay/ownership.py); its posts are recorded,
            # with their channel, so taking it can be shown on every copy.
            markup = alert_buttons.keyboard(
                voice, alert.id, alert.patient_id, action=alert_buttons.OwnerAction.TAKE
            )
            try:
                sent = await bot.send_message(chat_id, text, reply_markup=markup)
                delivered = True
            except TelegramError as error:
                log.error("could not alert staff chat %s on %s: %s", chat_id, channel, error)
                continue
            await self._db.run(record_post, channel, chat_id, sent.message_id, alert.id)
        return delivered

    async def tell(self, text: Callable[[Voice], str]) -> None:
        """Send every staff chat `text` in its language at once, not stored (a channel's
        state: told when it changes, and worth nothing after a restart)."""
        services = self._services
        for channel, chat_id, lang in await self._db.run(staff_targets, services, services.apps):
            bot = services.bot_of(channel)
            if bot is None:
                continue
            voice = Voice(self._catalog, lang, self._settings.timezone)
            try:
                await bot.send_message(chat_id, text(voice))
            except TelegramError as error:
                log.warning("could not tell staff chat %s on %s: %s", chat_id, channel, error)


def staff_targets(
    conn: sqlite3.Connection, services: Services, channels: Iterable[str]
) -> list[tuple[str, int, str]]:
    """Each chat to tell something on each of `channels`, with its language: that channel's
    staff group's, or each of its members' own choice (/language), else STAFF_LANGUAGE."""
    settings = services.settings
    targets: list[tuple[str, int, str]] = []
    for channel in channels:
        group = services.staff_chat_id(channel)
        if group is not None:
            targets.append((channel, group, settings.staff_language))
            continue
        members = {m.user_id for m in active_staff(conn) if m.channel == channel}
        people = sorted(services.admin_ids(channel) | members)
        targets.extend(
            (channel, user, language_of(conn, user, channel) or settings.staff_language)
            for user in people
        )
    return targets


def chat_language(conn: sqlite3.Connection, services: Services, channel: str, chat_id: int) -> str:
    """The language a staff chat on `channel` reads: the group's, or that member's own."""
    if chat_id == services.staff_chat_id(channel):
        return services.settings.staff_language
    return language_of(conn, chat_id, channel) or services.settings.staff_language


def describe(conn: sqlite3.Connection, alert: AlertRow, voice: Voice) -> str:
    kind = AlertKind(alert.kind)
    who = voice("alerts.patient", patient_id=alert.patient_id or 0)
    subject = subject_of(conn, alert)
    if (patient := subject.patient) is not None:
        who = voice("desk.who", patient_name=patient.full_name, patient_id=patient.id)
    what = voice(f"alerts.{kind.value}")
    lines = [voice("alerts.urgent" if alert.urgent else "alerts.warning", who=who, what=what)]
    if kind is AlertKind.UNREACHABLE and alert.patient_id is not None:
        lines.append(call_them(voice, subject.patient))
    if (appointment := subject.appointment) is not None:
        lines.append(
            voice(
                "alerts.appointment",
                appointment_id=appointment.id,
                starts=appointment.starts_at,
            )
        )
    if kind is AlertKind.ANOTHER_TIME and (choices := choices_of_alert(conn, alert.id)):
        lines.append(voice("reschedule_staff.choices", choices=choice_list(voice, choices)))
    if kind is AlertKind.REBOOK and alert.patient_id is not None:
        lines.append(_remaining_sessions(booked_sessions(conn, alert.patient_id), voice))
    return "\n".join(lines)


def _remaining_sessions(booked: list[Appointment], voice: Voice) -> str:
    """The sessions still booked, for staff finding the patient a new time."""
    if not booked:
        return voice("alerts.remaining_none")
    listed = [voice("desk.appointment", appointment_id=a.id, starts=a.starts_at) for a in booked]
    return voice("alerts.remaining", sessions=voice.join(listed))
