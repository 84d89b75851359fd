"""The staff chat must stay private: patients' words and photos are posted there.

Asked of each messenger at start-up (once it answers) and by `python -m bot check`, for that
messenger's staff group (STAFF_CHAT_ID, BALE_STAFF_CHAT_ID): a group with a public username
can be read by anyone who finds it, and a group with more members than there are staff (and
the bot) has someone in it who is not staff. The bot cannot tell who the extra members are
without listing them (which the Bot API does not offer), so it names only the chat id and the
counts: the log never holds a name.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass

from telegram import Bot
from telegram.error import TelegramError

from bot.services import Services
from bot.settings import Settings
from care.core.channels import TELEGRAM
from care.people.staffing import active_staff
from jobs.channels.bale import BALE

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StaffChat:
    """What Telegram says of the staff group, beside how many staff there are."""

    chat_id: int
    public: bool  # it has a public username: anyone who finds it can read it
    members: int
    staff_count: int

    @property
    def crowded(self) -> bool:
        """More members than the staff and the bot: someone in it is not staff."""
        return self.members > self.staff_count + 1


async def look_at_staff_chat(
    bot: Bot, chat_id: int, staff_count: int, channel: str = TELEGRAM
) -> StaffChat:
    chat = await bot.get_chat(chat_id)
    if channel == BALE:  # Bale kept the method's older name (docs/bale.md); the new one is a 404
        members = await bot.do_api_request("getChatMembersCount", api_kwargs={"chat_id": chat_id})
    else:
        members = await bot.get_chat_member_count(chat_id)
    return StaffChat(chat_id, bool(chat.username), int(members), staff_count)


def log_warnings(chat: StaffChat) -> list[str]:
    """What is wrong with the staff chat's privacy, for the log (English, ids and counts only)."""
    warnings = []
    if chat.public:
        warnings.append(
            f"the staff chat {chat.chat_id} is a public group (it has a public username): "
            "anyone can read patients' messages there; make it private in the group's settings"
        )
    if chat.crowded:
        warnings.append(
            f"the staff chat {chat.chat_id} has {chat.members} members, more than the "
            f"{chat.staff_count} staff and the bot: someone in it is not staff; remove them, "
            "or add them with /staff"
        )
    return warnings


def count_staff(conn: sqlite3.Connection, settings: Settings, channel: str = TELEGRAM) -> int:
    """Staff on `channel`: its admins from the settings and the staff added with /staff."""
    added = {member.user_id for member in active_staff(conn) if member.channel == channel}
    return len(settings.admin_ids_on(channel) | added)


async def warn_if_staff_chat_open(bot: Bot, services: Services, channel: str) -> None:
    """At start-up: each problem as a warning in the log."""
    chat_id = services.settings.staff_chat_on(channel)
    if chat_id is None:
        return
    try:
        staff_count = await services.db.run(count_staff, services.settings, channel)
        chat = await look_at_staff_chat(bot, chat_id, staff_count, channel)
    except TelegramError as error:
        log.warning("could not check the %s staff chat's privacy: %s", channel, error)
        return
    for warning in log_warnings(chat):
        log.warning("privacy: %s", warning)
