"""I need another time: the patient ticks days and parts of the day under one message, then
Send; staff get one alert with the choices (care/answers/reschedule.py).

Opened by the `another_time` answer under a care message (pre-care, day-of); the picker's own
buttons are read by bot/patient/reschedule_buttons.py. Every press is checked on the server:
someone else's message, a session that is past, cancelled or moved, a picker from an earlier
day, or a forged button gets a polite answer and changes nothing.
"""

from __future__ import annotations

import logging
from datetime import date

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from bot.common.access import linked_patient
from bot.common.patient_view import answer_reply, say
from bot.common.replace import replace_message
from bot.patient.answers import chosen
from bot.patient.common import set_buttons, tell
from bot.patient.reschedule_buttons import Picker, Press, decode, encode
from bot.services import CareContext, Services
from care.answers import codec
from care.answers.reschedule import (
    ANOTHER_TIME,
    RequestOutcome,
    RequestResult,
    may_ask,
    send,
)
from care.core.dates import format_date, format_time
from care.schedule.day_parts import PARTS, Choice, DayPart, offered_days, offered_parts, part_window

log = logging.getLogger(__name__)

PATTERN = rf"^ans:[0-9]{{1,12}}:{ANOTHER_TIME}$"  # the answer that opens the picker
TICK = "✓"
DAYS_PER_ROW = 2
_REFUSALS = {
    RequestOutcome.ALREADY_ANSWERED: "patient.already_answered",
    RequestOutcome.PAST: "reschedule.past",
    RequestOutcome.CANCELLED: "reschedule.cancelled",
    RequestOutcome.MOVED: "reschedule.moved",
    RequestOutcome.REFUSED: "patient.button_stale",
}


async def open_picker(update: Update, context: CareContext) -> None:
    """`another_time` under a care message: the picker in a new message, if the session may
    still be moved; otherwise why not."""
    query = update.callback_query
    assert query is not None and query.from_user is not None
    await query.answer()
    services = context.services
    button = codec.decode(query.data or "")
    if button is None:
        await _refuse(update, context, RequestResult(RequestOutcome.REFUSED), query=None)
        return
    result = await _may_ask(update, context, button.message_id)
    if result.outcome is not RequestOutcome.MAY_ASK:
        stale = result.outcome in (RequestOutcome.CANCELLED, RequestOutcome.MOVED)
        await _refuse(update, context, result, query=query if stale else None)
        return
    days = offered_days(services.settings.working_time, services.clock.now())
    chat_message = query.message.message_id if query.message is not None else 0
    picker = Picker(button.message_id, chat_message, days[0])
    text, markup = _picker(services, result, picker, days)
    await tell(update, context, text, markup)


async def press(update: Update, context: CareContext) -> None:
    """A tick, an untick, or Send under the picker."""
    query = update.callback_query
    assert query is not None and query.from_user is not None
    services = context.services
    decoded = decode(query.data or "")
    if decoded is None:
        await query.answer()
        log.info("refused a malformed reschedule button from user %d", query.from_user.id)
        await _refuse(update, context, RequestResult(RequestOutcome.REFUSED), query=None)
        return
    pressed, picker = decoded
    result = await _may_ask(update, context, picker.message_id)
    if result.outcome is not RequestOutcome.MAY_ASK:
        await query.answer()
        await _refuse(update, context, result, query=query)
        return
    now = services.clock.now()
    days = offered_days(services.settings.working_time, now)
    if picker.first_day != days[0] or picker.days >> len(days):
        await query.answer()
        await _fresh_picker(query, services, result, picker, days)
        return
    if pressed is Press.TOGGLE:
        await query.answer()
        await set_buttons(query, _keyboard(services, _lang(services, result), picker, days))
        return
    choices = _choices(services, picker, days)
    if not choices:
        await query.answer(
            say(services, _lang(services, result), "reschedule.pick_first"), show_alert=True
        )
        return
    await query.answer()
    await _send(update, context, query, picker, choices, days)


async def _send(
    update: Update,
    context: CareContext,
    query: CallbackQuery,
    picker: Picker,
    choices: list[Choice],
    days: list[date],
) -> None:
    services = context.services
    assert query.from_user is not None
    now = services.clock.now()
    result = await services.db.run(
        send,
        picker.message_id,
        choices,
        chat_id=query.from_user.id,
        protocol=services.plan.protocol,
        working=services.settings.working_time,
        now=now,
        channel=context.channel,
    )
    if result.outcome is RequestOutcome.OUTDATED:
        await _fresh_picker(query, services, result, picker, days)
        return
    if result.outcome not in (RequestOutcome.SENT, RequestOutcome.REPLACED):
        await _refuse(update, context, result, query=query)
        return
    assert result.patient is not None and result.appointment is not None
    log.info(
        "patient %d asked for another time for appointment %d (%d choices)",
        result.patient.id,
        result.appointment.id,
        len(choices),
    )
    services.alert_raised()
    lang = result.patient.language
    key = "reschedule.replaced" if result.outcome is RequestOutcome.REPLACED else "reschedule.sent"
    told = services.catalog.text(lang, key, choices=_choice_list(services, lang, choices))
    await replace_message(query, f"{told}\n\n{answer_reply(services, lang, ANOTHER_TIME, now)}")
    await _tick_care_message(update, context, picker, lang)


async def _tick_care_message(
    update: Update, context: CareContext, picker: Picker, lang: str
) -> None:
    """Under the care message, only "I need another time" stays, ticked, as after any answer."""
    chat = update.effective_chat
    if chat is None or not picker.chat_message_id:
        return
    button = codec.AnswerButton(picker.message_id, ANOTHER_TIME)
    try:
        await context.bot.edit_message_reply_markup(
            chat.id, picker.chat_message_id, reply_markup=chosen(context.services, lang, button)
        )
    except TelegramError as error:
        log.info("could not tick the answer under a care message: %s", error.message)


async def _may_ask(update: Update, context: CareContext, message_id: int) -> RequestResult:
    query = update.callback_query
    assert query is not None and query.from_user is not None
    services = context.services
    return await services.db.run(
        may_ask,
        message_id,
        chat_id=query.from_user.id,
        protocol=services.plan.protocol,
        now=services.clock.now(),
        channel=context.channel,
    )


async def _refuse(
    update: Update,
    context: CareContext,
    result: RequestResult,
    *,
    query: CallbackQuery | None,
) -> None:
    """Say why nothing happened; with `query`, the buttons it was pressed under go too."""
    services = context.services
    patient = result.patient or await linked_patient(update, context)
    lang = patient.language if patient is not None else services.settings.default_language
    if query is not None:
        await set_buttons(query, None)
    key = _REFUSALS.get(result.outcome, "patient.button_stale")
    await tell(update, context, say(services, lang, key))


async def _fresh_picker(
    query: CallbackQuery,
    services: Services,
    result: RequestResult,
    picker: Picker,
    days: list[date],
) -> None:
    """The days on offer moved on since the picker was sent: the same picker, cleared, from
    today's days, under a line saying so."""
    fresh = Picker(picker.message_id, picker.chat_message_id, days[0])
    text, markup = _picker(services, result, fresh, days)
    outdated = say(services, _lang(services, result), "reschedule.outdated")
    await replace_message(query, f"{outdated}\n\n{text}", markup)


def _picker(
    services: Services, result: RequestResult, picker: Picker, days: list[date]
) -> tuple[str, InlineKeyboardMarkup]:
    assert result.appointment is not None
    lang = _lang(services, result)
    hours = services.settings.working_time.hours
    lines = []
    for part in offered_parts(hours):
        window = part_window(part, hours)
        assert window is not None
        lines.append(
            services.catalog.text(
                lang,
                "reschedule.hours",
                part=_part_name(services, lang, part),
                begins=format_time(window[0], lang),
                ends=format_time(window[1], lang),
            )
        )
    local = result.appointment.starts_at.astimezone(services.settings.timezone)
    text = services.catalog.text(
        lang,
        "reschedule.ask",
        appointment_date=format_date(local.date(), lang),
        appointment_time=format_time(local.time(), lang),
        hours="\n".join(lines),
    )
    return text, _keyboard(services, lang, picker, days)


def _keyboard(
    services: Services, lang: str, picker: Picker, days: list[date]
) -> InlineKeyboardMarkup:
    """The parts of the day in one row, the days two by two, then Send; a Persian row reads
    from the right, so its first button goes there."""
    offered = offered_parts(services.settings.working_time.hours)
    parts = [
        _button(
            _ticked(picker.part_ticked(index), _part_name(services, lang, part)),
            encode(Press.TOGGLE, picker.with_part(index)),
        )
        for index, part in enumerate(PARTS)
        if part in offered
    ]
    day_buttons = [
        _button(
            _ticked(picker.day_ticked(index), _short_date(day, lang)),
            encode(Press.TOGGLE, picker.with_day(index)),
        )
        for index, day in enumerate(days)
    ]
    rows = [parts] + [
        day_buttons[i : i + DAYS_PER_ROW] for i in range(0, len(day_buttons), DAYS_PER_ROW)
    ]
    if lang == "fa":
        rows = [row[::-1] for row in rows]
    rows.append([_button(say(services, lang, "reschedule.send"), encode(Press.SEND, picker))])
    return InlineKeyboardMarkup(rows)


def _choices(services: Services, picker: Picker, days: list[date]) -> list[Choice]:
    """Every ticked day with every ticked part of the day."""
    return [
        Choice(day, part)
        for day_index, day in enumerate(days)
        if picker.day_ticked(day_index)
        for part_index, part in enumerate(PARTS)
        if picker.part_ticked(part_index)
    ]


def _choice_list(services: Services, lang: str, choices: list[Choice]) -> str:
    shown = [
        services.catalog.text(
            lang,
            "reschedule.choice",
            day=_short_date(choice.day, lang),
            part=_part_name(services, lang, choice.part),
        )
        for choice in choices
    ]
    joined = shown[0]
    for item in shown[1:]:
        joined = services.catalog.text(lang, "reschedule.pair", first=joined, second=item)
    return joined


def _lang(services: Services, result: RequestResult) -> str:
    return result.patient.language if result.patient else services.settings.default_language


def _part_name(services: Services, lang: str, part: DayPart) -> str:
    return services.catalog.text(lang, f"reschedule.part_{part.value}")


def _short_date(day: date, lang: str) -> str:
    """The weekday, day and month, without the year ("Sat 12 Dec"; Solar Hijri in Persian)."""
    return format_date(day, lang).rsplit(" ", 1)[0]


def _ticked(ticked: bool, label: str) -> str:
    return f"{TICK} {label}" if ticked else label


def _button(label: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data)
