"""The real application, run inside the test's own event loop against the local Bot API
stand-in: the handlers, the database worker, the sender and the alerts are the ones the bot
runs; only the clock is a FakeClock, so no test waits for a date.

    async with DeskBot(api, tmp_path, clock) as desk:
        api.send_text(STAFF, "/patient 12")
        (card,) = await desk.wait_for(text_to(STAFF, "patient #12"))

The safety tick is slow (POLL_SECONDS=300), so delivery runs when a handler pokes it or a
test calls `tick()`; `wait_for` blocks a worker thread, never the loop the bot runs on.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

from bot.app import build_application, load_care
from bot.services import CareApp, Services
from bot.settings import load_settings
from care.enrolment import Booking, Enrolment, enrol
from tests.conftest import FakeClock
from tests.e2e.harness import STAFF_ID, TOKEN
from tests.fakes.bot_api import ApiCall, FakeBotApi

T = TypeVar("T")
__all__ = [
    "STAFF_ID",
    "DeskBot",
    "bot_message_id",
    "button_data",
    "edit_in",
    "enrol_patient",
    "link",
    "sent_to",
]


class DeskBot:
    def __init__(self, api: FakeBotApi, tmp_path: Path, clock: FakeClock, **env: str) -> None:
        self.api = api
        self.clock = clock
        self.database_path = tmp_path / "mesocare.db"
        self._env = {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "ADMIN_IDS": str(STAFF_ID),
            "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{api.port}",
            "DATABASE_PATH": str(self.database_path),
            "CLINIC_NAME": "Test Clinic",
            "CLINIC_PHONE": "+98 21 1234 5678",
            "CLINIC_ADDRESS": "1 Test Street",
            "DEFAULT_LANGUAGE": "en",
            "QUIET_HOURS": "00:00-00:00",
            "POLL_SECONDS": "300",
            **env,
        }
        self._app: CareApp | None = None

    @property
    def app(self) -> CareApp:
        assert self._app is not None, "use DeskBot as an async context manager"
        return self._app

    @property
    def services(self) -> Services:
        services: Services = self.app.bot_data["services"]
        return services

    async def __aenter__(self) -> Self:
        settings = load_settings(self._env)
        protocol, catalog = load_care(settings)
        self._app = build_application(
            settings, protocol=protocol, catalog=catalog, clock=self.clock
        )
        await self.app.initialize()
        assert self.app.post_init is not None and self.app.updater is not None
        await self.app.post_init(self.app)  # run_polling would call it: it opens the database
        await self.app.updater.start_polling(poll_interval=0)
        await self.app.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self.app.updater is not None and self.app.post_shutdown is not None
        await self.app.updater.stop()
        await self.app.stop()
        await asyncio.gather(*self.services.background, return_exceptions=True)
        await self.app.shutdown()
        await self.app.post_shutdown(self.app)

    async def wait_for(
        self, predicate: Callable[[ApiCall], bool], *, count: int = 1, within: float = 10.0
    ) -> list[ApiCall]:
        return await asyncio.to_thread(self.api.wait_for, predicate, count=count, timeout=within)

    async def idle(self) -> None:
        """Until the bot has made no request for a moment (its handlers have answered)."""
        await asyncio.to_thread(self.api.wait_until_idle, quiet=0.3)

    async def db(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run `work(conn, ...)` on the bot's own database thread."""
        return await self.services.db.run(work, *args, **kwargs)

    async def tick(self) -> None:
        """One whole run of the real delivery clock at the fake clock's time (send what is
        due, then the checks and staff alerts after it), awaited to its end: the run `poke`
        arms is taken off the scheduler and run here instead."""
        self.services.delivery.poke()
        job_queue = self.app.job_queue
        assert job_queue is not None
        (job,) = job_queue.get_jobs_by_name("deliver-next")  # jobs.wakeup's wake-up job
        job.schedule_removal()
        await job.run(self.app)

    def dump(self) -> str:
        """The whole database as SQL, to show that something changed nothing."""
        conn = sqlite3.connect(self.database_path)
        try:
            return "\n".join(conn.iterdump())
        finally:
            conn.close()


def sent_to(chat_id: int, needle: str, *, after: float = 0.0) -> Callable[[ApiCall], bool]:
    """A successful sendMessage/sendDocument to `chat_id` (text or caption has `needle`),
    made after the monotonic time `after`."""

    def matches(call: ApiCall) -> bool:
        return (
            call.method in ("sendMessage", "sendDocument")
            and call.status == 200
            and call.at > after
            and call.params.get("chat_id") == chat_id
            and needle in str(call.params.get("text", call.params.get("caption", "")))
        )

    return matches


def edit_in(chat_id: int, needle: str, *, after: float = 0.0) -> Callable[[ApiCall], bool]:
    """A successful message edit in `chat_id` whose new text contains `needle`."""

    def matches(call: ApiCall) -> bool:
        return (
            call.method == "editMessageText"
            and call.status == 200
            and call.at > after
            and call.params.get("chat_id") == chat_id
            and needle in str(call.params.get("text", ""))
        )

    return matches


def bot_message_id(api: FakeBotApi, chat_id: int, needle: str) -> int:
    """The id of the bot's latest message in `chat_id` whose current text contains `needle`.

    The stand-in records requests, not the messages it answered with, so this looks at the
    messages it keeps (the ones a user can press buttons under).
    """
    with api._cond:
        found = [
            message_id
            for (chat, message_id), message in api._messages.items()
            if chat == chat_id
            and message["from"].get("is_bot")
            and needle in message.get("text", "")
        ]
    assert found, f"no bot message in chat {chat_id} contains {needle!r}"
    return max(found)


def button_data(call: ApiCall) -> list[str]:
    """The callback data of every inline button of a sent or edited message, row by row."""
    markup = call.params.get("reply_markup") or {}
    return [button["callback_data"] for row in markup.get("inline_keyboard", []) for button in row]


async def enrol_patient(
    desk: DeskBot,
    name: str,
    *,
    phone: str | None = None,
    language: str = "en",
    sessions: int = 1,
    ahead: timedelta = timedelta(days=4),
) -> Enrolment:
    """Enrol through the domain (the desk's own enrolment is tested elsewhere)."""
    booking = Booking(
        full_name=name,
        starts_at=desk.clock.now() + ahead,
        language=language,
        session_count=sessions,
        area="face",
        phone=phone,
    )
    return await desk.db(
        enrol,
        booking,
        plan=desk.services.plan,
        actor=f"telegram:{STAFF_ID}",
        invite_days=14,
        now=desk.clock.now(),
    )


async def link(desk: DeskBot, enrolment: Enrolment, chat_id: int) -> None:
    """The patient opens their invite link, as they would in Telegram."""
    desk.api.send_text(chat_id, f"/start {enrolment.token}")
    await desk.wait_for(sent_to(chat_id, "Test Clinic"))
