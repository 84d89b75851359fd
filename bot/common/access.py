"""Who may do what: the one place where a sender's role is decided and staff commands guarded."""

from __future__ import annotations

import functools
import logging
import sqlite3
from collections.abc import Callable, Coroutine
from enum import StrEnum
from typing import Any, TypeVar

from telegram import Update

from bot.common.patient_view import say
from bot.common.staff_language import staff_voice
from bot.services import CareContext
from care.core.channels import TELEGRAM
from care.core.models import Patient
from care.people.lookup import patient_in_chat
from care.people.patient_choices import linked_patient as _linked_patient
from care.people.staffing import is_staff_member

log = logging.getLogger(__name__)

T = TypeVar("T")
# A handler returns None, or (inside a conversation) its next state; a refused one returns None,
# which leaves a conversation where it was.
Handler = Callable[[Update, CareContext], Coroutine[Any, Any, T]]


class Role(StrEnum):
    ADMIN = "admin"
    STAFF = "staff"
    PATIENT = "patient"
    STRANGER = "stranger"


async def role_of(update: Update, context: CareContext) -> Role:
    """Admins come from the settings; staff and patients from the database, asked afresh on
    every update, so a removed staff member loses access at once."""
    user = update.effective_user
    if user is None:
        return Role.STRANGER
    if user.id in context.services.admin_ids(context.channel):
        return Role.ADMIN
    return await context.services.db.run(_stored_role, user.id, context.channel)


def _stored_role(conn: sqlite3.Connection, user_id: int, channel: str) -> Role:
    if is_staff_member(conn, user_id, channel):
        return Role.STAFF
    if patient_in_chat(conn, user_id, channel) is not None:
        return Role.PATIENT
    return Role.STRANGER


async def linked_patient(update: Update, context: CareContext) -> Patient | None:
    """The sender's own patient record, in a private chat; None for anyone else."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or chat.type != chat.PRIVATE:
        return None
    return await context.services.db.run(_linked_patient, user.id, context.channel)


def is_staff(role: Role) -> bool:
    return role in (Role.ADMIN, Role.STAFF)


def _in_allowed_chat(update: Update, context: CareContext) -> bool:
    """Staff commands work in a private chat or in the configured staff group, nowhere else."""
    chat = update.effective_chat
    if chat is None:
        return False
    staff_chat = context.services.staff_chat_id(context.channel)
    return chat.type == chat.PRIVATE or chat.id == staff_chat


def staff_only(handler: Handler[T]) -> Handler[T | None]:
    """Refuse politely, and change nothing, unless the sender is staff in an allowed chat."""
    return _guard(handler, allowed=(Role.ADMIN, Role.STAFF))


def admin_only(handler: Handler[T]) -> Handler[T | None]:
    """Refuse politely, and change nothing, unless the sender is an admin in an allowed chat."""
    return _guard(handler, allowed=(Role.ADMIN,))


def _guard(handler: Handler[T], allowed: tuple[Role, ...]) -> Handler[T | None]:
    @functools.wraps(handler)
    async def guarded(update: Update, context: CareContext) -> T | None:
        role = await role_of(update, context)
        if role not in allowed or not _in_allowed_chat(update, context):
            user_id = update.effective_user.id if update.effective_user else None
            log.info("refused %s to user %s (%s)", handler.__name__, user_id, role.value)
            text = await _refusal(update, context, role, allowed)
            if update.callback_query is not None:
                await update.callback_query.answer(text, show_alert=True)
            elif update.effective_message is not None:
                await update.effective_message.reply_text(text)
            return None
        return await handler(update, context)

    return guarded


async def _refusal(
    update: Update, context: CareContext, role: Role, allowed: tuple[Role, ...]
) -> str:
    """Staff read their own language; patients and strangers theirs, from the message files."""
    if is_staff(role):  # in a chat where staff commands do not work, or not an admin
        voice = await staff_voice(update, context)
        return voice("staff.wrong_chat" if role in allowed else "staff.admin_only")
    patient = await linked_patient(update, context)
    lang = patient.language if patient else context.services.settings.default_language
    return say(context.services, lang, "patient.staff_only")


def actor(update: Update) -> str:
    """How the audit trail names whoever sent this update: their channel and id there."""
    user = update.effective_user
    if user is None:
        return "unknown"
    return f"{getattr(update.get_bot(), 'channel', TELEGRAM)}:{user.id}"
