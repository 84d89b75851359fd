"""Acting on a patient's record from the desk: every action is asked, confirmed, then done.

Buttons on the card lead here, and so do /reschedule, /cancel_appt, /noshow, /add_session and
/done. Each request is checked against the record as it stands when it is asked and again when
it is confirmed; a refused request changes nothing and says why. /done is the card's Done
without the question (the command is the decision), through the same path and wording.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.common.access import actor, is_staff, role_of, staff_only
from bot.common.record_ids import parse_record_id
from bot.common.replace import replace_message
from bot.common.staff_language import staff_voice
from bot.common.staff_voice import Voice
from bot.desk import awaiting, merge_search
from bot.desk import buttons as desk_buttons
from bot.desk.buttons import TIMED, ButtonKind
from bot.desk.card import render_card, show_card, show_session_menu, viewer_is_admin
from bot.desk.card_view import back_keyboard, confirm_keyboard
from bot.desk.notice import staff_note, tell_patient
from bot.desk.texts import ask_for_time, outcome, question, refusal
from bot.services import CareContext
from care.core.dates import DateInputError, local_instant, parse_date, parse_time
from care.desk.actions import Action, ActionResult, Request, check, perform, request_on

log = logging.getLogger(__name__)

ANSWER_LIMIT = 200  # characters Telegram shows in a button's pop-up answer
_USAGE = {
    Action.RESCHEDULE: "desk.usage_reschedule",
    Action.CANCEL: "desk.usage_cancel",
    Action.NO_SHOW: "desk.usage_no_show",
    Action.ADD_SESSION: "desk.usage_add_session",
    Action.DONE: "desk.usage_done",
}


@staff_only
async def press_button(update: Update, context: CareContext) -> None:
    """Every desk button: its data is read strictly, then the record is re-read."""
    query = update.callback_query
    assert query is not None
    button = desk_buttons.decode(query.data or "")
    if button is None:
        log.info("refused a malformed desk button")
        voice = await staff_voice(update, context)
        await query.answer(voice("desk.invalid_button"), show_alert=True)
        return
    if button.kind is ButtonKind.SESSION_MENU:
        assert button.appointment_id is not None
        await show_session_menu(update, context, button.patient_id, button.appointment_id)
        return
    if button.kind in (ButtonKind.CARD, ButtonKind.CARD_IN_PLACE):
        await query.answer()
        await show_card(update, context, button.patient_id, new=button.kind is ButtonKind.CARD)
        return
    assert button.request is not None
    if button.kind is ButtonKind.ASK:
        await _ask(update, context, button.request)
    else:
        await _confirm(update, context, button.request)


async def _ask(update: Update, context: CareContext, request: Request) -> None:
    """An action was chosen on the card: ask for its time, or ask for confirmation."""
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    services = context.services
    now = services.clock.now()
    awaiting.forget(context.user_data)
    merge_search.forget(context.user_data)
    found = await services.db.run(check, request, now)
    voice = await staff_voice(update, context)
    if not found.ok:
        await _refuse(update, context, voice, request, refusal(voice, request, found))
        return
    await query.answer()
    if request.action in TIMED and request.starts_at is None:
        asked = awaiting.Awaiting(request, update.effective_chat.id, now)
        awaiting.expect_time(context.user_data, asked)
        text = ask_for_time(voice, request, found)
        await replace_message(update.callback_query, text, back_keyboard(voice, request.patient_id))
        return
    await replace_message(
        update.callback_query, question(voice, request, found), confirm_keyboard(voice, request)
    )


async def _confirm(update: Update, context: CareContext, request: Request) -> None:
    """Confirmed: carry it out (if the record still allows it) and show the card again."""
    query = update.callback_query
    assert query is not None
    services = context.services
    now = services.clock.now()
    voice = await staff_voice(update, context)
    result = await services.db.run(
        perform, request, plan=services.plan, actor=actor(update), now=now
    )
    if not result.ok:
        log.info("refused %s on patient %d: %s", request.action, request.patient_id, result.refusal)
        await _refuse(update, context, voice, request, refusal(voice, request, result))
        return
    await query.answer()
    banner = await _carried_out(context, voice, request, result, now)
    admin = await viewer_is_admin(update, context)
    text, markup = await render_card(context, voice, request.patient_id, banner=banner, admin=admin)
    await replace_message(update.callback_query, text, markup)


async def _carried_out(
    context: CareContext, voice: Voice, request: Request, result: ActionResult, now: datetime
) -> str:
    """After a change: wake the sender, tell the patient if it concerns them, and say so."""
    log.info("%s done on patient %d", request.action, request.patient_id)
    context.services.schedule_changed()
    told = await tell_patient(context.services, request.action, result, now)
    return f"{outcome(voice, request, result)} {staff_note(voice, request.action, told)}".strip()


async def _refuse(
    update: Update, context: CareContext, voice: Voice, request: Request, reason: str
) -> None:
    """Say why in a pop-up, and show the card as it stands under the reason."""
    query = update.callback_query
    assert query is not None
    await query.answer(reason[:ANSWER_LIMIT], show_alert=True)
    admin = await viewer_is_admin(update, context)
    text, markup = await render_card(context, voice, request.patient_id, banner=reason, admin=admin)
    await replace_message(update.callback_query, text, markup)


async def take_typed_time(update: Update, context: CareContext) -> None:
    """Runs before the other text handlers: when this staff member was asked for a date and
    time, their next text is it; otherwise the text goes on to the other handlers."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None or not message.text:
        return
    services = context.services
    now = services.clock.now()
    request = awaiting.awaited(context.user_data, chat.id, now)
    if request is None:
        return
    if not is_staff(await role_of(update, context)):
        awaiting.forget(context.user_data)
        return
    voice = await staff_voice(update, context)
    try:
        starts = _typed_start(message.text, services.settings.timezone, now)
    except DateInputError as error:
        await message.reply_text(voice("desk.or_back", problem=voice.problem(error)))
        raise ApplicationHandlerStop from None
    awaiting.forget(context.user_data)
    await _propose(update, context, replace(request, starts_at=starts))
    raise ApplicationHandlerStop


async def _propose(update: Update, context: CareContext, request: Request) -> None:
    """Answer a typed request with its confirmation question, or why it cannot be done."""
    assert update.effective_message is not None
    services = context.services
    voice = await staff_voice(update, context)
    found = await services.db.run(check, request, services.clock.now())
    if not found.ok:
        await update.effective_message.reply_text(refusal(voice, request, found))
        return
    await update.effective_message.reply_text(
        question(voice, request, found), reply_markup=confirm_keyboard(voice, request)
    )


@staff_only
async def reschedule(update: Update, context: CareContext) -> None:
    """/reschedule <appointment> <date> <time>"""
    await _on_appointment(update, context, Action.RESCHEDULE, timed=True)


@staff_only
async def cancel_appointment(update: Update, context: CareContext) -> None:
    """/cancel_appt <appointment>"""
    await _on_appointment(update, context, Action.CANCEL, timed=False)


@staff_only
async def no_show(update: Update, context: CareContext) -> None:
    """/noshow <appointment>"""
    await _on_appointment(update, context, Action.NO_SHOW, timed=False)


@staff_only
async def done(update: Update, context: CareContext) -> None:
    """/done <appointment>: post-care goes out at once."""
    await _on_appointment(update, context, Action.DONE, timed=False)


@staff_only
async def add_session(update: Update, context: CareContext) -> None:
    """/add_session <patient> <date> <time>"""
    assert update.effective_message is not None
    args = context.args or []
    voice = await staff_voice(update, context)
    patient_id = parse_record_id(args[:1]) if len(args) >= 3 else None
    if patient_id is None:
        await update.effective_message.reply_text(voice(_USAGE[Action.ADD_SESSION]))
        return
    services = context.services
    try:
        starts = _typed_start(" ".join(args[1:]), services.settings.timezone, services.clock.now())
    except DateInputError as error:
        await update.effective_message.reply_text(voice.problem(error))
        return
    await _propose(update, context, Request(Action.ADD_SESSION, patient_id, starts_at=starts))


async def _on_appointment(
    update: Update, context: CareContext, chosen: Action, *, timed: bool
) -> None:
    assert update.effective_message is not None
    args = context.args or []
    voice = await staff_voice(update, context)
    fits = len(args) >= 3 if timed else len(args) == 1
    appointment_id = parse_record_id(args[:1]) if fits else None
    if appointment_id is None:
        await update.effective_message.reply_text(voice(_USAGE[chosen]))
        return
    services = context.services
    starts = None
    if timed:
        try:
            starts = _typed_start(
                " ".join(args[1:]), services.settings.timezone, services.clock.now()
            )
        except DateInputError as error:
            await update.effective_message.reply_text(voice.problem(error))
            return
    request = await services.db.run(request_on, chosen, appointment_id, starts_at=starts)
    if request is None:
        await update.effective_message.reply_text(
            voice("desk.no_appointment_check", appointment_id=appointment_id)
        )
        return
    if chosen is Action.DONE:
        await _done_now(update, context, voice, request)
        return
    await _propose(update, context, request)


async def _done_now(update: Update, context: CareContext, voice: Voice, request: Request) -> None:
    assert update.effective_message is not None
    services = context.services
    now = services.clock.now()
    result = await services.db.run(
        perform, request, plan=services.plan, actor=actor(update), now=now
    )
    if not result.ok:
        await update.effective_message.reply_text(refusal(voice, request, result))
        return
    await update.effective_message.reply_text(
        await _carried_out(context, voice, request, result, now)
    )


def _typed_start(text: str, tz: ZoneInfo, now: datetime) -> datetime:
    """A date and a time typed at the desk, the time last: a Solar Hijri day and month by name
    ("29 Azar 15:00", in Persian too; the year optional), "2026-12-20 15:00" or
    "1405-09-29 15:00"."""
    *day, at = text.split() or [""]
    if not day:
        raise DateInputError("date_then_time")
    return local_instant(parse_date(" ".join(day), now.astimezone(tz).date()), parse_time(at), tz)
