"""Staff managing themselves and each other: joining by a one-time link, /staff for admins,
the welcome and /language for staff."""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot import patient
from bot.services import Handler
from bot.staff import language_buttons, member_buttons, members, welcome


def joining() -> list[Handler]:
    """`/start staff_<token>`: before a patient's `/start <token>`, which would also match;
    and a bare /start, which welcomes staff and hands everyone else to the patient's side."""
    private = filters.ChatType.PRIVATE
    staff_link = filters.Regex(r"^/start\s+staff_")
    return [
        CommandHandler("start", members.join_with_link, private & staff_link),
        CommandHandler("start", welcome.start_plain, private & ~patient.WITH_TOKEN),
    ]


def handlers() -> list[Handler]:
    """/staff with its buttons (the catch-all `staff:` last), and /language, which staff
    answer themselves and hand on to the patient's side for patients."""
    return [
        CommandHandler("staff", members.staff_list),
        CallbackQueryHandler(members.staff_invite, pattern=member_buttons.INVITE_PATTERN),
        CallbackQueryHandler(members.staff_remove_ask, pattern=member_buttons.REMOVE_PATTERN),
        CallbackQueryHandler(
            members.staff_remove_confirmed, pattern=member_buttons.REMOVE_CONFIRMED_PATTERN
        ),
        CallbackQueryHandler(members.staff_keep, pattern=member_buttons.KEEP_PATTERN),
        CallbackQueryHandler(members.staff_button_invalid, pattern=member_buttons.ANY),
        CommandHandler("language", welcome.language),
        CallbackQueryHandler(welcome.choose, pattern=language_buttons.PATTERN),
    ]
