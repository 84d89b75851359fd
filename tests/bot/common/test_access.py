"""Every staff command, as whoever must not use it, through the real application: a polite
refusal and not one byte of the database changed.

The commands are read from the built application, so a command added later is covered
without touching this file; a command meant for everyone must be named in PUBLIC_COMMANDS.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from telegram.ext import BaseHandler, CommandHandler, ConversationHandler

from care.content.catalog import DEFAULT_MESSAGES_DIR, load_catalog
from care.db import staff
from care.schedule.protocol import DEFAULT_PROTOCOL_PATH
from tests.driver import ADMIN_ID, BlockingDriver, answered_clearly, bot_env
from tests.factories import linked_patients
from tests.problems import staff_text

REFUSAL = staff_text("en", "staff.wrong_chat")
ADMIN_REFUSAL = staff_text("en", "staff.admin_only")

# Commands for patients and strangers (issue 4's patient menu, /start, a conversation's
# /cancel). Everything else the application registers is a staff command.
PUBLIC_COMMANDS = frozenset(
    {"start", "help", "appointments", "care", "faq", "language", "channel", "stop", "cancel"}
)
STRANGER = 3003
PATIENT = 2002
FORMER_STAFF = 4004
STAFF = 4005
STAFF_GROUP = -1002220000000
OTHER_GROUP = -1001110000000
# Staff read English; patients and strangers are refused in their language, from the catalog.
REFUSALS = (
    REFUSAL,
    ADMIN_REFUSAL,
    load_catalog(DEFAULT_MESSAGES_DIR).text("en", "patient.staff_only"),
)


def registered_commands(handlers: dict[int, list[BaseHandler[Any, Any, Any]]]) -> set[str]:
    found: set[str] = set()

    def visit(handler: object) -> None:
        if isinstance(handler, CommandHandler):
            found.update(handler.commands)
        elif isinstance(handler, ConversationHandler):
            nested = [*handler.entry_points, *handler.fallbacks]
            nested += [h for state in handler.states.values() for h in state]
            for inner in nested:
                visit(inner)

    for group in handlers.values():
        for handler in group:
            visit(handler)
    return found


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BlockingDriver]:
    tmp_path = tmp_path_factory.mktemp("access")
    now = datetime.now(UTC)
    linked_patients(
        tmp_path / "mesocare.db",
        [PATIENT],
        starts_at=now + timedelta(days=20),
        now=now,
        protocol_path=DEFAULT_PROTOCOL_PATH,
    )
    running = BlockingDriver(bot_env(tmp_path, STAFF_CHAT_ID=str(STAFF_GROUP)))
    with running.db() as conn:
        for member in (FORMER_STAFF, STAFF):
            staff.add(conn, user_id=member, display_name="Staff", added_by="test", now=1)
        staff.remove(conn, FORMER_STAFF, now=2)
    with running:
        yield running


def _staff_commands(bot: BlockingDriver) -> list[str]:
    commands = registered_commands(bot.app.handlers)
    return sorted(commands - PUBLIC_COMMANDS)


def test_the_application_has_staff_commands_to_guard(bot: BlockingDriver) -> None:
    assert {"enrol", "done", "schedule", "forget", "export_patient"} <= set(_staff_commands(bot))


@pytest.mark.parametrize("who", [STRANGER, PATIENT, FORMER_STAFF])
def test_no_staff_command_works_for_someone_who_is_not_staff(bot: BlockingDriver, who: int) -> None:
    for command in _staff_commands(bot):
        before = bot.dump()
        reply = bot.say(who, f"/{command} 1 2031-01-01 10:00")
        assert reply.params["text"] in REFUSALS, (command, reply.params["text"])
        assert bot.dump() == before, command


def test_no_staff_command_works_in_a_group_other_than_the_staff_group(bot: BlockingDriver) -> None:
    for command in _staff_commands(bot):
        before = bot.dump()
        reply = bot.say(ADMIN_ID, f"/{command} 1", chat_id=OTHER_GROUP, chat_type="supergroup")
        assert reply.params["text"] in REFUSALS, (command, reply.params["text"])
        assert bot.dump() == before, command


def test_staff_commands_work_in_private_and_in_the_staff_group(bot: BlockingDriver) -> None:
    private = bot.say(STAFF, "/schedule 1")
    in_group = bot.say(ADMIN_ID, "/schedule 1", chat_id=STAFF_GROUP, chat_type="supergroup")
    for reply in (private, in_group):
        assert reply.params["text"] not in REFUSALS
        assert str(reply.params["text"]).startswith("🗓 #1 · ")
        assert "Pre-session reminder" in reply.params["text"]


@pytest.mark.parametrize("command", ["forget", "export_patient", "stats"])
def test_admin_commands_are_refused_to_staff(bot: BlockingDriver, command: str) -> None:
    before = bot.dump()
    reply = bot.say(STAFF, f"/{command} 1")
    assert reply.params["text"] == ADMIN_REFUSAL
    assert bot.dump() == before


FORGED_BUTTONS = [
    "forget:1:yes",
    "ans:1:blood_thinner",
    "ans:999999999:something_wrong",
    "card:1",
    "page:2",
    "",
    "x" * 64,
    "ans:1:understood\u200b",
]


@pytest.mark.parametrize("who", [STRANGER, PATIENT, FORMER_STAFF])
def test_forged_buttons_are_answered_and_change_nothing(bot: BlockingDriver, who: int) -> None:
    for data in FORGED_BUTTONS:
        before = bot.dump()
        assert answered_clearly(bot, who, data), data
        assert bot.dump() == before, data
