"""Runs the real application inside the test's event loop against the local Bot API stand-in.

    async with running_desk(tmp_path, clock) as desk:
        admin = desk.chat(ADMIN_ID)
        (reply,) = await admin.send("/today")
        answer, (edited,) = await admin.press(reply, button_data(reply, "▶"))

The application is the one `python -m bot` runs (`build_application`, with its post_init), with
a FakeClock for the domain's time. Each `send` or `press` waits until the bot has produced the
number of outputs (messages sent or edited in that chat) the test expects and until the
application has finished with the update, and returns the outputs; a `press` also waits for the
button's answerCallbackQuery. Updates are fed one at a time, so counting outputs per chat is
deterministic.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.app import build_application, load_care
from bot.services import CareApp, Services
from bot.settings import load_settings
from tests.conftest import FakeClock
from tests.fakes.bot_api import ApiCall, FakeBotApi

ADMIN_ID = 1001
TOKEN = "123456:TEST-token-for-the-local-stand-in"
OUTPUT_METHODS = frozenset(
    {"sendMessage", "sendPhoto", "sendDocument", "editMessageText", "editMessageReplyMarkup"}
)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass
class Desk:
    api: FakeBotApi
    app: CareApp

    @property
    def services(self) -> Services:
        services: Services = self.app.bot_data["services"]
        return services

    def chat(self, user_id: int, *, first_name: str = "Test") -> Chat:
        return Chat(self.api, self.app, user_id, first_name=first_name)


@asynccontextmanager
async def running_desk(tmp_path: Path, clock: FakeClock, **env: str) -> AsyncIterator[Desk]:
    """The stand-in and the application, polling it, until the block ends."""
    with FakeBotApi() as api:
        settings = load_settings(
            {
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "ADMIN_IDS": str(ADMIN_ID),
                "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{api.port}",
                "DATABASE_PATH": str(tmp_path / "mesocare.db"),
                "CLINIC_NAME": "Test Clinic",
                "DEFAULT_LANGUAGE": "en",
                "QUIET_HOURS": "00:00-00:00",
                "POLL_SECONDS": "60",
                **env,
            }
        )
        protocol, catalog = load_care(settings)
        app = build_application(settings, protocol=protocol, catalog=catalog, clock=clock)
        async with app:
            assert app.post_init is not None and app.post_shutdown is not None
            assert app.updater is not None
            await app.post_init(app)
            await app.updater.start_polling(poll_interval=0, timeout=1)
            await app.start()
            try:
                yield Desk(api, app)
            finally:
                await app.updater.stop()
                await app.stop()
                await app.post_shutdown(app)


class Chat:
    """One Telegram user in their private chat with the bot."""

    def __init__(
        self, api: FakeBotApi, app: CareApp, user_id: int, *, first_name: str = "Test"
    ) -> None:
        self.api = api
        self.app = app
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
        (*_, answer) = await asyncio.to_thread(
            self.api.wait_for,
            lambda call: call.method == "answerCallbackQuery",
            count=answers + 1,
        )
        return answer, await self._outputs_after(before, expect)

    async def choose(self, question: ApiCall, label: str) -> ApiCall:
        """Tap the button labelled `label` under a question that marks the choice in place and
        asks the next one; return the next question."""
        _, (_, following) = await self.press(question, button_data(question, label), expect=2)
        return following

    async def _outputs_after(self, before: int, expect: int) -> list[ApiCall]:
        if expect:
            await asyncio.to_thread(
                self.api.wait_for,
                lambda call: _output_to(call, self.user_id),
                count=before + expect,
            )
        await self.app.update_queue.join()  # the handler has returned, its state is saved
        return self.outputs()[before : before + expect]


def text_of(call: ApiCall) -> str:
    return str(call.params.get("text") or call.params.get("caption") or "")


def buttons(call: ApiCall) -> dict[str, str]:
    """The inline buttons under a sent or edited message: label -> callback data."""
    markup: dict[str, Any] = call.params.get("reply_markup") or {}
    return {
        button["text"]: button["callback_data"]
        for row in markup.get("inline_keyboard", [])
        for button in row
    }


def button_data(call: ApiCall, label: str) -> str:
    """The data of the button labelled `label`, else of the one whose label contains it."""
    labelled = buttons(call)
    if label in labelled:
        return labelled[label]
    found = [data for text, data in labelled.items() if label in text]
    assert len(found) == 1, f"{len(found)} buttons match {label!r}: {list(labelled)}"
    return found[0]


def message_id(call: ApiCall) -> int:
    if call.method.startswith("edit"):
        return int(call.params["message_id"])
    assert call.result is not None, f"{call.method} failed: {call.status}"
    return int(call.result["message_id"])


def _output_to(call: ApiCall, chat_id: int) -> bool:
    return call.method in OUTPUT_METHODS and call.params.get("chat_id") == chat_id
