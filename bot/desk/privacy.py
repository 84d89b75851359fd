"""Admin commands on a patient's personal data: /forget (after a confirmation) and
/export_patient."""

from __future__ import annotations

import json
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update

from bot.common.access import actor, admin_only
from bot.common.record_ids import record_id_or_ask
from bot.common.replace import replace_message
from bot.common.staff_language import staff_voice
from bot.common.staff_voice import Voice
from bot.desk import forget_buttons
from bot.desk.forget_buttons import ForgetButton
from bot.services import CareContext
from care.core.models import PatientStatus
from care.people.lookup import patient_record
from care.people.privacy import ForgetOutcome, export_patient, forget_patient

log = logging.getLogger(__name__)


def _no_such_patient(voice: Voice, patient_id: int) -> str:
    return voice("privacy.no_patient", patient_id=patient_id)


@admin_only
async def forget(update: Update, context: CareContext) -> None:
    """Ask the admin to confirm erasing a patient's personal data."""
    assert update.effective_message is not None
    voice = await staff_voice(update, context)
    patient_id = await record_id_or_ask(
        update.effective_message, context.args, voice("privacy.forget_usage")
    )
    if patient_id is None:
        return
    patient = await context.services.db.run(patient_record, patient_id)
    if patient is None:
        await update.effective_message.reply_text(_no_such_patient(voice, patient_id))
        return
    if patient.status is PatientStatus.ERASED:
        await update.effective_message.reply_text(
            voice("privacy.already_erased", patient_id=patient_id)
        )
        return
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    voice("privacy.erase_button", patient_id=patient_id),
                    callback_data=_forget(patient_id, erase=True),
                ),
                InlineKeyboardButton(
                    voice("privacy.keep_button"),
                    callback_data=_forget(patient_id, erase=False),
                ),
            ]
        ]
    )
    await update.effective_message.reply_text(
        voice("privacy.confirm_forget", patient_name=patient.full_name, patient_id=patient_id),
        reply_markup=buttons,
    )


@admin_only
async def forget_confirmed(update: Update, context: CareContext) -> None:
    """The admin's answer to the /forget question."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    voice = await staff_voice(update, context)
    button = forget_buttons.decode(query.data)
    if button is None:
        await replace_message(query, voice("privacy.button_invalid"))
        return
    patient_id = button.patient_id
    if not button.erase:
        await replace_message(query, voice("privacy.kept", patient_id=patient_id))
        return
    services = context.services
    result = await services.db.run(
        forget_patient, patient_id, actor=actor(update), now=services.clock.now()
    )
    if result.outcome is ForgetOutcome.NOT_FOUND:
        text = _no_such_patient(voice, patient_id)
    elif result.outcome is ForgetOutcome.ALREADY_ERASED:
        text = voice("privacy.was_already_erased", patient_id=patient_id)
    else:
        log.info("patient %d erased", patient_id)
        text = voice("privacy.erased", patient_id=patient_id, cancelled=result.cancelled)
    await replace_message(query, text)


def _forget(patient_id: int, *, erase: bool) -> str:
    return forget_buttons.encode(ForgetButton(patient_id, erase=erase))


@admin_only
async def export(update: Update, context: CareContext) -> None:
    """Send the admin everything stored about one patient, as a JSON file."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    voice = await staff_voice(update, context)
    if chat.type != chat.PRIVATE:
        await message.reply_text(voice("privacy.export_private_only"))
        return
    patient_id = await record_id_or_ask(message, context.args, voice("privacy.export_usage"))
    if patient_id is None:
        return
    services = context.services
    record = await services.db.run(
        export_patient,
        patient_id,
        actor=actor(update),
        now=services.clock.now(),
        tz=services.settings.timezone,
    )
    if record is None:
        await message.reply_text(_no_such_patient(voice, patient_id))
        return
    content = json.dumps(record, ensure_ascii=False, indent=2).encode("utf-8")
    log.info("patient %d exported", patient_id)
    await message.reply_document(
        InputFile(content, filename=f"patient-{patient_id}.json"),
        caption=voice("privacy.export_caption", patient_id=patient_id),
    )
