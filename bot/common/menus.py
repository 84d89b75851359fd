"""The command menus. Every private chat shows the patient's menu (BotCommandScopeAllPrivateChats,
described in the language of the user's Telegram app). Staff see theirs instead: one per chat
(BotCommandScopeChat), set when someone becomes staff, chooses a language or at start-up,
removed when they stop being staff, which brings the patient's menu back. Both are set per
language (Telegram's language_code), so each app shows the menu in its own language; a staff
member who chose one with /language sees that one in every app."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat
from telegram.error import TelegramError

from bot.settings import Settings
from care.content.catalog import PATIENT_COMMANDS, Catalog
from care.db.worker import Database
from care.people.staffing import everyone_at_the_desk

log = logging.getLogger(__name__)

# The staff menu, in order; each command's description is staff_menu.<name> in the catalogs.
STAFF_COMMANDS: tuple[str, ...] = (
    "enrol",
    "today",
    "upcoming",
    "invite",
    "schedule",
    "done",
    "patient",
    "alerts",
    "reschedule",
    "cancel_appt",
    "noshow",
    "add_session",
    "cancel",
    "language",
)
ADMIN_COMMANDS: tuple[str, ...] = (
    *STAFF_COMMANDS,
    "staff",
    "export",
    "export_patient",
    "forget",
    "stats",
)


def staff_commands(catalog: Catalog, lang: str, *, admin: bool) -> list[BotCommand]:
    names = ADMIN_COMMANDS if admin else STAFF_COMMANDS
    return [BotCommand(name, catalog.text(lang, f"staff_menu.{name}")) for name in names]


async def show_patient_menus(bot: Bot, catalog: Catalog) -> None:
    """The patient's commands with their descriptions from the message files: English for any
    Telegram app language without a file of its own, each other language for its own apps."""
    default = "en" if "en" in catalog.languages else catalog.languages[0]
    for lang in catalog.languages:
        commands = [
            BotCommand(name, catalog.text(lang, f"commands.{name}")) for name in PATIENT_COMMANDS
        ]
        try:
            await bot.set_my_commands(
                commands,
                scope=BotCommandScopeAllPrivateChats(),
                language_code=None if lang == default else lang,
            )
        except TelegramError as error:
            log.warning("could not set the patient menu (%s): %s", lang, error)


async def show_staff_menu(
    bot: Bot, catalog: Catalog, user_id: int, *, admin: bool, lang: str | None, default: str
) -> None:
    """Give this person's private chat the staff (or admin) command menu: in the language they
    chose (`lang`), or else each Telegram app language in its own, `default` for the rest."""
    try:
        for code in (None, *catalog.languages):
            shown = lang or code or default
            await bot.set_my_commands(
                staff_commands(catalog, shown, admin=admin),
                scope=BotCommandScopeChat(user_id),
                language_code=code,
            )
    except TelegramError as error:
        log.warning("could not set the staff menu for user %s: %s", user_id, error)


async def hide_staff_menu(bot: Bot, catalog: Catalog, user_id: int) -> None:
    """Back to the default (patient) menu in this person's private chat."""
    try:
        for code in (None, *catalog.languages):
            await bot.delete_my_commands(scope=BotCommandScopeChat(user_id), language_code=code)
    except TelegramError as error:
        log.warning("could not remove the staff menu of user %s: %s", user_id, error)


async def show_staff_menus(
    bot: Bot, settings: Settings, db: Database, catalog: Catalog, channel: str
) -> None:
    """At start-up: every admin and every current staff member of `channel` gets their menu
    there (a Bale staff member's id may be someone else's on Telegram)."""
    for member in await db.run(everyone_at_the_desk, settings.admin_ids_on(channel), channel):
        await show_staff_menu(
            bot,
            catalog,
            member.user_id,
            admin=member.admin,
            lang=member.language,
            default=settings.default_language,
        )
