"""The staff chat must stay private: patients' words and photos are posted there.

Asked of Telegram at start-up (once it answers) and by `python -m bot check`: a group with a
public username can be read by anyone who finds it, and a group with more members than there
are staff (and the bot) has someone in it who is not staff. The bot cannot tell who the extra
members are without listing them (which the Bot API does not offer), so it names only the chat
id and the counts: the log never holds a name.
"""

from __future__ import annotations

import logging
import sqlite3

from telegram import Bot
from telegram.error import TelegramError

from bot.services import Services
from bot.settings import Settings
from care.people.staffing import active_staff

log = logging.getLogger(__name__)


async def staff_chat_warnings(bot: Bot, settings: Settings, staff_count: int) -> list[str]:
    """What is wrong with the staff chat's privacy; empty when nothing is (or no group)."""
    chat_id = settings.staff_chat_id
    if chat_id is None:
        return []
    warnings = []
    chat = await bot.get_chat(chat_id)
    if chat.username:
        warnings.append(
            f"the staff chat {chat_id} is a public group (it has a public username): anyone "
            "can read patients' messages there; make it private in the group's settings"
        )
    members = await bot.get_chat_member_count(chat_id)
    if members > staff_count + 1:
        warnings.append(
            f"the staff chat {chat_id} has {members} members, more than the {staff_count} "
            "staff and the bot: someone in it is not staff; remove them, or add them with /staff"
        )
    return warnings


def count_staff(conn: sqlite3.Connection, settings: Settings) -> int:
    return len(settings.admin_ids | {member.user_id for member in active_staff(conn)})


async def warn_if_staff_chat_open(bot: Bot, services: Services) -> None:
    """At start-up: each problem as a warning in the log."""
    settings = services.settings
    try:
        staff_count = await services.db.run(count_staff, settings)
        warnings = await staff_chat_warnings(bot, settings, staff_count)
    except TelegramError as error:
        log.warning("could not check the staff chat's privacy: %s", error)
        return
    for warning in warnings:
        log.warning("privacy: %s", warning)
