"""Merging two records of one person, from the card (admins only): "Merge with another
record…", type a name, phone or number, pick the other record, read both records' summary,
confirm. The use case is care/people/merge.py; the buttons bot/desk/merge_buttons.py; the
awaited search bot/desk/merge_search.py.
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ApplicationHandlerStop

from bot.common.access import Role, actor, admin_only, role_of
from bot.common.names import channel_name
from bot.common.replace import replace_message
from bot.common.staff_language import staff_voice
from bot.common.staff_voice import Voice
from bot.desk import awaiting, merge_buttons, merge_search
from bot.desk.actions import ANSWER_LIMIT
from bot.desk.card import render_card
from bot.desk.card_view import back_button, back_keyboard
from bot.desk.merge_buttons import MergeButton, MergeStep
from bot.desk.texts import who
from bot.services import CareContext
from care.core.models import PatientStatus
from care.people.lookup import patient_record
from care.people.merge import Check, Proposal, Refusal, Summary, merge, propose
from care.people.search import find_patients

log = logging.getLogger(__name__)

LIST_LIMIT = 8


@admin_only
async def press(update: Update, context: CareContext) -> None:
    """Any merge button: the search prompt, the confirmation, or the merge itself."""
    query = update.callback_query
    assert query is not None
    voice = await staff_voice(update, context)
    button = merge_buttons.decode(query.data)
    if button is None:
        await query.answer(voice("merge.button_invalid"), show_alert=True)
        return
    if button.step is MergeStep.PICK:
        await _ask_for_search(update, context, voice, button.kept)
    elif button.step is MergeStep.ASK:
        await _ask_to_confirm(update, context, voice, button)
    else:
        await _merge(update, context, voice, button)


async def _ask_for_search(update: Update, context: CareContext, voice: Voice, kept_id: int) -> None:
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    services = context.services
    kept = await services.db.run(patient_record, kept_id)
    if kept is None or kept.status is PatientStatus.ERASED:
        refusal = Refusal.MISSING if kept is None else Refusal.ERASED
        await query.answer(_refusal(voice, Check(None, refusal, kept_id)), show_alert=True)
        return
    await query.answer()
    awaiting.forget(context.user_data)
    search = merge_search.Search(kept_id, update.effective_chat.id, services.clock.now())
    merge_search.expect_search(context.user_data, search)
    text = voice("merge.search_prompt", who=who(voice, kept))
    await replace_message(query, text, back_keyboard(voice, kept_id))


async def take_search(update: Update, context: CareContext) -> None:
    """Runs before the other text handlers: when this admin was asked which record to merge,
    their next text is the search; otherwise the text goes on to the other handlers."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None or not message.text:
        return
    search = merge_search.awaited(context.user_data, chat.id, context.services.clock.now())
    if search is None:
        return
    if await role_of(update, context) is not Role.ADMIN:
        merge_search.forget(context.user_data)
        return
    voice = await staff_voice(update, context)
    typed = message.text.strip()
    found = await context.services.db.run(find_patients, typed, limit=LIST_LIMIT + 1)
    others = [
        p for p in found.patients if p.id != search.kept and p.status is not PatientStatus.ERASED
    ][:LIST_LIMIT]
    if not others:
        await message.reply_text(
            voice("merge.search_none", query=typed[:40]),
            reply_markup=back_keyboard(voice, search.kept),
        )
        raise ApplicationHandlerStop
    merge_search.forget(context.user_data)
    kept = await context.services.db.run(patient_record, search.kept)
    rows = [
        [
            InlineKeyboardButton(
                f"#{voice.digits(str(p.id))} {p.full_name}",
                callback_data=merge_buttons.encode(MergeButton(MergeStep.ASK, search.kept, p.id)),
            )
        ]
        for p in others
    ]
    rows.append([back_button(voice, search.kept)])
    await message.reply_text(
        voice("merge.search_matches", query=typed[:40], who=who(voice, kept)),
        reply_markup=InlineKeyboardMarkup(rows),
    )
    raise ApplicationHandlerStop


async def _ask_to_confirm(
    update: Update, context: CareContext, voice: Voice, button: MergeButton
) -> None:
    query = update.callback_query
    assert query is not None and button.other is not None
    check = await context.services.db.run(propose, button.kept, button.other)
    if check.proposal is None:
        await _refuse(update, voice, check)
        return
    await query.answer()
    proposal = check.proposal
    confirm = MergeButton(MergeStep.CONFIRM, button.kept, button.other)
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    voice("merge.confirm_button", other_id=button.other, kept_id=button.kept),
                    callback_data=merge_buttons.encode(confirm),
                ),
                back_button(voice, button.kept),
            ]
        ]
    )
    await replace_message(query, _question(voice, proposal), keyboard)


async def _merge(update: Update, context: CareContext, voice: Voice, button: MergeButton) -> None:
    query = update.callback_query
    assert query is not None and button.other is not None
    services = context.services
    done = await services.db.run(
        merge,
        button.kept,
        button.other,
        plan=services.plan,
        actor=actor(update),
        now=services.clock.now(),
    )
    if done.patient is None:
        await _refuse(update, voice, done.check)
        return
    await query.answer()
    log.info("patient %d merged into patient %d", button.other, button.kept)
    services.schedule_changed()
    banner = voice("merge.merged", other_id=button.other)
    text, markup = await render_card(context, voice, button.kept, banner=banner, admin=True)
    await replace_message(query, text, markup)


async def _refuse(update: Update, voice: Voice, check: Check) -> None:
    """Say why in a pop-up and in place of the question: nothing changed."""
    query = update.callback_query
    assert query is not None
    reason = _refusal(voice, check)
    await query.answer(reason[:ANSWER_LIMIT], show_alert=True)
    await replace_message(query, reason)


def _refusal(voice: Voice, check: Check) -> str:
    subject = check.subject or 0
    if check.refusal is Refusal.ALREADY_MERGED:
        return voice("merge.already_merged", patient_id=subject, into_id=check.merged_into or 0)
    key = {
        Refusal.SAME_RECORD: "merge.same_record",
        Refusal.MISSING: "merge.missing",
        Refusal.ERASED: "merge.erased",
    }[check.refusal or Refusal.MISSING]
    return voice(key) if check.refusal is Refusal.SAME_RECORD else voice(key, patient_id=subject)


def _question(voice: Voice, proposal: Proposal) -> str:
    kept, other = proposal.keep.patient.id, proposal.other.patient.id
    lines = [
        voice(
            "merge.confirm",
            other_id=other,
            kept_id=kept,
            kept=_summary(voice, proposal.keep),
            other=_summary(voice, proposal.other),
        )
    ]
    lines += [
        voice("merge.clash", channel=channel_name(voice, c.channel), patient_id=c.kept_from)
        for c in proposal.clashes
    ]
    return "\n\n".join(lines)


def _summary(voice: Voice, summary: Summary) -> str:
    patient = summary.patient
    phone = voice("merge.phone", phone=patient.phone) if patient.phone else voice("merge.no_phone")
    names = [channel_name(voice, channel) for channel in summary.channels]
    chats = voice("merge.chats", chats=voice.join(names)) if names else voice("merge.no_chats")
    return voice(
        "merge.summary",
        who=who(voice, patient),
        sessions=summary.sessions,
        courses=summary.courses,
        phone_text=phone,
        chats_text=chats,
    )
