"""/patient and the patient card: find a patient, show their card, open a session's menu."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot import awaiting, desk_buttons
from bot.access import staff_only
from bot.card_view import MESSAGE_LIMIT, card_keyboard, card_text, session_keyboard, session_title
from bot.desk_text import who
from bot.services import CareContext
from care.card import patient_card
from care.db import appointments, patients
from care.models import AppointmentStatus
from care.patient_search import find_patients

log = logging.getLogger(__name__)

USAGE = (
    "Which patient? Send /patient followed by their number, part of their name or their "
    "phone, e.g. /patient 12, /patient sara or /patient 4567"
)
LIST_LIMIT = 8


@staff_only
async def find_patient(update: Update, context: CareContext) -> None:
    """Show the card of the one patient the query names, or a list to choose from."""
    assert update.effective_message is not None
    query = " ".join(context.args or []).strip()
    if not query:
        await update.effective_message.reply_text(USAGE)
        return
    found = await context.services.db.run(find_patients, query, limit=LIST_LIMIT)
    if found.total == 0:
        await update.effective_message.reply_text(
            f"No patient matches “{query[:40]}”. Try the patient number, another part of the "
            "name, or the last digits of the phone number."
        )
        return
    if found.total == 1:
        text, markup = await render_card(context, found.patients[0].id)
        await update.effective_message.reply_text(text, reply_markup=markup)
        return
    more = found.total - len(found.patients)
    text = f"{found.total} patients match “{query[:40]}”; choose one:"
    if more:
        text += f"\n({more} more not shown: type more of the name to narrow it down.)"
    buttons = [
        [InlineKeyboardButton(f"#{p.id} {p.full_name}", callback_data=desk_buttons.card(p.id))]
        for p in found.patients
    ]
    await update.effective_message.reply_text(text, reply_markup=InlineKeyboardMarkup(buttons))


async def render_card(
    context: CareContext, patient_id: int, *, banner: str = ""
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The card's text (after `banner`, if any) and its buttons."""
    services = context.services
    tz = services.settings.timezone
    card = await services.db.run(patient_card, patient_id, services.clock.now())
    if card is None:
        return f"{banner}\n\nThere is no patient #{patient_id}.".strip(), None
    room = MESSAGE_LIMIT - (len(banner) + 2 if banner else 0)
    text = card_text(card, tz=tz, answer_label=lambda key: _answer_label(context, key), limit=room)
    return (f"{banner}\n\n{text}" if banner else text), card_keyboard(card, tz)


def _answer_label(context: CareContext, answer: str) -> str:
    catalog = context.services.catalog
    key = f"answers.{answer}"
    return catalog.text("en", key) if catalog.has("en", key) else answer


async def show_card(update: Update, context: CareContext, patient_id: int, *, new: bool) -> None:
    """The card in a new message (from an alert or a list) or in place of the pressed one."""
    query = update.callback_query
    assert query is not None
    awaiting.forget(context.user_data)
    text, markup = await render_card(context, patient_id)
    if new:
        assert update.effective_chat is not None
        await context.bot.send_message(update.effective_chat.id, text, reply_markup=markup)
    else:
        await replace_message(update, text, markup)


async def replace_message(update: Update, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """Show `text` in place of the message whose button was pressed. Pressing a button twice
    may ask for the very same text, which Telegram refuses as "not modified": that is fine."""
    query = update.callback_query
    assert query is not None
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as error:
        if "not modified" not in error.message.lower():
            raise


async def show_session_menu(
    update: Update, context: CareContext, patient_id: int, appointment_id: int
) -> None:
    """The actions on one booked session, in place of the card."""
    query = update.callback_query
    assert query is not None
    services = context.services
    appointment = await services.db.run(appointments.get, appointment_id)
    if appointment is None or appointment.patient_id != patient_id:
        await query.answer("This button does not match a session of this patient.", show_alert=True)
        return
    if appointment.status is not AppointmentStatus.BOOKED:
        await query.answer(f"Appointment #{appointment_id} is no longer booked.")
        text, markup = await render_card(
            context,
            patient_id,
            banner=f"Appointment #{appointment_id} is no longer booked.",
        )
        await replace_message(update, text, markup)
        return
    await query.answer()
    patient = await services.db.run(patients.get, patient_id)
    title = session_title(appointment, services.settings.timezone)
    await replace_message(
        update,
        f"{who(patient)}\n🗓 {title}\n\nWhat should be done with this session?",
        session_keyboard(patient_id, appointment_id),
    )
