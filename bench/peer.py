"""The common approach, for comparison: one JobQueue job per care message.

This is how python-telegram-bot's timerbot example schedules a reminder
(`context.job_queue.run_once(alarm, due, chat_id=..., name=..., data=...)`), applied to a
clinic's schedule: at start-up the bot reads every pending message from the same database and
gives each its own job; when a job fires it sends that message and marks it sent.

Written to be fair to it: it shares our database file, schema, catalog and composer; it reads the
rows in due order through the partial index on `wake_at` (so APScheduler appends each job to its
sorted store rather than inserting it in the middle); a job holds only the message id and the
chat. It leaves out what the comparison does not measure (retries, expiry, quiet hours).
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

from telegram.ext import Application, ApplicationBuilder, CallbackContext, ContextTypes

from bot.settings import Settings
from care.content.catalog import Catalog
from care.core.clock import SystemClock, from_epoch, to_epoch
from care.core.models import MessageState
from care.db.connection import connect
from care.db.messages import Claim
from care.schedule.protocol import CareProtocol
from jobs.compose import Clinic, Composer
from jobs.transport import keyboard

log = logging.getLogger(__name__)

PeerApp = Application[Any, Any, Any, Any, Any, Any]
PeerContext = CallbackContext[Any, dict[Any, Any], dict[Any, Any], dict[Any, Any]]

_PENDING = (
    "SELECT m.id, m.due_at, p.chat_id FROM care_messages m JOIN patients p ON p.id = m.patient_id"
    " WHERE m.state = 'pending' AND p.chat_id IS NOT NULL ORDER BY m.wake_at"
)
_ONE = (
    "SELECT m.id AS message_id, m.step, m.attempts, m.due_at, m.expires_at, p.chat_id,"
    " p.id AS patient_id, p.language, p.full_name AS patient_name, a.id AS appointment_id,"
    " a.starts_at, a.session_number, a.session_count"
    " FROM care_messages m JOIN patients p ON p.id = m.patient_id"
    " JOIN appointments a ON a.id = m.appointment_id WHERE m.id = ? AND m.state = 'pending'"
)


def build_peer(settings: Settings, *, protocol: CareProtocol, catalog: Catalog) -> PeerApp:
    """The peer bot, configured from the same settings as ours."""
    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .context_types(ContextTypes())
        .post_init(_schedule_everything)
        .post_shutdown(_close)
    )
    if settings.api_base_url:
        root = settings.api_base_url.rstrip("/")
        builder = builder.base_url(f"{root}/bot").base_file_url(f"{root}/file/bot")
    application = builder.build()
    clinic = Clinic(
        settings.clinic_name,
        settings.clinic_phone,
        settings.clinic_address,
        settings.emergency_phone,
    )
    application.bot_data["settings"] = settings
    application.bot_data["composer"] = Composer(catalog, protocol, clinic, settings.timezone)
    return application


async def _schedule_everything(application: PeerApp) -> None:
    """Open the database and give every pending message its own job."""
    settings: Settings = application.bot_data["settings"]
    conn = connect(settings.database_path)
    application.bot_data["conn"] = conn
    assert application.job_queue is not None
    scheduled = 0
    for message_id, due_at, chat_id in conn.execute(_PENDING):
        application.job_queue.run_once(
            send_care_message,
            when=from_epoch(due_at),
            data=message_id,
            chat_id=chat_id,
            name=str(message_id),
        )
        scheduled += 1
    application.bot_data["scheduled"] = scheduled
    log.info("scheduled %d job(s), one per pending message", scheduled)


async def send_care_message(context: PeerContext) -> None:
    """A message's job fired: send it and record it (the timerbot's `alarm`)."""
    job = context.job
    assert job is not None and isinstance(job.data, int) and job.chat_id is not None
    conn: sqlite3.Connection = context.bot_data["conn"]
    row = conn.execute(_ONE, (job.data,)).fetchone()
    if row is None:  # cancelled or sent meanwhile
        return
    claim = Claim(**dict(row))
    outgoing = context.bot_data["composer"].care_message(claim)
    sent = await context.bot.send_message(
        job.chat_id, outgoing.text, reply_markup=keyboard(outgoing.buttons)
    )
    conn.execute(
        "UPDATE care_messages SET state = ?, sent_at = ?, telegram_message_id = ? WHERE id = ?",
        (MessageState.SENT, to_epoch(SystemClock().now()), sent.message_id, job.data),
    )


async def _close(application: PeerApp) -> None:
    conn: sqlite3.Connection | None = application.bot_data.get("conn")
    if conn is not None:
        conn.close()
