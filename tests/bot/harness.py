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

from bot.services import CareApp, Services
from tests.bot.app_env import app_env, build_app, services_of, serving
from tests.bot.calls import button_data, message_id
from tests.conftest import FakeClock
from tests.fakes.bot_api import ApiCall, FakeBotApi

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
        return services_of(self.app)

    def chat(
        self, user_id: int, *, first_name: str = "Test", language_code: str | None = None
    ) -> Chat:
        return Chat(self.api, self.app, user_id, first_name=first_name, language_code=language_code)


@asynccontextmanager
async def running_desk(tmp_path: Path, clock: FakeClock, **env: str) -> AsyncIterator[Desk]:
    """The stand-in and the application, polling it, until the block ends."""
    with FakeBotApi() as api:
        app = build_app(app_env(api, tmp_path, POLL_SECONDS="60", **env), clock=clock)
        async with serving(app):
            yield Desk(api, app)


class Chat:
    """One Telegram user in their private chat with the bot."""

    def __init__(
        self,
        api: FakeBotApi,
        app: CareApp,
        user_id: int,
        *,
        first_name: str = "Test",
        language_code: str | None = None,
    ) -> None:
        """`language_code`: the user's Telegram app language, sent with everything they do."""
        self.api = api
        self.app = app
        self.user_id = user_id
        self.first_name = first_name
        self.language_code = language_code

    def outputs(self) -> list[ApiCall]:
        """Every message the bot sent or edited in this chat, in order."""
        return [call for call in self.api.calls() if _output_to(call, self.user_id)]

    async def send(self, text: str, *, expect: int = 1) -> list[ApiCall]:
        """Type `text`; return the `expect` outputs it causes."""
        before = len(self.outputs())
        self.api.send_text(
            self.user_id, text, first_name=self.first_name, language_code=self.language_code
        )
        return await self._outputs_after(before, expect)

    async def press(
        self, message: ApiCall, data: str, *, expect: int = 1
    ) -> tuple[ApiCall, list[ApiCall]]:
        """Press a button with `data` under `message`; return its answer and `expect` outputs."""
        answers = len(self.api.calls("answerCallbackQuery"))
        before = len(self.outputs())
        self.api.press_button(
            self.user_id, data, message_id=message_id(message), language_code=self.language_code
        )
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


def _output_to(call: ApiCall, chat_id: int) -> bool:
    return call.method in OUTPUT_METHODS and call.params.get("chat_id") == chat_id
