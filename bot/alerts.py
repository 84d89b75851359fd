"""Telling the clinic's staff that something needs a human."""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.error import TelegramError

from bot.settings import Settings

log = logging.getLogger(__name__)


class StaffAlerts:
    """Alerts go to the staff group when there is one, else to each admin privately."""

    def __init__(self, bot: Bot, settings: Settings) -> None:
        self._bot = bot
        self._settings = settings

    async def send(self, text: str) -> None:
        targets = (
            [self._settings.staff_chat_id]
            if self._settings.staff_chat_id is not None
            else sorted(self._settings.admin_ids)
        )
        for chat_id in targets:
            try:
                await self._bot.send_message(chat_id, f"⚠️ {text}")
            except TelegramError as error:
                log.error("could not alert staff chat %s: %s", chat_id, error)
