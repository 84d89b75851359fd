"""One-tap answers under care messages (callback data `ans:<care message id>:<answer>`)."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.common.access import linked_patient
from bot.common.patient_view import answer_reply, say
from bot.patient.common import set_buttons, tell
from bot.services import CareContext, Services
from care.answers.codec import AnswerButton, decode, encode
from care.answers.satisfaction import ask_after_clean_recovery
from care.answers.take import AnswerOutcome, AnswerResult, record_answer
from care.relay.photos import PHOTO_ANSWERS

log = logging.getLogger(__name__)

CHOSEN_MARK = "✓"


async def answer(update: Update, context: CareContext) -> None:
    """Record the answer if the presser may give it, reply at once, and tell staff when a
    human is needed. Twice, too late, or someone else's: an honest reply, nothing changed."""
    query = update.callback_query
    assert query is not None and query.from_user is not None
    await query.answer()
    services = context.services
    button = decode(query.data or "")
    if button is None:
        result = AnswerResult(AnswerOutcome.REFUSED, await linked_patient(update, context))
    else:
        result = await services.db.run(
            record_answer,
            button,
            chat_id=query.from_user.id,
            protocol=services.plan.protocol,
            now=services.clock.now(),
            channel=context.channel,
        )
    lang = result.patient.language if result.patient else services.settings.default_language
    match result.outcome:
        case AnswerOutcome.RECORDED:
            assert button is not None and result.patient is not None
            log.info("patient %d answered message %d", result.patient.id, button.message_id)
            if result.alert_raised:
                services.alert_raised()
            await set_buttons(query, chosen(services, lang, button))
            text = answer_reply(services, lang, button.answer, services.clock.now())
        case AnswerOutcome.ALREADY_ANSWERED:
            text = say(services, lang, "patient.already_answered")
        case AnswerOutcome.STALE:
            await set_buttons(query, None)
            text = say(services, lang, "patient.button_stale")
        case AnswerOutcome.REFUSED:
            log.info("refused an answer button from user %d", query.from_user.id)
            text = say(services, lang, "patient.button_stale")
    await tell(update, context, text)
    recorded = result.outcome is AnswerOutcome.RECORDED
    if recorded and button is not None and button.answer in PHOTO_ANSWERS:
        # Optional: a photo the patient sends now goes to staff with the alert.
        await tell(update, context, say(services, lang, "relay.photo_invite"))
    if recorded and button is not None:
        await _after_answer(services, button)


async def _after_answer(services: Services, button: AnswerButton) -> None:
    """What an answer leads to: "all fine" after a course's last session may end a clean
    recovery, which brings the satisfaction question (care/answers/satisfaction.py)."""
    if button.answer != "all_fine":
        return
    planned = await services.db.run(
        ask_after_clean_recovery, button.message_id, plan=services.plan, now=services.clock.now()
    )
    if planned:
        services.schedule_changed()


def chosen(services: Services, lang: str, button: AnswerButton) -> InlineKeyboardMarkup:
    """Only the chosen answer stays under the message, ticked; pressing it again is told
    that the answer is already recorded."""
    label = services.catalog.text(lang, f"answers.{button.answer}")
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(f"{CHOSEN_MARK} {label}", callback_data=encode(button))]]
    )
