"""Who may do what: the one place where a sender's role is decided and staff commands guarded."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Coroutine
from enum import StrEnum
from typing import Any

from telegram import Update

from bot.services import CareContext

log = logging.getLogger(__name__)

Handler = Callable[[Update, CareContext], Coroutine[Any, Any, None]]

REFUSAL = "Sorry, this command is for the clinic's staff only."


class Role(StrEnum):
    ADMIN = "admin"
    STAFF = "staff"
    STRANGER = "stranger"


def role_of(update: Update, context: CareContext) -> Role:
    user = update.effective_user
    if user is None:
        return Role.STRANGER
    if user.id in context.services.settings.admin_ids:
        return Role.ADMIN
    return Role.STRANGER


def _in_allowed_chat(update: Update, context: CareContext) -> bool:
    """Staff commands work in a private chat or in the configured staff group, nowhere else."""
    chat = update.effective_chat
    if chat is None:
        return False
    return chat.type == chat.PRIVATE or chat.id == context.services.settings.staff_chat_id


def staff_only(handler: Handler) -> Handler:
    """Refuse politely, and change nothing, unless the sender is staff in an allowed chat."""

    @functools.wraps(handler)
    async def guarded(update: Update, context: CareContext) -> None:
        if role_of(update, context) is Role.STRANGER or not _in_allowed_chat(update, context):
            user_id = update.effective_user.id if update.effective_user else None
            log.info("refused %s to non-staff user %s", handler.__name__, user_id)
            if update.effective_message is not None:
                await update.effective_message.reply_text(REFUSAL)
            return
        await handler(update, context)

    return guarded


def actor(update: Update) -> str:
    """How the audit trail names whoever sent this update."""
    user = update.effective_user
    return f"telegram:{user.id}" if user else "unknown"
