"""The command menus. Every private chat shows the patient's menu (BotCommandScopeAllPrivateChats,
described in the language of the user's Telegram app). Staff see theirs instead: one per chat
(BotCommandScopeChat), set when someone becomes staff or at start-up, removed when they stop
being staff, which brings the patient's menu back."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat
from telegram.error import TelegramError

from bot.settings import Settings
from care.catalog import PATIENT_COMMANDS, Catalog
from care.db import staff
from care.db.worker import Database

log = logging.getLogger(__name__)

STAFF_COMMANDS = [
    BotCommand("enrol", "Enrol a patient, step by step"),
    BotCommand("today", "Today's appointments"),
    BotCommand("upcoming", "Appointments of the next days"),
    BotCommand("invite", "New invite link and QR code for a patient"),
    BotCommand("schedule", "Care messages of an appointment"),
    BotCommand("done", "Mark an appointment done"),
    BotCommand("patient", "A patient's card: number, name or phone"),
    BotCommand("reschedule", "Move an appointment: number, date, time"),
    BotCommand("cancel_appt", "Cancel an appointment"),
    BotCommand("noshow", "Record a no-show"),
    BotCommand("add_session", "Add a session: patient, date, time"),
    BotCommand("cancel", "Stop the enrolment in progress"),
]
ADMIN_COMMANDS = [
    *STAFF_COMMANDS,
    BotCommand("staff", "Staff members and staff invites"),
    BotCommand("export", "Export the records as CSV"),
    BotCommand("export_patient", "Everything stored about one patient"),
    BotCommand("forget", "Erase a patient's personal data"),
]


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


async def show_staff_menu(bot: Bot, user_id: int, *, admin: bool) -> None:
    """Give this person's private chat the staff (or admin) command menu."""
    try:
        await bot.set_my_commands(
            ADMIN_COMMANDS if admin else STAFF_COMMANDS, scope=BotCommandScopeChat(user_id)
        )
    except TelegramError as error:
        log.warning("could not set the staff menu for user %s: %s", user_id, error)


async def hide_staff_menu(bot: Bot, user_id: int) -> None:
    """Back to the default (patient) menu in this person's private chat."""
    try:
        await bot.delete_my_commands(scope=BotCommandScopeChat(user_id))
    except TelegramError as error:
        log.warning("could not remove the staff menu of user %s: %s", user_id, error)


async def show_staff_menus(bot: Bot, settings: Settings, db: Database) -> None:
    """At start-up: every admin and every current staff member gets their menu."""
    for admin_id in sorted(settings.admin_ids):
        await show_staff_menu(bot, admin_id, admin=True)
    for member in await db.run(staff.active):
        if member.user_id not in settings.admin_ids:
            await show_staff_menu(bot, member.user_id, admin=False)
