"""Sending one message through a Bot API (Telegram's, or Bale's) and naming what happened."""

from __future__ import annotations

from typing import Protocol

import httpx
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from jobs.compose import Outgoing
from jobs.outcome import Outcome, SendResult
from jobs.pacing import retry_after_seconds, sender_reschedules

_GONE_CHAT = ("chat not found", "user is deactivated", "bot was kicked", "peer_id_invalid")


def _never_left(error: NetworkError) -> bool:
    """No connection could be made (refused, no route, the proxy refused): the request was
    not sent. A timeout once connected, or a server error, may have delivered it."""
    return isinstance(error.__cause__, httpx.ConnectError | httpx.ConnectTimeout | httpx.ProxyError)


class Transport(Protocol):
    async def deliver(self, chat_id: int, message: Outgoing) -> Outcome: ...


def keyboard(buttons: tuple[tuple[str, str], ...]) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data)] for label, data in buttons]
    )


class TelegramTransport:
    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def deliver(self, chat_id: int, message: Outgoing) -> Outcome:
        try:
            with sender_reschedules():  # a 429 comes back here, to be planned again
                sent = await self._bot.send_message(
                    chat_id, message.text, reply_markup=keyboard(message.buttons)
                )
        except RetryAfter as error:
            return Outcome(
                SendResult.RATE_LIMITED,
                "Telegram asked to wait",
                retry_after=retry_after_seconds(error),
            )
        except Forbidden as error:
            return Outcome(SendResult.UNREACHABLE, error.message)
        except BadRequest as error:
            if any(marker in error.message.lower() for marker in _GONE_CHAT):
                return Outcome(SendResult.UNREACHABLE, error.message)
            return Outcome(SendResult.REJECTED, error.message)
        except NetworkError as error:  # includes TimedOut and 5xx answers
            detail = f"{type(error).__name__}: {error.message}"
            return Outcome(SendResult.TRANSIENT, detail, reached=not _never_left(error))
        except TelegramError as error:
            return Outcome(SendResult.REJECTED, f"{type(error).__name__}: {error.message}")
        return Outcome(SendResult.SENT, telegram_message_id=sent.message_id)
