"""The one in-process driver: the real application (`bot.app.build_application`: the real
handlers, database, sender and alerts), fed updates with `process_update` and answered by a
recording request object instead of HTTP, so a test waits on nothing.

    async with driving(tmp_path, clock) as bot:
        staff = bot.chat(ADMIN_ID)
        (reply,) = await staff.send("/enrol Sara Ahmadi 2026-12-10 14:30")
        await staff.press("▶")                   # by visible text, or by callback data
        await bot.advance(timedelta(days=2))     # the fake clock moves, the sender runs once

How it stays event-driven:
- Every Bot API call goes through `RecordingRequest`, which hands it to a `FakeBotApi` that is
  never started: the stand-in's rules (message ids, edits, "message is not modified", faults,
  blocked chats) without a socket. `api.calls()` is the record.
- `send` and `press` queue an update in the stand-in and `settle` feeds it to
  `application.process_update`, which returns when the handlers have; then the sender runs if
  a handler poked it, then the staff alerts in the background are awaited. Nothing polls.
- The sender's clock is `RecordingWake` (the `jobs.wakeup.Wake` protocol) instead of the JobQueue
  timers: it counts pokes, and delivery runs when a poke is settled or the test calls `tick`.
- The pacer runs on virtual time (`VirtualTime`): Telegram's limits are still applied in order,
  but a wait moves a counter instead of sleeping.

With Bale set (BALE_BOT_TOKEN in `env`), the Bale application runs beside it on a second
stand-in of Bale's flavour (`driver.apis["bale"]`, `bot.chat(user, channel="bale")`), and
`cut(channel)` makes a channel's stand-in unreachable, as a stopped server is, until `restore`.

The application is initialised and post_init run, but never started (no polling); its job queue
runs for conversation timeouts only, the real wake clock's timers taken off it. The HTTP
stand-in stays for the process-level tests (tests/e2e) and the benchmark.
"""

from __future__ import annotations

import asyncio
import functools
import json
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, NamedTuple, TypeVar

import httpx
from telegram import Update
from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import ODVInput
from telegram.error import NetworkError
from telegram.request import BaseRequest, RequestData

from bot.app import build_application, checks_then_alerts, load_care_files
from bot.services import CareApp, Services
from bot.settings import load_settings
from care.content.catalog import Catalog
from care.core.channels import TELEGRAM
from care.db.connection import connect
from care.people.enrolment import Enrolment
from care.schedule.protocol import CareProtocol
from jobs.channels.bale import BALE
from jobs.pacing import Pacer
from jobs.retry import RetryPolicy
from tests.conftest import FakeClock
from tests.factories import NAME, enrolled
from tests.fakes.bot_api import ApiCall, FakeBotApi, JsonDict, UploadedFile

T = TypeVar("T")

ADMIN_ID = 1001
STAFF_ID = ADMIN_ID  # the desk and patient tests call the one admin "staff"
TOKEN = "123456:TEST-token-for-the-in-process-driver"
CLINIC_NAME = "Test Clinic"
CLINIC_PHONE = "+98 21 1234 5678"
CLINIC_ADDRESS = "1 Test Street"
EMERGENCY_PHONE = "115"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# What counts as the bot writing in a chat: a new message, or an edit of one of its messages.
OUTPUT_METHODS = frozenset(
    {"sendMessage", "sendPhoto", "sendDocument", "editMessageText", "editMessageReplyMarkup"}
)


@functools.cache
def _care(protocol_path: Path, messages_dir: Path) -> tuple[CareProtocol, Catalog]:
    """The protocol and message files, read and checked once per test process (about half a
    second each time otherwise): the bot only reads them."""
    return load_care_files(protocol_path, messages_dir)


def bot_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """Settings for a test bot whose database lives in `tmp_path`. The API root is a local port
    nothing listens on: the driver never uses it, and nothing can reach Telegram by mistake."""
    env = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "ADMIN_IDS": str(ADMIN_ID),
        "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9",
        "DATABASE_PATH": str(tmp_path / "mesocare.db"),
        "CLINIC_NAME": CLINIC_NAME,
        "CLINIC_PHONE": CLINIC_PHONE,
        "CLINIC_ADDRESS": CLINIC_ADDRESS,
        "EMERGENCY_PHONE": EMERGENCY_PHONE,
        "DEFAULT_LANGUAGE": "en",
        "QUIET_HOURS": "00:00-00:00",
        "POLL_SECONDS": "300",
    }
    return env | overrides


class RecordingRequest(BaseRequest):
    """python-telegram-bot's request object, answered in this process by the stand-in."""

    def __init__(self, api: FakeBotApi, cut_off: Callable[[], bool] = lambda: False) -> None:
        self._api = api
        self._cut_off = cut_off

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._cut_off():  # as HTTPXRequest reports a refused connection: nothing was sent
            raise NetworkError("httpx.ConnectError: cut off") from httpx.ConnectError("cut off")
        status, body = self._api.answer_call(url.rsplit("/", 1)[-1], _params(request_data))
        return status, json.dumps(body).encode()


def _params(request_data: RequestData | None) -> JsonDict:
    """The call's parameters as the stand-in decodes them from HTTP: plain values, and each
    uploaded file as its bytes with its name and type."""
    if request_data is None:
        return {}
    params: JsonDict = dict(request_data.parameters)
    for name, (filename, content, mime_type) in request_data.multipart_data.items():
        data = content if isinstance(content, bytes) else content.read()
        params[name] = UploadedFile(data, filename=filename, mime_type=mime_type)
    return params


class VirtualTime:
    """The pacer's clock: a wait for Telegram's limits moves it on instead of sleeping."""

    def __init__(self) -> None:
        self.now = 0.0
        self.waited = 0.0

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.waited += seconds
        await asyncio.sleep(0)  # still a point where other tasks may run, as a real wait is


@dataclass
class RecordingWake:
    """The sender's clock (`jobs.wakeup.Wake`) as a recording fake: it counts pokes, and
    the driver delivers on demand."""

    pokes: int = 0
    delivered_pokes: int = 0
    stopped: bool = False

    def poke(self) -> None:
        self.pokes += 1

    async def stop(self) -> None:
        self.stopped = True

    @property
    def pending(self) -> bool:
        """A poke since the last delivery run."""
        return self.pokes > self.delivered_pokes


@dataclass
class Driver:
    """The running application, the stand-in that records its calls, and the fake clock."""

    app: CareApp
    api: FakeBotApi
    clock: FakeClock
    wake: RecordingWake
    pacing: VirtualTime
    deliver_on_poke: bool = True
    deliveries: int = 0
    apis: dict[str, FakeBotApi] = field(default_factory=dict)  # by channel, Telegram's too
    cut_off: set[str] = field(default_factory=set)  # channels whose stand-in is unreachable
    _chats: dict[tuple[str, int], Chat] = field(default_factory=dict)

    @property
    def services(self) -> Services:
        services: Services = self.app.bot_data["services"]
        return services

    def chat(
        self,
        user_id: int,
        *,
        first_name: str = "Test",
        language_code: str | None = None,
        channel: str = TELEGRAM,
    ) -> Chat:
        """One user in their private chat with the bot on `channel`. `language_code` is their
        app's language, sent with everything they do (absent when not given); asking again
        with another one changes it from then on."""
        key = (channel, user_id)
        if key not in self._chats:
            self._chats[key] = Chat(self, user_id, first_name, language_code, channel)
        elif language_code is not None:
            self._chats[key].language_code = language_code
        return self._chats[key]

    def cut(self, channel: str) -> None:
        """The channel's stand-in stops answering: every call fails as on a dead network."""
        self.cut_off.add(channel)

    def restore(self, channel: str) -> None:
        self.cut_off.discard(channel)

    async def settle(self) -> None:
        """Until nothing is left to do: every queued update handled, a poked sender run (as the
        real clock would at once), every staff alert in the background sent."""
        while True:
            updates = []
            for channel, api in self.apis.items():
                app = self.services.apps[channel]
                for data in api.take_updates():
                    updates.append(data)
                    await app.process_update(Update.de_json(data, app.bot))
            ran = self.deliver_on_poke and self.wake.pending
            if ran:
                await self.tick()
            background = list(self.services.background)
            await asyncio.gather(*background)
            if not (updates or ran or background):
                return

    async def tick(self) -> None:
        """One whole run of the sender at the fake clock's time, as the real clock runs it: send
        what is due, then the checks the schedule implies and the stored staff alerts."""
        services = self.services
        assert services.dispatcher is not None and services.alerts is not None
        self.wake.delivered_pokes = self.wake.pokes
        self.deliveries += 1
        await services.dispatcher.deliver_due()
        await checks_then_alerts(services, services.alerts)()
        await asyncio.gather(*list(services.background))

    async def advance_to(self, when: datetime) -> None:
        """Move the fake clock forward to `when`, then run the sender once."""
        assert when >= self.clock.now(), "the fake clock only moves forward"
        self.clock.at = when
        await self.tick()
        await self.settle()

    async def advance(self, delta: timedelta) -> None:
        await self.advance_to(self.clock.now() + delta)

    async def expect(
        self, predicate: Callable[[ApiCall], bool], *, count: int = 1, channel: str = TELEGRAM
    ) -> list[ApiCall]:
        """Once everything queued is handled, the first `count` calls to `channel` that match;
        fails at once when fewer did (there is nothing left to wait for)."""
        await self.settle()
        matches = [call for call in self.apis[channel].calls() if predicate(call)]
        assert len(matches) >= count, f"expected {count} matching call(s), got {len(matches)}"
        return matches[:count]

    async def enrol(
        self, name: str = NAME, *, ahead: timedelta = timedelta(days=4), **details: Any
    ) -> Enrolment:
        """A patient enrolled through the domain, by the admin, `ahead` of now (the desk's own
        enrolment is tested in tests/bot/enrol); `details` as for `factories.booking`."""
        return await self.db(
            enrolled,
            self.services.plan,
            self.clock.now(),
            actor=f"telegram:{ADMIN_ID}",
            name=name,
            starts_in=ahead,
            area=details.pop("area", "face"),
            **details,
        )

    async def link(self, enrolment: Enrolment, chat_id: int) -> None:
        """The patient opens their invite link, as they would in Telegram."""
        await self.chat(chat_id).send(f"/start {enrolment.token}")

    async def db(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run `work(conn, ...)` on the bot's own database thread."""
        return await self.services.db.run(work, *args, **kwargs)

    def dump(self) -> str:
        """The whole database as SQL, to show that something changed nothing."""
        conn = sqlite3.connect(self.services.settings.database_path)
        try:
            return "\n".join(conn.iterdump())
        finally:
            conn.close()

    def outputs(self, chat_id: int, channel: str = TELEGRAM) -> list[ApiCall]:
        """Every message the bot sent or edited in `chat_id` on `channel`, in order."""
        return [call for call in self.apis[channel].calls() if _output_to(call, chat_id)]


class Chat:
    """A user's private chat: what they type and press, and what the bot wrote back.

    `send` and `press` return the first `expect` outputs (messages the bot sent or edited in
    this chat) they caused, after asserting that at least that many came; `replies()` has all.
    """

    def __init__(
        self,
        driver: Driver,
        user_id: int,
        first_name: str,
        language_code: str | None = None,
        channel: str = TELEGRAM,
    ) -> None:
        self.driver = driver
        self.user_id = user_id
        self.first_name = first_name
        self.language_code = language_code
        self.api = driver.apis[channel]

    def replies(self) -> list[ApiCall]:
        """Every message the bot sent or edited in this chat, in order."""
        return [call for call in self.api.calls() if _output_to(call, self.user_id)]

    @property
    def last_reply(self) -> ApiCall:
        replies = self.replies()
        assert replies, f"the bot has written nothing to {self.user_id}"
        return replies[-1]

    async def send(self, text: str, *, expect: int = 1) -> list[ApiCall]:
        """Type `text`."""
        before = len(self.replies())
        self.api.send_text(
            self.user_id, text, first_name=self.first_name, language_code=self.language_code
        )
        return await self._outputs_after(before, expect)

    async def press(self, button: str, *, under: ApiCall | None = None, expect: int = 1) -> Pressed:
        """Press the button whose visible text or callback data is `button`: under the message
        `under` (where a `button` no button has is sent as forged callback data), else under the
        newest message that has one. Returns the answer to the tap and the outputs."""
        if under is None:
            message_id, data = self._find(button)
        else:
            message_id, data = _message_id(under), _data_under(under, button)
        answers = len(self.api.calls("answerCallbackQuery"))
        before = len(self.replies())
        self.api.press_button(
            self.user_id, data, message_id=message_id, language_code=self.language_code
        )
        outputs = await self._outputs_after(before, expect)
        answered = self.api.calls("answerCallbackQuery")[answers:]
        assert answered, f"the button {button!r} was not answered"
        return Pressed(answered[0], outputs)

    async def choose(self, question: ApiCall, label: str) -> ApiCall:
        """Tap `label` under a question that marks the choice in place and asks the next one;
        return the next question."""
        _, (_, following) = await self.press(label, under=question, expect=2)
        return following

    def buttons(self) -> list[tuple[str, str]]:
        """(label, data) of the buttons under the bot's newest message that has any."""
        for message in reversed(self.api.bot_messages(self.user_id)):
            found = _buttons(message)
            if found:
                return found
        return []

    async def _outputs_after(self, before: int, expect: int) -> list[ApiCall]:
        await self.driver.settle()
        outputs = self.replies()[before:]
        assert len(outputs) >= expect, f"expected {expect} output(s), got {len(outputs)}"
        return outputs[:expect]

    def _find(self, button: str) -> tuple[int, str]:
        for message in reversed(self.api.bot_messages(self.user_id)):
            found = _matching(_buttons(message), button)
            if found is not None:
                return int(message["message_id"]), found
        raise AssertionError(f"no button {button!r} in chat {self.user_id}")


class Pressed(NamedTuple):
    """What pressing a button caused: Telegram's answer to the tap, and the chat's outputs."""

    answer: ApiCall
    outputs: list[ApiCall]

    @property
    def answer_text(self) -> str:
        return str(self.answer.params.get("text") or "")


def _matching(pairs: list[tuple[str, str]], button: str) -> str | None:
    """The data of the button labelled `button` (or with `button` as its data), else of the
    only one whose label contains it."""
    exact = [data for label, data in pairs if button in (label, data)]
    partial = [data for label, data in pairs if button in label]
    if exact or len(partial) == 1:
        return (exact or partial)[0]
    return None


def _data_under(message: ApiCall, button: str) -> str:
    markup: Any = message.params.get("reply_markup") or {}
    rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
    pairs = [(b["text"], b.get("callback_data", "")) for row in rows for b in row]
    found = _matching(pairs, button)
    return button if found is None else found


def _message_id(call: ApiCall) -> int:
    """The id of the message a call edited, or the one the stand-in gave a sent message."""
    if call.method.startswith("edit"):
        return int(call.params["message_id"])
    assert call.status == 200 and isinstance(call.result, dict), f"{call.method} failed: {call}"
    return int(call.result["message_id"])


def _buttons(message: JsonDict) -> list[tuple[str, str]]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [(button["text"], button.get("callback_data", "")) for row in rows for button in row]


def _output_to(call: ApiCall, chat_id: int) -> bool:
    return call.method in OUTPUT_METHODS and call.params.get("chat_id") == chat_id


def driving(
    tmp_path: Path,
    clock: FakeClock,
    *,
    api: FakeBotApi | None = None,
    bale_api: FakeBotApi | None = None,
    retry: RetryPolicy | None = None,
    deliver_on_poke: bool = True,
    env: Mapping[str, str] | None = None,
) -> AbstractAsyncContextManager[Driver]:
    """The application `python -m bot` builds, with `env` over the test settings, served in the
    test's own event loop until the block ends; shut down as `run_polling` shuts it down.
    `bale_api` answers the Bale application's calls, when `env` sets Bale."""
    return driving_env(
        bot_env(tmp_path, **(env or {})),
        clock,
        api=api,
        bale_api=bale_api,
        retry=retry,
        deliver_on_poke=deliver_on_poke,
    )


@asynccontextmanager
async def driving_env(
    env: dict[str, str],
    clock: FakeClock,
    *,
    api: FakeBotApi | None = None,
    bale_api: FakeBotApi | None = None,
    retry: RetryPolicy | None = None,
    deliver_on_poke: bool = True,
) -> AsyncIterator[Driver]:
    """`driving`, with the whole settings environment given."""
    apis = {TELEGRAM: api or FakeBotApi()}  # never started: they answer in this process only
    pacing = VirtualTime()
    settings = load_settings(env)
    if settings.bale is not None:
        apis[BALE] = bale_api or FakeBotApi(flavour="bale")
    cut_off: set[str] = set()

    def requests(channel: str) -> RecordingRequest:
        return RecordingRequest(apis[channel], lambda: channel in cut_off)

    protocol, catalog = _care(settings.protocol_path, settings.messages_dir)
    app = build_application(
        settings,
        protocol=protocol,
        catalog=catalog,
        clock=clock,
        retry=retry,
        pacers=lambda per_second: Pacer(
            per_second=per_second, monotonic=pacing.monotonic, sleep=pacing.sleep
        ),
        requests=requests,
    )
    assert app.post_init is not None and app.post_shutdown is not None
    others = [other for other in app.bot_data["services"].apps.values() if other is not app]
    for each in [app, *others]:
        await each.initialize()
    await app.post_init(app)  # opens the database, recovers claims, arms the real wake clock
    wake = RecordingWake()
    app.bot_data["services"].wake = wake
    # The job queue runs (a conversation's timeout needs it), but without the real wake
    # clock's timers: the recording wake stands in for them.
    job_queue = app.job_queue
    assert job_queue is not None
    job_queue.scheduler.remove_all_jobs()
    await job_queue.start()
    driver = Driver(
        app,
        apis[TELEGRAM],
        clock,
        wake,
        pacing,
        deliver_on_poke=deliver_on_poke,
        apis=apis,
        cut_off=cut_off,
    )
    try:
        await driver.settle()
        yield driver
        await driver.settle()
    finally:
        await wake.stop()
        await job_queue.stop()
        await driver.services.drain_background()
        for each in [*reversed(others), app]:
            await each.shutdown()
        await app.post_shutdown(app)


class BlockingDriver:
    """The driver for plain test functions (hypothesis drives plain functions, and a module-wide
    bot is shared by many): the same application on an event loop of its own, which runs in the
    test's thread only while a call is being handled.

        with BlockingDriver(bot_env(tmp_path)) as bot:
            reply = bot.say(ADMIN_ID, "/schedule 1")
    """

    def __init__(
        self,
        env: dict[str, str],
        *,
        api: FakeBotApi | None = None,
        clock: FakeClock | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.clock = clock or FakeClock(datetime.now(UTC))
        self.db_path = Path(env["DATABASE_PATH"])
        self._loop = asyncio.new_event_loop()
        self._driving = driving_env(env, self.clock, api=api, retry=retry)
        self.driver: Driver | None = None

    def __enter__(self) -> BlockingDriver:
        self.driver = self._loop.run_until_complete(self._driving.__aenter__())
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            self._loop.run_until_complete(self._driving.__aexit__(exc_type, exc, traceback))
        finally:
            self._loop.close()

    @property
    def running(self) -> Driver:
        assert self.driver is not None, "use BlockingDriver in a with block"
        return self.driver

    @property
    def api(self) -> FakeBotApi:
        return self.running.api

    @property
    def app(self) -> CareApp:
        return self.running.app

    @property
    def services(self) -> Services:
        return self.running.services

    def settle(self) -> None:
        self._loop.run_until_complete(self.running.settle())

    def say(
        self, user_id: int, text: str, *, chat_id: int | None = None, chat_type: str = "private"
    ) -> ApiCall:
        """Send `text` as `user_id`; return the bot's next message in that chat."""
        chat = user_id if chat_id is None else chat_id
        before = len(self.api.messages_to(chat))
        self.api.send_text(user_id, text, chat_id=chat_id, chat_type=chat_type)
        self.settle()
        sent = self.api.messages_to(chat)[before:]
        assert sent, f"the bot sent nothing to {chat} after {len(text)} characters"
        return sent[0]

    def press(
        self, user_id: int, data: str, *, message_id: int, chat_id: int | None = None
    ) -> ApiCall:
        """Press an inline button; return the bot's answerCallbackQuery."""
        before = len(self.api.calls("answerCallbackQuery"))
        self.api.press_button(user_id, data, message_id=message_id, chat_id=chat_id)
        self.settle()
        answered = self.api.calls("answerCallbackQuery")[before:]
        assert answered, "the button was not answered"
        return answered[0]

    @contextmanager
    def db(self) -> Iterator[sqlite3.Connection]:
        """A second connection to the bot's database (WAL: it may write while the bot runs)."""
        conn = connect(self.db_path)
        try:
            yield conn
        finally:
            conn.close()

    def dump(self) -> str:
        """The whole database as SQL, to compare before and after."""
        return self.running.dump()


def answered_clearly(bot: BlockingDriver, user_id: int, data: str) -> bool:
    """Press a button with `data`: True if the bot said something about it, in the button's
    answer or in a message to the presser, rather than leaving them with a spinning button."""
    before = len(bot.api.messages_to(user_id))
    answer = bot.press(user_id, data, message_id=1)
    return bool(answer.params.get("text")) or len(bot.api.messages_to(user_id)) > before
