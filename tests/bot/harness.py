"""Compatibility shim over the in-process driver (tests/driver.py): chats that count replies.

    async with running_desk(tmp_path, clock) as desk:
        admin = desk.chat(ADMIN_ID)
        (reply,) = await admin.send("/today")
        answer, (edited,) = await admin.press(reply, button_data(reply, "▶"))

Each `send` or `press` settles the driver (the update handled, what it poked delivered) and
returns the first `expect` outputs (messages sent or edited in that chat) it caused.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.services import CareApp, Services
from tests.bot.calls import button_data, message_id
from tests.conftest import FakeClock
from tests.driver import OUTPUT_METHODS, Driver, driving
from tests.fakes.bot_api import ApiCall, FakeBotApi

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass
class Desk:
    driver: Driver

    @property
    def api(self) -> FakeBotApi:
        return self.driver.api

    @property
    def app(self) -> CareApp:
        return self.driver.app

    @property
    def services(self) -> Services:
        return self.driver.services

    def chat(self, user_id: int, *, first_name: str = "Test") -> Chat:
        return Chat(self.driver, user_id, first_name=first_name)


@asynccontextmanager
async def running_desk(tmp_path: Path, clock: FakeClock, **env: str) -> AsyncIterator[Desk]:
    """The application, in process, until the block ends."""
    async with driving(tmp_path, clock, env=env) as driver:
        yield Desk(driver)


class Chat:
    """One Telegram user in their private chat with the bot."""

    def __init__(self, driver: Driver, user_id: int, *, first_name: str = "Test") -> None:
        self.driver = driver
        self.api = driver.api
        self.user_id = user_id
        self.first_name = first_name

    def outputs(self) -> list[ApiCall]:
        """Every message the bot sent or edited in this chat, in order."""
        return [call for call in self.api.calls() if _output_to(call, self.user_id)]

    async def send(self, text: str, *, expect: int = 1) -> list[ApiCall]:
        """Type `text`; return the `expect` outputs it causes."""
        before = len(self.outputs())
        self.api.send_text(self.user_id, text, first_name=self.first_name)
        return await self._outputs_after(before, expect)

    async def press(
        self, message: ApiCall, data: str, *, expect: int = 1
    ) -> tuple[ApiCall, list[ApiCall]]:
        """Press a button with `data` under `message`; return its answer and `expect` outputs."""
        answers = len(self.api.calls("answerCallbackQuery"))
        before = len(self.outputs())
        self.api.press_button(self.user_id, data, message_id=message_id(message))
        outputs = await self._outputs_after(before, expect)
        answered = self.api.calls("answerCallbackQuery")
        assert len(answered) > answers, "the button was not answered"
        return answered[answers], outputs

    async def choose(self, question: ApiCall, label: str) -> ApiCall:
        """Tap the button labelled `label` under a question that marks the choice in place and
        asks the next one; return the next question."""
        _, (_, following) = await self.press(question, button_data(question, label), expect=2)
        return following

    async def _outputs_after(self, before: int, expect: int) -> list[ApiCall]:
        await self.driver.settle()
        outputs = self.outputs()[before:]
        assert len(outputs) >= expect, f"expected {expect} output(s), got {len(outputs)}"
        return outputs[:expect]


def _output_to(call: ApiCall, chat_id: int) -> bool:
    return call.method in OUTPUT_METHODS and call.params.get("chat_id") == chat_id
