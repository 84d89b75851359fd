"""/enrol alone, in a private chat: a guided conversation, one question at a time, then a summary.

Nothing is stored until Confirm. /cancel, the Cancel button or ENROL_TIMEOUT of silence drop the
draft. Every button carries the conversation's nonce, so a button left over from an earlier
enrolment gets an honest answer instead of changing this one.
"""

from __future__ import annotations

import logging
import secrets
import warnings
from dataclasses import dataclass
from datetime import timedelta

from telegram import CallbackQuery, Message, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.common.access import staff_only
from bot.common.replace import replace_message
from bot.common.staff_language import staff_voice
from bot.enrol import buttons
from bot.enrol.announce import enrol_and_announce
from bot.enrol.buttons import EnrolButton, decode, pattern_for
from bot.enrol.questions import (
    BACK,
    CANCEL,
    CHANGE,
    CONFIRM,
    EDIT,
    EDIT_FIELDS,
    SUMMARY,
    chosen_label,
    closed_day_note,
    edit_label,
    question,
)
from bot.enrol.returning import offer
from bot.services import CareContext
from care.people.enrol_draft import (
    EnrolDraft,
    Field,
    answer_picked,
    answer_typed,
    check_draft_start,
)
from care.people.enrol_input import EnrolInputError
from care.people.returning import same_person

log = logging.getLogger(__name__)

# The conversation's states: one for each question, then the summary and the choice of what to
# edit. Each is named by the field it asks for, which is also the field in its buttons' data.
NAME, DAY, TIME, AREA, SESSIONS, INTERVAL, PHONE, LANGUAGE = tuple(Field)
SUMMARY_SHOWN, EDITING = SUMMARY, EDIT

ENROL_TIMEOUT = timedelta(minutes=15)
_FOLLOWING: dict[str, str] = {
    NAME: DAY,
    DAY: TIME,
    TIME: AREA,
    AREA: SESSIONS,
    SESSIONS: PHONE,  # INTERVAL comes between when the course has more than one session
    INTERVAL: PHONE,
    PHONE: LANGUAGE,
    LANGUAGE: SUMMARY_SHOWN,
}
_KEY = "guided_enrolment"
USE_BUTTONS = "problems.use_buttons"


@dataclass
class _Session:
    draft: EnrolDraft
    asking: str = NAME
    reviewed: bool = False  # the summary was shown: from then on each answer returns to it


def enrol_conversation() -> ConversationHandler[CareContext]:
    """The guided /enrol, per staff member in their private chat."""
    # New messages only: an edit of an earlier answer is not an answer to the current question.
    typed: BaseHandler[Update, CareContext, object] = MessageHandler(
        filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND, enrol_typed
    )
    states: dict[object, list[BaseHandler[Update, CareContext, object]]] = {
        NAME: [typed],
        **{
            field: [CallbackQueryHandler(enrol_button, pattern=pattern_for(field)), typed]
            for field in (DAY, TIME, AREA, SESSIONS, INTERVAL, PHONE, LANGUAGE)
        },
        SUMMARY_SHOWN: [
            CallbackQueryHandler(enrol_summary_choice, pattern=pattern_for(SUMMARY)),
            typed,
        ],
        EDITING: [CallbackQueryHandler(enrol_edit_choice, pattern=pattern_for(EDIT)), typed],
        ConversationHandler.TIMEOUT: [TypeHandler(Update, enrol_timed_out)],
    }
    with warnings.catch_warnings():
        # PTB warns that button presses are tracked per chat and user, not per message. That
        # is what we want: the nonce in each button tells this conversation's buttons apart.
        warnings.filterwarnings("ignore", "If 'per_message=False'", PTBUserWarning)
        return ConversationHandler(
            entry_points=[
                CommandHandler(
                    ["enrol", "enroll"],
                    enrol_start,
                    filters.ChatType.PRIVATE & filters.Regex(r"^/enroll?(@\w+)?\s*$"),
                )
            ],
            states=states,
            fallbacks=[
                CommandHandler("cancel", enrol_cancel),
                CallbackQueryHandler(enrol_button_out_of_turn, pattern=buttons.PATTERN),
                MessageHandler(filters.UpdateType.MESSAGE & ~filters.COMMAND, enrol_unusable),
            ],
            allow_reentry=True,
            conversation_timeout=ENROL_TIMEOUT,
            name="guided_enrol",
        )


@staff_only
async def enrol_start(update: Update, context: CareContext) -> str:
    """Start a new draft (dropping any unfinished one) and ask for the name."""
    assert context.user_data is not None
    draft = EnrolDraft(
        nonce=secrets.token_hex(3), language=context.services.settings.default_language
    )
    session = _Session(draft)
    context.user_data[_KEY] = session
    log.info("guided enrolment started by user %s", _user_id(update))
    return await _ask(update, context, session, NAME)


@staff_only
async def enrol_typed(update: Update, context: CareContext) -> str | int:
    """A typed answer to the question being asked."""
    session = _session(context)
    if session is None:
        return await _lost(update, context)
    assert update.effective_message is not None
    voice = await staff_voice(update, context)
    if session.asking in (SUMMARY_SHOWN, EDITING):
        return await _ask(update, context, session, session.asking, problem=voice(USE_BUTTONS))
    services = context.services
    try:
        answer_typed(
            session.draft,
            Field(session.asking),
            update.effective_message.text or "",
            now=services.clock.now(),
            tz=services.settings.timezone,
        )
    except EnrolInputError as error:
        return await _ask(update, context, session, session.asking, problem=voice.problem(error))
    return await _proceed(update, context, session)


@staff_only
async def enrol_button(update: Update, context: CareContext) -> str | None:
    """A button answering the question being asked."""
    taken = await _take_button(update, context)
    if taken is None:
        return None
    session, button = taken
    services = context.services
    voice = await staff_voice(update, context)
    try:
        answer_picked(
            session.draft,
            Field(session.asking),
            button.value,
            now=services.clock.now(),
            tz=services.settings.timezone,
        )
    except EnrolInputError as error:
        return await _ask(update, context, session, session.asking, problem=voice.problem(error))
    await _mark_chosen(update, chosen_label(Field(session.asking), session.draft, voice))
    return await _proceed(update, context, session)


@staff_only
async def enrol_summary_choice(update: Update, context: CareContext) -> str | int | None:
    """Confirm, Edit or Cancel under the summary."""
    taken = await _take_button(update, context)
    if taken is None:
        return None
    session, button = taken
    voice = await staff_voice(update, context)
    if button.value == CONFIRM:
        return await _confirm(update, context, session)
    if button.value == CHANGE:
        await _mark_chosen(update, voice("enrol.chosen_edit"))
        return await _ask(update, context, session, EDITING)
    if button.value == CANCEL:
        await _mark_chosen(update, voice("enrol.chosen_cancel"))
        return await _drop(update, context)
    return await _ask(update, context, session, SUMMARY_SHOWN, problem=voice(USE_BUTTONS))


@staff_only
async def enrol_edit_choice(update: Update, context: CareContext) -> str | None:
    """Which answer to change; the summary comes back once it is answered again."""
    taken = await _take_button(update, context)
    if taken is None:
        return None
    session, button = taken
    voice = await staff_voice(update, context)
    if button.value == BACK:
        await _mark_chosen(update, voice("enrol.back_to_summary"))
        return await _ask(update, context, session, SUMMARY_SHOWN)
    if button.value not in EDIT_FIELDS:
        return await _ask(update, context, session, EDITING, problem=voice(USE_BUTTONS))
    await _mark_chosen(update, edit_label(voice, button.value))
    return await _ask(update, context, session, Field(button.value))


@staff_only
async def enrol_cancel(update: Update, context: CareContext) -> int:
    """/cancel: drop the draft; nothing was stored."""
    return await _drop(update, context)


async def _drop(update: Update, context: CareContext) -> int:
    assert update.effective_chat is not None
    if context.user_data is not None:
        context.user_data.pop(_KEY, None)
    log.info("guided enrolment cancelled by user %s", _user_id(update))
    voice = await staff_voice(update, context)
    await context.bot.send_message(update.effective_chat.id, voice("enrol.cancelled"))
    return ConversationHandler.END


async def enrol_timed_out(update: Update, context: CareContext) -> None:
    """No answer for ENROL_TIMEOUT: drop the draft and say so."""
    if context.user_data is not None:
        context.user_data.pop(_KEY, None)
    log.info("guided enrolment of user %s timed out", _user_id(update))
    if update.effective_chat is not None:
        minutes = int(ENROL_TIMEOUT.total_seconds() // 60)
        voice = await staff_voice(update, context)
        await context.bot.send_message(
            update.effective_chat.id, voice("enrol.timed_out", minutes=minutes)
        )


@staff_only
async def enrol_button_out_of_turn(update: Update, context: CareContext) -> None:
    """A button of this enrolment for a question already answered, or of an earlier one."""
    assert update.callback_query is not None
    button = decode(update.callback_query.data)
    session = _session(context)
    current = button is not None and session is not None and button.nonce == session.draft.nonce
    voice = await staff_voice(update, context)
    await update.callback_query.answer(
        voice("enrol.answered_button" if current else "enrol.earlier_button"), show_alert=True
    )


@staff_only
async def enrol_unusable(update: Update, context: CareContext) -> str | int:
    """A photo, sticker or the like in the middle of an enrolment: ask the question again."""
    session = _session(context)
    if session is None:
        return await _lost(update, context)
    voice = await staff_voice(update, context)
    return await _ask(update, context, session, session.asking, problem=voice("enrol.text_only"))


@staff_only
async def enrol_button_finished(update: Update, context: CareContext) -> None:
    """An enrolment button pressed when no enrolment is open (outside the conversation)."""
    assert update.callback_query is not None
    voice = await staff_voice(update, context)
    await update.callback_query.answer(voice("enrol.finished_button"), show_alert=True)


async def _confirm(update: Update, context: CareContext, session: _Session) -> str | int:
    asked = await _ask_time_if_passed(update, context, session)
    if asked is not None:
        return asked
    booking = session.draft.booking(context.services.settings.timezone)
    assert context.user_data is not None
    context.user_data.pop(_KEY, None)  # before enrolling: a second Confirm must find nothing
    await _mark_chosen(update, (await staff_voice(update, context))("enrol.chosen_confirmed"))
    known = await context.services.db.run(same_person, booking.full_name, booking.phone)
    if known is not None:
        await offer(update, context, booking, known)
    else:
        await enrol_and_announce(update, context, booking)
    return ConversationHandler.END


async def _proceed(update: Update, context: CareContext, session: _Session) -> str:
    """After an answer: the next question, or back to the summary once it has been shown."""
    answered = session.asking
    if (
        answered == DAY
        and (asked := await _ask_time_if_passed(update, context, session)) is not None
    ):
        return asked
    note = None
    if answered == DAY and session.draft.day is not None:
        voice = await staff_voice(update, context)
        working = context.services.settings.working_time
        note = closed_day_note(session.draft.day, working, voice)
    if answered == SESSIONS and session.draft.session_count > 1:
        return await _ask(update, context, session, INTERVAL)
    if session.reviewed:
        return await _ask(update, context, session, SUMMARY_SHOWN, problem=note)
    return await _ask(update, context, session, _FOLLOWING[answered], problem=note)


async def _ask_time_if_passed(
    update: Update, context: CareContext, session: _Session
) -> str | None:
    """When the day and time chosen are no longer ahead (a new day, or time went by), forget the
    time and ask it again; None when all is well."""
    services = context.services
    try:
        check_draft_start(session.draft, now=services.clock.now(), tz=services.settings.timezone)
    except EnrolInputError as error:
        session.draft.at = None
        voice = await staff_voice(update, context)
        return await _ask(update, context, session, TIME, problem=voice.problem(error))
    return None


async def _ask(
    update: Update,
    context: CareContext,
    session: _Session,
    state: str,
    *,
    problem: str | None = None,
) -> str:
    """Send the question of `state` (after what was wrong, if anything); return `state`."""
    assert update.effective_chat is not None
    services = context.services
    session.asking = state
    session.reviewed = session.reviewed or state == SUMMARY_SHOWN
    voice = await staff_voice(update, context)
    text, markup = question(
        state,
        session.draft,
        voice,
        now=services.clock.now(),
        working=services.settings.working_time,
    )
    if problem:
        text = voice("enrol.problem_then_question", problem=problem, question=text)
    await context.bot.send_message(update.effective_chat.id, text, reply_markup=markup)
    return state


async def _take_button(update: Update, context: CareContext) -> tuple[_Session, EnrolButton] | None:
    """Answer the press; the button and the session when it belongs to this enrolment."""
    query = update.callback_query
    assert query is not None
    button = decode(query.data)
    session = _session(context)
    if button is None or session is None or button.nonce != session.draft.nonce:
        voice = await staff_voice(update, context)
        await query.answer(voice("enrol.earlier_button"), show_alert=True)
        return None
    await query.answer()
    return session, button


async def _mark_chosen(update: Update, label: str) -> None:
    """Show the choice under the question and take its buttons away."""
    query: CallbackQuery | None = update.callback_query
    if query is not None and isinstance(query.message, Message):
        await replace_message(query, f"{query.message.text}\n✓ {label}")


async def _lost(update: Update, context: CareContext) -> int:
    assert update.effective_chat is not None
    voice = await staff_voice(update, context)
    await context.bot.send_message(update.effective_chat.id, voice("enrol.lost"))
    return ConversationHandler.END


def _session(context: CareContext) -> _Session | None:
    session = context.user_data.get(_KEY) if context.user_data is not None else None
    return session if isinstance(session, _Session) else None


def _user_id(update: Update) -> int | None:
    return update.effective_user.id if update.effective_user else None
