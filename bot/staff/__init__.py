"""Staff managing themselves and each other: joining by a one-time link, /staff for admins,
the welcome and /language for staff."""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot import patient
from bot.services import Handler
from bot.staff import members, welcome


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
        CallbackQueryHandler(members.staff_invite, pattern=rf"^{members.INVITE}$"),
        CallbackQueryHandler(members.staff_remove_ask, pattern=members.REMOVE_PATTERN),
        CallbackQueryHandler(
            members.staff_remove_confirmed, pattern=members.REMOVE_CONFIRMED_PATTERN
        ),
        CallbackQueryHandler(members.staff_keep, pattern=rf"^{members.KEEP}$"),
        CallbackQueryHandler(members.staff_button_invalid, pattern=r"^staff:"),
        CommandHandler("language", welcome.language),
        CallbackQueryHandler(welcome.choose, pattern=welcome.PATTERN),
    ]
