"""/schedule: an appointment's care messages, due times and states, in the staff member's words."""

from __future__ import annotations

from telegram import Update

from bot.common.access import staff_only
from bot.common.record_ids import record_id_or_ask
from bot.common.staff_language import staff_voice
from bot.common.staff_voice import Voice
from bot.desk.card_view import message_line, reason_text, session_title
from bot.services import CareContext
from care.core.models import MessageState
from care.desk.journey import AppointmentSchedule, schedule_of

# States whose stored reason the staff need: why it did not (or not yet) go.
_WITH_REASON = frozenset({MessageState.SKIPPED, MessageState.FAILED, MessageState.CANCELLED})


@staff_only
async def schedule(update: Update, context: CareContext) -> None:
    """List an appointment's care messages with their due times and states."""
    assert update.effective_message is not None
    voice = await staff_voice(update, context)
    appointment_id = await record_id_or_ask(
        update.effective_message, context.args, voice("journey.ask_schedule")
    )
    if appointment_id is None:
        return
    found = await context.services.db.run(schedule_of, appointment_id)
    if found is None:
        await update.effective_message.reply_text(
            voice("desk.no_appointment_check", appointment_id=appointment_id)
        )
        return
    await update.effective_message.reply_text(format_schedule(found, voice))


def format_schedule(found: AppointmentSchedule, voice: Voice) -> str:
    """The appointment's title line as on the card, then every message in full."""
    lines = [f"🗓 {session_title(found.appointment, voice)}"]
    if not found.messages:
        lines.append(voice("journey.no_messages"))
    for message in found.messages:
        line = message_line(voice, message)
        if message.reason and message.state in _WITH_REASON:
            line = voice("card.reason", line=line, reason=reason_text(voice, message.reason))
        lines.append(line)
    return "\n".join(lines)
