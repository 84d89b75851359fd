"""Admin commands on a patient's personal data: /forget (after a confirmation) and
/export_patient."""

from __future__ import annotations

import json
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update

from bot.common.access import actor, admin_only
from bot.common.record_ids import record_id_or_ask
from bot.common.replace import replace_message
from bot.desk import forget_buttons
from bot.desk.forget_buttons import ForgetButton
from bot.services import CareContext
from care.core.models import PatientStatus
from care.people.lookup import patient_record
from care.people.privacy import ForgetOutcome, export_patient, forget_patient

log = logging.getLogger(__name__)


def _no_such_patient(patient_id: int) -> str:
    return f"There is no patient #{patient_id}. Check the number and try again."


@admin_only
async def forget(update: Update, context: CareContext) -> None:
    """Ask the admin to confirm erasing a patient's personal data."""
    assert update.effective_message is not None
    patient_id = await record_id_or_ask(
        update.effective_message,
        context.args,
        "Whose data should be erased? Send /forget followed by the patient's number, "
        "e.g. /forget 12",
    )
    if patient_id is None:
        return
    patient = await context.services.db.run(patient_record, patient_id)
    if patient is None:
        await update.effective_message.reply_text(_no_such_patient(patient_id))
        return
    if patient.status is PatientStatus.ERASED:
        await update.effective_message.reply_text(f"Patient #{patient_id} is already erased.")
        return
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    f"Erase patient #{patient_id}",
                    callback_data=_forget(patient_id, erase=True),
                ),
                InlineKeyboardButton(
                    "Keep",
                    callback_data=_forget(patient_id, erase=False),
                ),
            ]
        ]
    )
    await update.effective_message.reply_text(
        f"Erase the personal data of {patient.full_name} (patient #{patient_id})?\n"
        "Their name, phone, Telegram link, treatment areas, answers and alerts are removed and "
        "their pending messages cancelled. Appointment times and message history stay, "
        "anonymous. "
        "This cannot be undone.",
        reply_markup=buttons,
    )


@admin_only
async def forget_confirmed(update: Update, context: CareContext) -> None:
    """The admin's answer to the /forget question."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    button = forget_buttons.decode(query.data)
    if button is None:
        await replace_message(query, "This button is no longer valid; nothing was changed.")
        return
    patient_id = button.patient_id
    if not button.erase:
        await replace_message(query, f"Nothing was erased; patient #{patient_id} is kept.")
        return
    services = context.services
    result = await services.db.run(
        forget_patient, patient_id, actor=actor(update), now=services.clock.now()
    )
    if result.outcome is ForgetOutcome.NOT_FOUND:
        text = _no_such_patient(patient_id)
    elif result.outcome is ForgetOutcome.ALREADY_ERASED:
        text = f"Patient #{patient_id} was already erased; nothing changed."
    else:
        log.info("patient %d erased", patient_id)
        text = (
            f"Patient #{patient_id}'s personal data is erased; "
            f"{result.cancelled} pending message(s) cancelled."
        )
    await replace_message(query, text)


def _forget(patient_id: int, *, erase: bool) -> str:
    return forget_buttons.encode(ForgetButton(patient_id, erase=erase))


@admin_only
async def export(update: Update, context: CareContext) -> None:
    """Send the admin everything stored about one patient, as a JSON file."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    if chat.type != chat.PRIVATE:
        await message.reply_text("For privacy, use /export_patient in a private chat with me.")
        return
    patient_id = await record_id_or_ask(
        message,
        context.args,
        "Whose data? Send /export_patient followed by the patient's number, "
        "e.g. /export_patient 12",
    )
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
        await message.reply_text(_no_such_patient(patient_id))
        return
    content = json.dumps(record, ensure_ascii=False, indent=2).encode("utf-8")
    log.info("patient %d exported", patient_id)
    await message.reply_document(
        InputFile(content, filename=f"patient-{patient_id}.json"),
        caption=f"Everything stored about patient #{patient_id} (JSON, UTF-8).",
    )
