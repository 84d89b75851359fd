"""/staff for admins: who is staff, one-time staff invite links, removing someone (after a
confirm); and `/start staff_<token>`, which makes whoever opens a staff invite staff."""

from __future__ import annotations

import logging

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.common.access import actor, admin_only
from bot.common.invite_qr import invite_links, links_text
from bot.common.menus import hide_staff_menu, show_staff_menu
from bot.common.names import channel_name
from bot.common.replace import replace_message
from bot.common.staff_language import app_language, staff_voice, voice_in
from bot.common.staff_voice import Voice
from bot.patient import start
from bot.services import CareContext
from bot.staff import member_buttons
from bot.staff.member_buttons import INVITE, Member, remove_confirmed
from care.core.channels import TELEGRAM
from care.people.staffing import (
    JoinOutcome,
    active_staff,
    create_staff_invite,
    join_staff,
    remove_staff,
)
from care.people.tokens import looks_like_token
from jobs.channels.bale import BALE

log = logging.getLogger(__name__)

# Where each messenger's admins are set (they are removed there, never with /staff).
ADMIN_SETTING = {TELEGRAM: "ADMIN_IDS", BALE: "BALE_ADMIN_IDS"}


@admin_only
async def staff_list(update: Update, context: CareContext) -> None:
    """The admins and staff, with buttons to invite someone or remove a staff member."""
    assert update.effective_message is not None
    text, markup = await _overview(context, await staff_voice(update, context))
    await update.effective_message.reply_text(text, reply_markup=markup)


@admin_only
async def staff_invite(update: Update, context: CareContext) -> None:
    """Make a one-time staff invite link (24 hours) and send it to the admin."""
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    await query.answer()
    services = context.services
    payload, expires = await services.db.run(
        create_staff_invite, actor=actor(update), now=services.clock.now()
    )
    log.info(
        "staff invite made by user %s", update.effective_user.id if update.effective_user else None
    )
    voice = await staff_voice(update, context)
    await context.bot.send_message(
        update.effective_chat.id,
        voice(
            "staff_list.invite_link",
            until=expires,
            link=links_text(voice, invite_links(services.channels, payload)),
        ),
        disable_web_page_preview=True,
    )


@admin_only
async def staff_remove_ask(update: Update, context: CareContext) -> None:
    """Ask the admin to confirm removing a staff member."""
    query = update.callback_query
    assert query is not None
    voice = await staff_voice(update, context)
    target = await _removal_target(query, context, voice)
    if target is None:
        return
    found = [
        m
        for m in await context.services.db.run(active_staff)
        if (m.channel, m.user_id) == (target.channel, target.user_id)
    ]
    messenger = channel_name(voice, target.channel)
    if not found:
        await replace_message(
            query,
            voice("staff_list.not_staff", user_id=str(target.user_id), channel=messenger),
        )
        return
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    voice("staff_list.yes_remove"), callback_data=remove_confirmed(target)
                ),
                InlineKeyboardButton(
                    voice("staff_list.no_keep"), callback_data=member_buttons.KEEP
                ),
            ]
        ]
    )
    await replace_message(
        query,
        voice(
            "staff_list.confirm_remove",
            name=found[0].display_name,
            user_id=str(target.user_id),
            channel=messenger,
        ),
        keyboard,
    )


@admin_only
async def staff_remove_confirmed(update: Update, context: CareContext) -> None:
    """Remove the staff member of the messenger the button names; their menu there goes back
    to the patients' one."""
    query = update.callback_query
    assert query is not None
    voice = await staff_voice(update, context)
    target = await _removal_target(query, context, voice)
    if target is None:
        return
    services = context.services
    removed = await services.db.run(
        remove_staff,
        target.user_id,
        channel=target.channel,
        actor=actor(update),
        now=services.clock.now(),
    )
    messenger = channel_name(voice, target.channel)
    if not removed:
        await replace_message(
            query,
            voice("staff_list.was_not_staff", user_id=str(target.user_id), channel=messenger),
        )
        return
    log.info("staff member %s on %s removed", target.user_id, target.channel)
    bot = services.bot_of(target.channel)
    channel = services.channels.get(target.channel)
    if bot is not None and (channel is None or channel.command_menus):
        await hide_staff_menu(bot, services.catalog, target.user_id)
    await replace_message(
        query, voice("staff_list.removed", user_id=str(target.user_id), channel=messenger)
    )


@admin_only
async def staff_keep(update: Update, context: CareContext) -> None:
    """ "No, keep": back to the overview, nothing changed."""
    query = update.callback_query
    assert query is not None
    voice = await staff_voice(update, context)
    await query.answer(voice("staff_list.nothing_changed"))
    text, markup = await _overview(context, voice)
    await replace_message(query, text, markup)


@admin_only
async def staff_button_invalid(update: Update, context: CareContext) -> None:
    """A `staff:` button that none of the above knows: it was not made by this bot."""
    assert update.callback_query is not None
    voice = await staff_voice(update, context)
    await update.callback_query.answer(voice("staff_list.button_invalid"))


async def join_with_link(update: Update, context: CareContext) -> None:
    """`/start staff_<token>`: whoever opens a live staff invite becomes staff."""
    assert update.effective_message is not None and update.effective_user is not None
    payload = (context.args or [""])[0]
    if looks_like_token(payload):  # a patient's token that happens to begin with "staff_"
        await start.start_with_token(update, context)
        return
    services = context.services
    user = update.effective_user
    # Not staff yet: their Telegram app's language, as for a patient.
    voice = voice_in(services, app_language(services, user.language_code))
    if user.id in services.admin_ids(context.channel):
        await update.effective_message.reply_text(voice("staff_list.already_admin"))
        return
    now = services.clock.now()
    # The same count as patient invites: a guessed staff link would be worse.
    if services.invite_failures.blocked(context.channel, user.id, now):
        log.info("staff invite attempts from user %s are paused after failures", user.id)
        await update.effective_message.reply_text(voice("staff_list.too_many_attempts"))
        return
    outcome = await services.db.run(
        join_staff,
        payload,
        user_id=user.id,
        display_name="".join(ch for ch in user.full_name if ch.isprintable()),
        now=now,
        channel=context.channel,
    )
    if outcome is JoinOutcome.INVALID:
        log.info("a used, expired or unknown staff invite was opened by user %s", user.id)
        services.invite_failures.failed(context.channel, user.id, now)
        await update.effective_message.reply_text(voice("staff_list.join_refused"))
        return
    if outcome is JoinOutcome.ALREADY_STAFF:
        await update.effective_message.reply_text(voice("staff_list.already_staff"))
        return
    log.info("user %s joined the staff", user.id)
    await show_staff_menu(
        context.bot,
        services.catalog,
        user.id,
        admin=False,
        lang=None,
        default=app_language(services, user.language_code),
    )
    await update.effective_message.reply_text(
        voice(
            "staff.welcome_staff",
            staff_name=user.first_name,
            clinic_name=services.settings.clinic_name,
        )
    )


async def _overview(context: CareContext, voice: Voice) -> tuple[str, InlineKeyboardMarkup]:
    services = context.services
    members = [
        m
        for m in await services.db.run(active_staff)
        if m.user_id not in services.admin_ids(m.channel)
    ]
    # Ids are shown as they are typed in .env: Latin digits, in isolates.
    admins = voice.join([str(user_id) for user_id in sorted(services.settings.admin_ids)])
    lines = [voice("staff_list.admins", ids=admins)]
    if BALE in services.apps:
        bale_admins = voice.join([str(user_id) for user_id in sorted(services.admin_ids(BALE))])
        lines.append(voice("staff_list.admins_bale", ids=bale_admins))
    if members:
        lines.append(voice("staff_list.staff_heading"))
        lines += [
            voice(
                "staff_list.member",
                name=m.display_name,
                user_id=str(m.user_id),
                channel=channel_name(voice, m.channel),
            )
            for m in members
        ]
    else:
        lines.append(voice("staff_list.no_staff"))
    lines.append(voice("staff_list.how_to_add"))
    buttons = [[InlineKeyboardButton(voice("staff_list.invite_button"), callback_data=INVITE)]]
    buttons += [
        [
            InlineKeyboardButton(
                voice(
                    "staff_list.remove_button",
                    name=m.display_name,
                    channel=channel_name(voice, m.channel),
                ),
                callback_data=member_buttons.remove(Member(m.channel, m.user_id)),
            )
        ]
        for m in members
    ]
    return "\n".join(lines), InlineKeyboardMarkup(buttons)


async def _removal_target(
    query: CallbackQuery, context: CareContext, voice: Voice
) -> Member | None:
    """Answer the press; the member the button names (the handler's pattern made sure it
    does), or None, said so, when that user is an admin there, whom only .env can remove."""
    await query.answer()
    target = member_buttons.member_of(query.data)
    assert target is not None
    if target.user_id in context.services.admin_ids(target.channel):
        await replace_message(
            query,
            voice(
                "staff_list.is_admin",
                user_id=str(target.user_id),
                channel=channel_name(voice, target.channel),
                setting=ADMIN_SETTING.get(target.channel, ADMIN_SETTING[TELEGRAM]),
            ),
        )
        return None
    return target
