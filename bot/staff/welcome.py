"""A staff member and the bot: the welcome at /start, and /language for staff.

An admin who sends /start to their new bot is greeted as its admin, in their own language, with
what to do first; the staff menu is set at once. /language lets each staff member pick the
language the bot writes to them in, remembered across restarts (care.people.staffing.language_of).
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.common.access import Role, is_staff, role_of, staff_only
from bot.common.menus import show_staff_menu
from bot.common.replace import replace_message
from bot.common.staff_language import staff_voice
from bot.patient import language as patient_language
from bot.patient import start as patient_start
from bot.services import CareContext
from bot.staff import language_buttons
from care.core.languages import endonym
from care.people.staffing import choose_language, language_of

log = logging.getLogger(__name__)


async def start_plain(update: Update, context: CareContext) -> None:
    """A bare /start in a private chat: staff are welcomed as staff; anyone else goes on to
    the patient's /start (staff sit above the patient's side, so the patient's side never
    needs to know about staff)."""
    if is_staff(role := await role_of(update, context)):
        await welcome(update, context, role)
        return
    await patient_start.start_plain(update, context)


async def welcome(update: Update, context: CareContext, role: Role) -> None:
    """/start from an admin or a staff member: who they are here, what to do first."""
    assert update.effective_message is not None and update.effective_user is not None
    services = context.services
    user = update.effective_user
    voice = await staff_voice(update, context)
    chosen = await services.db.run(language_of, user.id, context.channel)
    await show_staff_menu(
        context.bot,
        services.catalog,
        user.id,
        admin=role is Role.ADMIN,
        lang=chosen,
        default=voice.lang,
    )
    key = "staff.welcome_admin" if role is Role.ADMIN else "staff.welcome_staff"
    await update.effective_message.reply_text(
        voice(key, staff_name=user.first_name, clinic_name=services.settings.clinic_name)
    )


async def language(update: Update, context: CareContext) -> None:
    """/language: staff choose their own language; patients go on to theirs."""
    if not is_staff(await role_of(update, context)):
        chat = update.effective_chat
        if chat is not None and chat.type == chat.PRIVATE:
            await patient_language.language(update, context)
        return
    await _offer(update, context)


@staff_only
async def _offer(update: Update, context: CareContext) -> None:
    assert update.effective_message is not None
    catalog = context.services.catalog
    voice = await staff_voice(update, context)
    buttons = [
        [InlineKeyboardButton(endonym(lang), callback_data=language_buttons.encode(lang))]
        for lang in catalog.languages
    ]
    await update.effective_message.reply_text(
        voice("staff.language_prompt"), reply_markup=InlineKeyboardMarkup(buttons)
    )


@staff_only
async def choose(update: Update, context: CareContext) -> None:
    """A language button: remember it, answer in it, and show the menu in it."""
    query = update.callback_query
    assert query is not None and query.from_user is not None
    services = context.services
    lang = language_buttons.decode(query.data)
    if lang is None or lang not in services.catalog.languages:
        voice = await staff_voice(update, context)
        await query.answer(voice("staff.language_stale"), show_alert=True)
        return
    user_id = query.from_user.id
    await services.db.run(choose_language, user_id, context.channel, lang, services.clock.now())
    log.info("staff member %s chose a language", user_id)
    await query.answer()
    voice = await staff_voice(update, context)
    await replace_message(query, voice("staff.language_set"))
    await show_staff_menu(
        context.bot,
        services.catalog,
        user_id,
        admin=user_id in services.admin_ids(context.channel),
        lang=lang,
        default=lang,
    )
