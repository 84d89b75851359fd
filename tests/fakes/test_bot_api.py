"""Tests of the Bot API stand-in, driven by python-telegram-bot's real ``Bot`` as the client."""

from __future__ import annotations

import asyncio
import datetime as dtm
import http.client
import json
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    MessageEntity,
)
from telegram.error import (
    BadRequest,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)

from tests.fakes.bot_api import BALE_METHODS, FakeBotApi, _RateLimiter

TOKEN = "123456:TEST-token"
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(d.upper(), callback_data=d) for d in data]])


@pytest.fixture(autouse=True)
def _timedelta_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    """PTB 22 warns (an error here) when RetryAfter is built without opting in to timedelta."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    with FakeBotApi() as api:
        yield api


@pytest.fixture
def limited() -> Iterator[FakeBotApi]:
    with FakeBotApi(enforce_limits=True) as api:
        yield api


def _bot_for(api: FakeBotApi) -> Bot:
    return Bot(TOKEN, base_url=api.base_url, base_file_url=api.base_file_url)


@pytest.fixture
def bale() -> Iterator[FakeBotApi]:
    with FakeBotApi(flavour="bale") as api:
        yield api


@pytest.fixture
async def bot(fake: FakeBotApi) -> AsyncIterator[Bot]:
    async with _bot_for(fake) as client:
        yield client


@pytest.fixture
async def limited_bot(limited: FakeBotApi) -> AsyncIterator[Bot]:
    async with _bot_for(limited) as client:
        yield client


@pytest.fixture
async def bale_bot(bale: FakeBotApi) -> AsyncIterator[Bot]:
    async with _bot_for(bale) as client:
        yield client


# --- answers ----------------------------------------------------------------------------------


async def test_get_me_answers_the_configured_bot() -> None:
    with FakeBotApi(bot_username="other_bot", bot_id=4242) as api:
        async with _bot_for(api) as client:
            me = await client.get_me()
        assert api.base_url == f"http://127.0.0.1:{api.port}/bot"
    assert (me.username, me.id, me.is_bot, me.first_name) == ("other_bot", 4242, True, "Mesocare")
    assert client.username == "other_bot"


async def test_send_message_is_recorded_with_decoded_params(fake: FakeBotApi, bot: Bot) -> None:
    first = await bot.send_message(42, "سلام 42", reply_markup=_keyboard("yes", "no"))
    second = await bot.send_message(42, "42")

    sent = fake.calls("sendMessage")
    assert [call.params["text"] for call in sent] == ["سلام 42", "42"]
    assert sent[0].params["chat_id"] == 42
    assert sent[0].params["reply_markup"] == {
        "inline_keyboard": [
            [{"text": "YES", "callback_data": "yes"}, {"text": "NO", "callback_data": "no"}]
        ]
    }
    assert (first.message_id, second.message_id) == (1, 2)
    assert first.reply_markup == _keyboard("yes", "no")
    assert first.from_user is not None and first.from_user.username == "mesocare_test_bot"
    assert fake.messages_to(42) == sent
    assert fake.messages_to(43) == []


async def test_message_ids_count_per_chat(bot: Bot) -> None:
    await bot.send_message(1, "a")
    other_chat = await bot.send_message(2, "b")
    assert other_chat.message_id == 1
    assert other_chat.chat.type == "private"


async def test_unknown_methods_are_recorded_and_answered_true(fake: FakeBotApi, bot: Bot) -> None:
    assert await bot.do_api_request("someFutureMethod", api_kwargs={"flag": True}) is True
    assert fake.calls("someFutureMethod")[0].params == {"flag": True}


async def test_commands_are_stored_per_scope_and_language(bot: Bot) -> None:
    await bot.set_my_commands([BotCommand("start", "شروع")], language_code="fa")
    assert await bot.get_my_commands(language_code="fa") == (BotCommand("start", "شروع"),)
    assert await bot.get_my_commands() == ()
    await bot.delete_my_commands(language_code="fa")
    assert await bot.get_my_commands(language_code="fa") == ()


async def test_send_photo_records_the_bytes_and_serves_the_file(fake: FakeBotApi, bot: Bot) -> None:
    content = bytes(range(256)) + b"\r\n--not-a-boundary\r\n"
    message = await bot.send_photo(3, content, caption="QR")

    assert fake.calls("sendPhoto")[0].params["photo"] == content
    assert message.caption == "QR"
    assert message.photo[-1].file_size == len(content)
    file = await bot.get_file(message.photo[-1].file_id)
    assert bytes(await file.download_as_bytearray()) == content


async def test_send_document_keeps_filename_and_type(fake: FakeBotApi, bot: Bot) -> None:
    upload = InputFile(b"%PDF-1.4", filename="care.pdf")
    message = await bot.send_document(3, upload)

    assert message.document is not None
    assert (message.document.file_name, message.document.mime_type) == (
        "care.pdf",
        "application/pdf",
    )
    assert fake.calls("sendDocument")[0].params["document"] == b"%PDF-1.4"
    assert [call.method for call in fake.messages_to(3)] == ["sendDocument"]


async def test_edit_replaces_text_drops_keyboard_and_rejects_no_change(bot: Bot) -> None:
    sent = await bot.send_message(9, "question", reply_markup=_keyboard("a"))

    edited = await bot.edit_message_text("answered", chat_id=9, message_id=sent.message_id)
    assert not isinstance(edited, bool)
    assert (edited.text, edited.reply_markup, edited.message_id) == ("answered", None, 1)
    assert edited.edit_date is not None
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text("answered", chat_id=9, message_id=sent.message_id)
    remarked = await bot.edit_message_reply_markup(9, sent.message_id, reply_markup=_keyboard("b"))
    assert not isinstance(remarked, bool)
    assert (remarked.text, remarked.reply_markup) == ("answered", _keyboard("b"))


async def test_malformed_params_answer_400(fake: FakeBotApi, bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)invalid parameters"):
        await bot.edit_message_text("x", chat_id=1)  # no message_id
    assert fake.calls("editMessageText")[0].status == 400


def test_a_json_body_and_a_bad_path_are_understood(fake: FakeBotApi) -> None:
    request = urllib.request.Request(
        f"{fake.base_url}{TOKEN}/sendMessage",
        data=json.dumps({"chat_id": 5, "text": "curl"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert json.load(response)["result"]["text"] == "curl"
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(f"http://127.0.0.1:{fake.port}/nothing", timeout=5)
    missing.value.close()
    assert missing.value.code == 404


# --- updates ----------------------------------------------------------------------------------


async def test_text_update_has_command_entity_and_is_confirmed_by_offset(
    fake: FakeBotApi, bot: Bot
) -> None:
    update_id = fake.send_text(7, "/start abc", username="patient")
    fake.send_text(7, "hello")

    updates = await bot.get_updates(timeout=0)
    assert [u.update_id for u in updates] == [update_id, update_id + 1]
    message = updates[0].message
    assert message is not None and message.from_user is not None
    assert (message.text, message.chat.id, message.from_user.username) == (
        "/start abc",
        7,
        "patient",
    )
    assert message.entities == (MessageEntity(MessageEntity.BOT_COMMAND, 0, 6),)
    assert updates[1].message is not None and updates[1].message.entities == ()

    later = await bot.get_updates(offset=update_id + 2, timeout=0)
    assert later == ()
    assert len(fake.calls("getUpdates")) == 2
    assert fake.calls() == [call for call in fake.calls() if call.method != "getUpdates"]


async def test_group_message_has_group_chat(fake: FakeBotApi, bot: Bot) -> None:
    fake.send_text(7, "/help@mesocare_test_bot", chat_id=-100, chat_type="group")
    (update,) = await bot.get_updates(timeout=0)
    assert update.message is not None
    assert (update.message.chat.id, update.message.chat.type) == (-100, "group")
    assert update.message.entities[0].length == len("/help@mesocare_test_bot")


async def test_press_button_arrives_as_callback_query(fake: FakeBotApi, bot: Bot) -> None:
    sent = await bot.send_message(5, "Did it hurt?", reply_markup=_keyboard("yes"))
    fake.press_button(5, "yes", message_id=sent.message_id)

    (update,) = await bot.get_updates(timeout=0)
    query = update.callback_query
    assert query is not None and query.message is not None
    assert (query.data, query.from_user.id) == ("yes", 5)
    assert isinstance(query.message, Message)
    assert (query.message.message_id, query.message.text) == (sent.message_id, "Did it hurt?")
    assert await query.answer("ok") is True
    assert fake.calls("answerCallbackQuery")[0].params["callback_query_id"] == query.id


async def test_long_poll_wakes_when_an_update_arrives(fake: FakeBotApi, bot: Bot) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    started = time.monotonic()
    fake.send_text(1, "hi")
    updates = await poll
    assert len(updates) == 1
    assert time.monotonic() - started < 1.0


async def test_drop_pending_updates_empties_the_queue(fake: FakeBotApi, bot: Bot) -> None:
    fake.send_text(1, "stale")
    assert await bot.delete_webhook(drop_pending_updates=True) is True
    assert await bot.get_updates(timeout=0) == ()


# --- faults -----------------------------------------------------------------------------------


async def test_fail_next_429_raises_retry_after_then_succeeds(fake: FakeBotApi, bot: Bot) -> None:
    fake.fail_next("sendMessage", status=429, retry_after=3)

    with pytest.raises(RetryAfter) as error:
        await bot.send_message(1, "x")
    assert error.value.retry_after == dtm.timedelta(seconds=3)
    await bot.send_message(1, "x")
    assert [call.status for call in fake.calls("sendMessage")] == [429, 200]
    assert fake.too_many_requests == 0


async def test_fail_next_only_hits_the_given_chat_and_times(fake: FakeBotApi, bot: Bot) -> None:
    fake.fail_next("sendMessage", status=500, times=2, chat_id=1)

    await bot.send_message(2, "other chat")
    for _ in range(2):
        with pytest.raises(NetworkError, match="Internal Server Error"):
            await bot.send_message(1, "x")
    await bot.send_message(1, "x")
    assert [call.status for call in fake.calls("sendMessage")] == [200, 500, 500, 200]
    assert [call.params["text"] for call in fake.messages_to(1)] == ["x"]


async def test_block_chat_forbids_sends_until_unblocked(fake: FakeBotApi, bot: Bot) -> None:
    fake.block_chat(8)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(8, "x")
    await bot.send_message(9, "other chat")
    fake.unblock_chat(8)
    await bot.send_message(8, "x")
    assert [call.status for call in fake.calls("sendMessage")] == [403, 200, 200]


async def test_delay_next_provokes_a_client_timeout(fake: FakeBotApi, bot: Bot) -> None:
    fake.delay_next("sendMessage", 0.3)
    with pytest.raises(TimedOut):
        await bot.send_message(1, "slow", read_timeout=0.05)
    (late,) = await asyncio.to_thread(fake.wait_for, lambda call: call.method == "sendMessage")
    assert late.status == 200
    started = time.monotonic()
    await bot.send_message(1, "fast", read_timeout=1)
    assert time.monotonic() - started < 0.25  # the delay was used up


# --- flood limits -----------------------------------------------------------------------------


async def test_more_than_30_sends_a_second_get_429() -> None:
    refused: list[RetryAfter] = []
    with FakeBotApi(enforce_limits=True, limits_clock=lambda: 1000.0) as stopped:  # one instant
        async with _bot_for(stopped) as bot:
            for chat_id in range(1000, 1040):
                try:
                    await bot.send_message(chat_id, "x")
                except RetryAfter as error:
                    refused.append(error)
    assert len(refused) == 10
    assert refused[0].retry_after == dtm.timedelta(seconds=1)
    assert stopped.too_many_requests == 10
    statuses = [call.status for call in stopped.calls("sendMessage")]
    assert statuses == [200] * 30 + [429] * 10


async def test_private_chat_gets_a_burst_of_three(limited: FakeBotApi, limited_bot: Bot) -> None:
    for _ in range(3):
        await limited_bot.send_message(1, "x")
    with pytest.raises(RetryAfter):
        await limited_bot.send_message(1, "x")
    await limited_bot.send_message(2, "another chat is not limited")
    assert limited.too_many_requests == 1


async def test_group_chat_gets_20_a_minute(limited: FakeBotApi, limited_bot: Bot) -> None:
    for _ in range(20):
        await limited_bot.send_message(-100, "x")
    with pytest.raises(RetryAfter):
        await limited_bot.send_message(-100, "x")
    assert limited.calls()[-1].status == 429


async def test_limits_are_off_by_default(fake: FakeBotApi, bot: Bot) -> None:
    for _ in range(5):
        await bot.send_message(1, "x")
    assert fake.too_many_requests == 0


def test_rate_limiter_rule_with_a_fake_clock() -> None:
    limiter = _RateLimiter()
    assert [limiter.acquire(1, 0.0) for _ in range(3)] == [None, None, None]
    assert limiter.acquire(1, 0.5) == 1  # 0.5 token: wait 0.5 s, rounded up
    assert limiter.acquire(1, 1.0) is None  # refilled one token
    assert limiter.acquire(1, 1.0) == 1
    assert [limiter.acquire(-5, 2.0 + n) for n in range(20)] == [None] * 20
    assert limiter.acquire(-5, 30.0) == 32  # the first group send leaves the window at 62 s
    assert limiter.acquire(-5, 62.0) is None


def test_global_limit_is_a_sliding_second() -> None:
    limiter = _RateLimiter()
    assert all(limiter.acquire(None, 0.01 * n) is None for n in range(30))
    assert limiter.acquire(None, 0.5) == 1
    assert limiter.acquire(None, 1.0) is None  # the send at 0.0 left the window


# --- the Bale flavour -------------------------------------------------------------------------


async def test_bale_answers_404_to_the_methods_it_lacks(bale: FakeBotApi, bale_bot: Bot) -> None:
    with pytest.raises(InvalidToken, match="Not Found"):
        await bale_bot.set_my_commands([BotCommand("start", "شروع")])
    with pytest.raises(InvalidToken, match="Not Found"):
        await bale_bot.set_chat_menu_button()
    with pytest.raises(EndPointNotFound):
        await bale_bot.do_api_request("someFutureMethod")
    assert [call.status for call in bale.calls() if call.method != "getMe"] == [404, 404, 404]
    assert {"setMyCommands", "setChatMenuButton", "close", "logOut"}.isdisjoint(BALE_METHODS)


async def test_bale_serves_what_a_polling_bot_needs(bale: FakeBotApi, bale_bot: Bot) -> None:
    assert bale_bot.username == "mesocare_test_bot"  # getMe, at initialize
    assert await bale_bot.delete_webhook(drop_pending_updates=True) is True
    sent = await bale_bot.send_message(5, "درد داشت؟", reply_markup=_keyboard("yes"))
    bale.press_button(5, "yes", message_id=sent.message_id)
    (update,) = await bale_bot.get_updates(timeout=0)
    assert update.callback_query is not None and update.callback_query.data == "yes"
    assert await update.callback_query.answer() is True
    edited = await bale_bot.edit_message_text("ممنون", chat_id=5, message_id=sent.message_id)
    assert not isinstance(edited, bool) and edited.text == "ممنون"
    photo = await bale_bot.send_photo(5, b"png", caption="QR")
    assert photo.caption == "QR"
    assert {call.status for call in bale.calls()} == {200}


async def test_bale_accepts_only_markdown(bale: FakeBotApi, bale_bot: Bot) -> None:
    sent = await bale_bot.send_message(1, "*مهم*", parse_mode="Markdown")
    assert sent.text == "*مهم*"
    for mode in ("MarkdownV2", "HTML"):
        with pytest.raises(BadRequest, match=r"(?i)unsupported parse_mode"):
            await bale_bot.send_message(1, "<b>مهم</b>", parse_mode=mode)
    with pytest.raises(BadRequest, match=r"(?i)unsupported parse_mode"):
        await bale_bot.send_photo(1, b"png", caption="<b>QR</b>", parse_mode="HTML")
    assert [call.params["text"] for call in bale.messages_to(1)] == ["*مهم*"]


async def test_telegram_accepts_its_three_parse_modes_only(fake: FakeBotApi, bot: Bot) -> None:
    for mode in ("Markdown", "MarkdownV2", "HTML"):
        await bot.send_message(1, "x", parse_mode=mode)
    with pytest.raises(BadRequest, match=r"(?i)unsupported parse_mode"):
        await bot.send_message(1, "x", parse_mode="BBCode")
    assert len(fake.messages_to(1)) == 3


async def test_bale_groups_are_plain_groups(bale: FakeBotApi, bale_bot: Bot, bot: Bot) -> None:
    on_bale = await bale_bot.send_message(-1001234, "x")
    on_telegram = await bot.send_message(-1001234, "x")
    assert (on_bale.chat.type, on_telegram.chat.type) == ("group", "supergroup")
    with pytest.raises(ValueError, match="bale has no 'supergroup' chats"):
        bale.send_text(7, "/help", chat_id=-1001234, chat_type="supergroup")
    bale.send_text(7, "/help", chat_id=-1001234, chat_type="group")
    (update,) = await bale_bot.get_updates(timeout=0)
    assert update.message is not None and update.message.chat.type == "group"


def test_bale_flood_answer_says_bot_limit_exceed() -> None:
    with FakeBotApi(flavour="bale", enforce_limits=True) as api:
        for _ in range(3):
            _post_message(api)
        with pytest.raises(urllib.error.HTTPError) as refused:
            _post_message(api)
        body = json.load(refused.value)
        refused.value.close()
    assert refused.value.code == 429
    assert body == {
        "ok": False,
        "error_code": 429,
        "description": "bot limit exceed",
        "parameters": {"retry_after": 1},
    }


def test_deep_links_follow_the_flavour() -> None:
    on_bale = FakeBotApi(flavour="bale", bot_username="clinic_bot").deep_link("inv-7")
    on_telegram = FakeBotApi(bot_username="clinic_bot").deep_link("inv-7")
    assert on_bale == "https://ble.ir/clinic_bot?start=inv-7"
    assert on_telegram == "https://t.me/clinic_bot?start=inv-7"


def test_unknown_flavour_and_bad_jitter_are_refused() -> None:
    with pytest.raises(ValueError, match="flavour must be one of"):
        FakeBotApi(flavour="eitaa")
    with pytest.raises(ValueError, match="jitter <= latency"):
        FakeBotApi(latency=0.1, jitter=0.2)
    with pytest.raises(ValueError, match="jitter"):
        FakeBotApi(latency=0.1, jitter=-0.01)


# --- artificial round trips -------------------------------------------------------------------


async def test_concurrent_sends_overlap_their_round_trips() -> None:
    with FakeBotApi(latency=0.2) as api:
        async with _bot_for(api) as client:
            started = time.monotonic()
            await asyncio.gather(*(client.send_message(1000 + n, f"m{n}") for n in range(20)))
            elapsed = time.monotonic() - started
        delays = {call.delay for call in api.calls("sendMessage")}
    assert len(api.calls("sendMessage")) == 20
    assert delays == {0.2}
    assert elapsed >= 0.2
    assert elapsed < 2.0  # one after another they would take 20 x 0.2 = 4 s


def test_round_trips_are_uniform_in_latency_plus_or_minus_jitter() -> None:
    api = FakeBotApi(latency=0.15, jitter=0.03, seed=7)
    draws = [api._round_trip() for _ in range(2000)]
    assert 0.12 <= min(draws) < 0.125
    assert 0.175 < max(draws) <= 0.18
    again = FakeBotApi(latency=0.15, jitter=0.03, seed=7)
    assert [again._round_trip() for _ in range(2000)] == draws  # a seed repeats the run
    assert FakeBotApi()._round_trip() == 0.0


async def test_each_answer_waits_its_drawn_round_trip() -> None:
    with FakeBotApi(latency=0.1, jitter=0.05, seed=3) as api:
        async with _bot_for(api) as client:
            took = []
            for n in range(3):
                started = time.monotonic()
                await client.send_message(1, f"m{n}")
                took.append(time.monotonic() - started)
        delays = [call.delay for call in api.calls("sendMessage")]
    assert all(0.05 <= delay <= 0.15 for delay in delays)
    assert len(set(delays)) == 3
    assert all(spent >= delay for spent, delay in zip(took, delays, strict=True))


async def test_a_long_poll_is_only_held_back_by_the_round_trip() -> None:
    with FakeBotApi(latency=0.2) as api:
        async with _bot_for(api) as client:
            poll = asyncio.create_task(client.get_updates(timeout=5))
            await asyncio.sleep(0.1)  # let the poll reach the server
            started = time.monotonic()
            api.send_text(1, "hi")
            updates = await poll
            elapsed = time.monotonic() - started
    assert len(updates) == 1
    assert 0.2 <= elapsed < 1.5  # woken by the update, then one round trip


async def test_flood_limits_are_judged_when_the_request_arrives() -> None:
    with FakeBotApi(latency=0.5, enforce_limits=True) as api:
        async with _bot_for(api) as client:
            sends = [asyncio.create_task(client.send_message(1, "x")) for _ in range(4)]
            await asyncio.to_thread(api.wait_for, lambda call: call.status == 429, timeout=5)
            answered_before_the_refusal = [task.done() for task in sends]
            results = await asyncio.gather(*sends, return_exceptions=True)
        assert api.too_many_requests == 1
    assert answered_before_the_refusal == [False] * 4  # decided on arrival, answered later
    assert sum(isinstance(result, RetryAfter) for result in results) == 1


async def test_wait_until_idle_waits_for_held_back_answers() -> None:
    with FakeBotApi(latency=0.3) as api:
        async with _bot_for(api) as client:
            sending = asyncio.create_task(client.send_message(1, "x"))
            (call,) = await asyncio.to_thread(
                api.wait_for, lambda call: call.method == "sendMessage"
            )
            await asyncio.to_thread(api.wait_until_idle, quiet=0.01, timeout=5)
            assert time.monotonic() - call.at >= 0.3  # not idle while the answer was held back
            await sending


# --- waiting and inspection -------------------------------------------------------------------


async def test_wait_for_counts_recorded_calls(fake: FakeBotApi, bot: Bot) -> None:
    await bot.send_message(1, "a")
    sending = asyncio.create_task(bot.send_message(1, "b"))
    found = await asyncio.to_thread(
        fake.wait_for, lambda call: call.method == "sendMessage", count=2, timeout=5
    )
    await sending
    assert [call.params["text"] for call in found] == ["a", "b"]


async def test_wait_for_timeout_reports_recent_calls(fake: FakeBotApi, bot: Bot) -> None:
    await bot.send_message(1, "visible in the report")
    with pytest.raises(AssertionError, match="visible in the report") as error:
        fake.wait_for(lambda call: call.method == "sendPhoto", timeout=0.05)
    assert "expected 1 matching call(s)" in str(error.value)


def _until_a_request_is_running(api: FakeBotApi) -> None:
    deadline = time.monotonic() + 5
    while api._in_flight == 0 and time.monotonic() < deadline:
        time.sleep(0.005)


async def test_wait_until_idle_waits_for_a_running_request(fake: FakeBotApi, bot: Bot) -> None:
    fake.delay_next("sendMessage", 0.2)
    sending = asyncio.create_task(bot.send_message(1, "x"))
    await asyncio.to_thread(_until_a_request_is_running, fake)
    await asyncio.to_thread(fake.wait_until_idle, quiet=0.05, timeout=5)
    assert [call.status for call in fake.calls("sendMessage")] == [200]
    await sending


def test_wait_until_idle_times_out_while_busy(fake: FakeBotApi) -> None:
    fake.delay_next("sendMessage", 0.3)
    worker = threading.Thread(target=_post_message, args=(fake,))
    worker.start()
    _until_a_request_is_running(fake)
    with pytest.raises(AssertionError, match="not idle"):
        fake.wait_until_idle(quiet=0.01, timeout=0.1)
    worker.join()


def _post_message(api: FakeBotApi) -> None:
    body = b"chat_id=1&text=x"
    with urllib.request.urlopen(f"{api.base_url}{TOKEN}/sendMessage", data=body, timeout=5):
        pass


async def test_reset_calls_forgets_the_history(fake: FakeBotApi, bot: Bot) -> None:
    await bot.send_message(1, "x")
    fake.reset_calls()
    assert fake.calls() == []
    assert fake.messages_to(1) == []


# --- lifecycle --------------------------------------------------------------------------------


def test_stop_closes_keep_alive_connections_and_joins_threads() -> None:
    before = set(threading.enumerate())
    api = FakeBotApi()
    api.start()
    api.start()  # idempotent
    connection = http.client.HTTPConnection("127.0.0.1", api.port, timeout=5)
    connection.request("POST", f"/bot{TOKEN}/getMe")
    assert json.loads(connection.getresponse().read())["result"]["is_bot"] is True
    started = time.monotonic()
    api.stop()  # the connection is still open and idle
    connection.close()
    assert time.monotonic() - started < 1.0
    assert set(threading.enumerate()) <= before  # no server thread left
    with pytest.raises(RuntimeError):
        _ = api.port


async def test_stop_answers_a_pending_long_poll_at_once(fake: FakeBotApi, bot: Bot) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await asyncio.sleep(0.2)  # let the poll reach the server
    started = time.monotonic()
    await asyncio.to_thread(fake.stop)
    assert await poll == ()
    assert time.monotonic() - started < 1.0
    assert [call.status for call in fake.calls("getUpdates")] == [200]


def test_cli_serves_until_interrupted() -> None:
    command = [sys.executable, "-m", "tests.fakes.bot_api", "--port", "0", "--enforce-limits"]
    # Started as a background job of a non-interactive shell would start it: SIGINT ignored.
    with subprocess.Popen(
        command,
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    ) as server:
        try:
            assert server.stdout is not None
            base_url = server.stdout.readline().split()[0].removeprefix("base_url=")
            with urllib.request.urlopen(f"{base_url}{TOKEN}/getMe", data=b"", timeout=5) as answer:
                assert json.load(answer)["result"]["username"] == "mesocare_test_bot"
            server.send_signal(signal.SIGINT)
            assert server.wait(timeout=5) == 0
        finally:
            if server.poll() is None:  # a failed test must not leave the suite waiting on it
                server.kill()
