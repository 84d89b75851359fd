"""/schedule: an appointment's care messages, due times and states."""

from __future__ import annotations

from telegram import Update

from bot.common.access import staff_only
from bot.common.record_ids import record_id_or_ask
from bot.services import CareContext
from care.core.dates import iso_local
from care.desk.journey import AppointmentSchedule, schedule_of


@staff_only
async def schedule(update: Update, context: CareContext) -> None:
    """List an appointment's care messages with their due times and states."""
    assert update.effective_message is not None
    appointment_id = await record_id_or_ask(
        update.effective_message,
        context.args,
        "Which appointment? Send /schedule followed by its number, e.g. /schedule 12",
    )
    if appointment_id is None:
        return
    found = await context.services.db.run(schedule_of, appointment_id)
    if found is None:
        await update.effective_message.reply_text(
            f"There is no appointment #{appointment_id}. Check the number and try again."
        )
        return
    await update.effective_message.reply_text(format_schedule(found, context))


def format_schedule(found: AppointmentSchedule, context: CareContext) -> str:
    tz = context.services.settings.timezone
    appointment = found.appointment
    lines = [
        f"Appointment #{appointment.id} — {iso_local(appointment.starts_at, tz)} "
        f"(session {appointment.session_number} of {appointment.session_count}, "
        f"{appointment.status.value})",
    ]
    for message in found.messages:
        line = f"• {message.step}: {iso_local(message.due_at, tz)} — {message.state.value}"
        if message.reason and message.state.value in {"skipped", "failed", "cancelled"}:
            line += f" ({message.reason})"
        lines.append(line)
    return "\n".join(lines)
