"""The real application, run inside the test's event loop against the local Bot API stand-in,
with a FakeClock, so a test reaches any day of the care journey without sleeping.

    async with live_bot(api, tmp_path) as bot:
        appointment = await bot.patient(PATIENT, "Sara Ahmadi", bot.local(days=3, at="14:00"), "en")
        await bot.advance_to(bot.local(days=2, at="12:00"))   # and deliver what is due
        await bot.expect(text_to(PATIENT, opening("en", "steps.pre_care")))

A compatibility shim over the in-process driver (tests/driver.py): only the fake clock decides
what is due, and messages go out when the test calls `deliver` (or `advance_to`) and when the
bot pokes its sender after a change to the schedule (a link, /done, /start after /stop): the
driver's recording wake delivers a settled poke at once, as the real clock does.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from bot.patient.reschedule_buttons import Picker, Press, decode, encode
from bot.services import Services
from care.content.catalog import DEFAULT_MESSAGES_DIR, load_catalog
from care.core.text_input import normalize_digits
from care.schedule.protocol import NEEDS_HUMAN
from tests.calls import button_pairs, edit_of, message_id, text_of, text_to
from tests.conftest import FakeClock
from tests.driver import CLINIC_PHONE, EMERGENCY_PHONE, STAFF_ID, Driver, driving
from tests.fakes.bot_api import ApiCall, FakeBotApi
from tests.fakes.schedule import opening as catalog_opening

T = TypeVar("T")
TEHRAN = ZoneInfo("Asia/Tehran")
CATALOG = load_catalog(DEFAULT_MESSAGES_DIR)
_INVITE = re.compile(r"\?start=([A-Za-z0-9_-]+)")
# The appointment's number in the staff reply, in English ("#12") or Persian («نوبت شمارهٔ ۱۲»).
_APPOINTMENT = re.compile("(?:#|\u0634\u0645\u0627\u0631\u0647\u0654 \u2068)(\\d+)")


def first_day() -> datetime:
    """Midnight in Tehran, over a year after the real today (see the module docstring)."""
    day = (datetime.now(UTC) + timedelta(days=400)).date()
    return datetime.combine(day, time(0, 0), tzinfo=TEHRAN)


class LiveBot:
    """The driver, with the patient journey's own vocabulary: days of the test, enrolling and
    linking as staff and patient do, and the reply a tap gets now."""

    def __init__(self, driver: Driver, day0: datetime) -> None:
        self.driver = driver
        self.api = driver.api
        self.clock = driver.clock
        self.day0 = day0

    @property
    def services(self) -> Services:
        return self.driver.services

    async def expect(
        self, predicate: Callable[[ApiCall], bool], *, count: int = 1
    ) -> list[ApiCall]:
        """The first `count` calls that match, once everything queued is handled."""
        return await self.driver.expect(predicate, count=count)

    async def settle(self) -> None:
        await self.driver.settle()

    async def db(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run `work(conn, ...)` on the bot's own database thread."""
        return await self.driver.db(work, *args, **kwargs)

    def dump(self) -> str:
        return self.driver.dump()

    def local(self, *, days: int = 0, at: str = "10:00") -> datetime:
        """The UTC instant when Tehran's clocks show `at` on day `days` of the test."""
        hours, minutes = (int(part) for part in at.split(":"))
        wall = self.day0 + timedelta(days=days)
        return wall.replace(hour=hours, minute=minutes).astimezone(UTC)

    def reply_key(self, answer: str) -> str:
        """The catalog key of the reply to a tap on `answer` now: a tap that needs a person
        gets the closed-clinic reply while the clinic is closed (the test's days fall on
        whatever weekday the real date gives)."""
        closed = not self.services.settings.working_time.is_open(self.clock.now())
        return f"closed.{answer}" if answer in NEEDS_HUMAN and closed else f"replies.{answer}"

    async def send(self, user_id: int, text: str) -> None:
        self.api.send_text(user_id, text)

    async def press(self, user_id: int, data: str, *, message_id: int) -> None:
        self.api.press_button(user_id, data, message_id=message_id)

    async def deliver(self) -> None:
        """Send every care message due by the fake clock, then every stored staff alert."""
        await self.driver.settle()
        await self.driver.tick()

    async def advance_to(self, at: datetime) -> None:
        assert at >= self.clock.now(), "the fake clock only moves forward"
        self.clock.at = at
        await self.deliver()

    async def patient(self, chat_id: int, name: str, starts_at: datetime, lang: str) -> int:
        """Enrol, open the invite and choose `lang`: a linked patient; their appointment id."""
        appointment, token = await self.enrol(name, starts_at)
        await self.link(chat_id, token, lang)
        return appointment

    async def link(self, chat_id: int, token: str, lang: str) -> None:
        """Open the invite as the patient and pick `lang` under the welcome."""
        await self.send(chat_id, f"/start {token}")
        (welcome,) = await self.expect(text_to(chat_id, opening("fa", "patient.language_prompt")))
        await self.press(chat_id, f"lang:welcome:{lang}", message_id=message_id(welcome))
        await self.expect(text_to(chat_id, CATALOG.text(lang, "patient.language_set")))

    async def enrol(self, name: str, starts_at: datetime) -> tuple[int, str]:
        """Enrol through /enrol as staff; the appointment id and the invite token."""
        local = starts_at.astimezone(TEHRAN)
        before = len([call for call in self.api.calls() if _invite_to_staff(call)])
        await self.send(STAFF_ID, f"/enrol {name} {local:%Y-%m-%d %H:%M}")
        calls = await self.expect(_invite_to_staff, count=before + 1)
        text = str(calls[-1].params["text"])
        appointment = _APPOINTMENT.search(normalize_digits(text))
        token = _INVITE.search(text)
        assert appointment is not None and token is not None, text
        return int(appointment[1]), token[1]


def opening(lang: str, key: str) -> str:
    """A stretch of a catalog text that no placeholder interrupts and no other text shares:
    enough to tell which message arrived, whatever the names and dates in it."""
    return catalog_opening(key, lang)


def say(lang: str, key: str) -> str:
    """A catalog text as the bot writes it when it needs only the clinic's and the emergency
    phone numbers."""
    values = {"clinic_phone": CLINIC_PHONE, "emergency_phone": EMERGENCY_PHONE}
    wanted = CATALOG.placeholders(lang, key)
    return CATALOG.text(lang, key, **{name: values[name] for name in wanted})


def _invite_to_staff(call: ApiCall) -> bool:
    return (
        call.method == "sendMessage"
        and call.params.get("chat_id") == STAFF_ID
        and "?start=" in str(call.params.get("text", ""))
    )


@asynccontextmanager
async def live_bot(
    api: FakeBotApi,
    tmp_path: Path,
    *,
    start: str = "10:00",
    bale_api: FakeBotApi | None = None,
    **env: str,
) -> AsyncIterator[LiveBot]:
    """The application in process, with the fake clock at `start` Tehran time on day 0; `env`
    overrides settings (with Bale's, `bale_api` answers the Bale application)."""
    # Persian first, real quiet hours.
    defaults = {"DEFAULT_LANGUAGE": "fa", "QUIET_HOURS": "22:00-08:00"}
    day0 = first_day()
    hours, minutes = (int(part) for part in start.split(":"))
    clock = FakeClock(day0.replace(hour=hours, minute=minutes).astimezone(UTC))
    async with driving(tmp_path, clock, api=api, bale_api=bale_api, env=defaults | env) as driver:
        yield LiveBot(driver, day0)


async def ask_another_time(
    bot: LiveBot,
    chat_id: int,
    message: ApiCall,
    lang: str,
    *,
    days: tuple[int, ...] = (0,),
    parts: tuple[int, ...] = (0,),
) -> ApiCall:
    """Tap "I need another time" under `message`, then in the picker tick the offered days and
    parts of the day numbered `days` and `parts` (from 0: morning, afternoon, evening), one tap
    each, and Send: the edit of the picker that says it was sent."""
    data = next(d for _, d in button_pairs(message) if d.endswith(":another_time"))
    await bot.press(chat_id, data, message_id=message_id(message))
    await bot.expect(text_to(chat_id, opening(lang, "reschedule.ask")))
    picker = _latest(bot, text_to(chat_id, opening(lang, "reschedule.ask")))
    shown = picker
    ticks = [("part", p) for p in parts] + [("day", d) for d in days]
    for kind, index in ticks:
        current = _state(shown)
        wanted = current.with_part(index) if kind == "part" else current.with_day(index)
        toggle = encode(Press.TOGGLE, wanted)
        assert toggle in [d for _, d in button_pairs(shown)], (kind, index)
        await bot.press(chat_id, toggle, message_id=message_id(picker))
        await bot.settle()
        shown = _latest(bot, edit_of("editMessageReplyMarkup", chat_id, message_id(picker)))
        assert _state(shown) == wanted
    await bot.press(chat_id, encode(Press.SEND, _state(shown)), message_id=message_id(picker))
    await bot.settle()
    return _latest(bot, edit_of("editMessageText", chat_id, message_id(picker)))


def _state(call: ApiCall) -> Picker:
    sends = [decode(d) for _, d in button_pairs(call) if d.startswith("rq:s:")]
    (found,) = sends
    assert found is not None
    return found[1]


def _latest(bot: LiveBot, predicate: Callable[[ApiCall], bool]) -> ApiCall:
    found = [call for call in bot.api.calls() if predicate(call)]
    assert found, [(c.method, text_of(c)[:60], button_pairs(c)[:2]) for c in bot.api.calls()[-8:]]
    return found[-1]
