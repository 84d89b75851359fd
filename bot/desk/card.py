"""/patient and the patient card: find a patient, show their card, open a session's menu."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.common.access import Role, role_of, staff_only
from bot.common.replace import replace_message
from bot.common.staff_language import staff_voice
from bot.common.staff_voice import Voice
from bot.desk import awaiting, merge_search
from bot.desk import buttons as desk_buttons
from bot.desk.card_view import (
    MESSAGE_LIMIT,
    card_keyboard,
    card_text,
    session_keyboard,
    session_title,
)
from bot.desk.reschedule_view import offer_rows, offer_text
from bot.desk.texts import who
from bot.services import CareContext
from care.alerts.posts import closing_notes
from care.core.clock import from_epoch
from care.core.models import AppointmentStatus
from care.desk.card import patient_card
from care.desk.reschedule_offers import offers_for
from care.people.lookup import appointment_record, patient_record
from care.people.search import find_patients
from care.people.successor import kept_record

log = logging.getLogger(__name__)

LIST_LIMIT = 8


@staff_only
async def find_patient(update: Update, context: CareContext) -> None:
    """Show the card of the one patient the query names, or a list to choose from."""
    assert update.effective_message is not None
    voice = await staff_voice(update, context)
    query = " ".join(context.args or []).strip()
    if not query:
        await update.effective_message.reply_text(voice("desk.patient_usage"))
        return
    found = await context.services.db.run(find_patients, query, limit=LIST_LIMIT)
    if found.total == 0:
        await update.effective_message.reply_text(voice("desk.no_match", query=query[:40]))
        return
    if found.total == 1:
        admin = await viewer_is_admin(update, context)
        # A number merged away: render_card shows the record it went to, saying so.
        shown = found.merged_from or found.patients[0].id
        text, markup = await render_card(context, voice, shown, admin=admin)
        await update.effective_message.reply_text(text, reply_markup=markup)
        return
    more = found.total - len(found.patients)
    text = voice("desk.matches", total=found.total, query=query[:40])
    if more:
        text += "\n" + voice("desk.more_matches", more=more)
    buttons = [
        [
            InlineKeyboardButton(
                f"#{voice.digits(str(p.id))} {p.full_name}", callback_data=desk_buttons.card(p.id)
            )
        ]
        for p in found.patients
    ]
    await update.effective_message.reply_text(text, reply_markup=InlineKeyboardMarkup(buttons))


async def viewer_is_admin(update: Update, context: CareContext) -> bool:
    """Whether the card is shown to an admin, who gets the admin's buttons on it too."""
    return await role_of(update, context) is Role.ADMIN


async def render_card(
    context: CareContext, voice: Voice, patient_id: int, *, banner: str = "", admin: bool = False
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The card's text (after `banner`, if any) and its buttons (an admin's, for `admin`); for
    a record merged into another, that one's card with a note."""
    services = context.services
    card = await services.db.run(patient_card, patient_id, services.clock.now())
    if card is None:
        kept = await services.db.run(kept_record, patient_id)
        if kept is not None:  # merged away: the record it went to, saying so
            note = voice("merge.merged_note", patient_id=patient_id, into_id=kept)
            banner = f"{banner}\n\n{note}" if banner else note
            return await render_card(context, voice, kept, banner=banner, admin=admin)
        missing = voice("desk.no_patient", patient_id=patient_id)
        return (f"{banner}\n\n{missing}" if banner else missing), None
    notes = await card_notes(context, voice, patient_id)
    offers = await services.db.run(
        offers_for,
        patient_id,
        working=services.settings.working_time,
        now=services.clock.now(),
    )
    requests = offer_text(voice, offers)
    notes = f"{requests}\n\n{notes}" if requests and notes else requests or notes
    room = MESSAGE_LIMIT - (len(banner) + 2 if banner else 0) - (len(notes) + 2 if notes else 0)
    text = card_text(card, voice, limit=room)
    text = f"{text}\n\n{notes}" if notes else text
    markup = card_keyboard(card, voice, admin=admin)
    if markup is not None and offers:
        rows = offer_rows(voice, patient_id, offers) + [list(row) for row in markup.inline_keyboard]
        markup = InlineKeyboardMarkup(rows)
    return (f"{banner}\n\n{text}" if banner else text), markup


async def card_notes(context: CareContext, voice: Voice, patient_id: int) -> str:
    """The notes staff left when closing the patient's alerts (bot/relay/ownership.py)."""
    closed = await context.services.db.run(closing_notes, patient_id)
    return "\n".join(
        voice(
            "ownership.card_note",
            at=from_epoch(alert.closed_at or alert.created_at),
            staff_name=alert.owner_name or "",
            note=alert.note or "",
        )
        for alert in closed
    )


async def show_card(update: Update, context: CareContext, patient_id: int, *, new: bool) -> None:
    """The card in a new message (from an alert or a list) or in place of the pressed one."""
    query = update.callback_query
    assert query is not None
    awaiting.forget(context.user_data)
    merge_search.forget(context.user_data)
    voice = await staff_voice(update, context)
    admin = await viewer_is_admin(update, context)
    text, markup = await render_card(context, voice, patient_id, admin=admin)
    if new:
        assert update.effective_chat is not None
        await context.bot.send_message(update.effective_chat.id, text, reply_markup=markup)
    else:
        await replace_message(update.callback_query, text, markup)


async def show_session_menu(
    update: Update, context: CareContext, patient_id: int, appointment_id: int
) -> None:
    """The actions on one booked session, in place of the card."""
    query = update.callback_query
    assert query is not None
    services = context.services
    voice = await staff_voice(update, context)
    appointment = await services.db.run(appointment_record, appointment_id)
    if appointment is None or appointment.patient_id != patient_id:
        await query.answer(voice("desk.session_mismatch"), show_alert=True)
        return
    if appointment.status is not AppointmentStatus.BOOKED:
        gone = voice("desk.no_longer_booked", appointment_id=appointment_id)
        await query.answer(gone)
        admin = await viewer_is_admin(update, context)
        text, markup = await render_card(context, voice, patient_id, banner=gone, admin=admin)
        await replace_message(update.callback_query, text, markup)
        return
    await query.answer()
    patient = await services.db.run(patient_record, patient_id)
    title = session_title(appointment, voice)
    await replace_message(
        query,
        voice("desk.session_menu", who=who(voice, patient), title=title),
        session_keyboard(voice, patient_id, appointment_id),
    )
