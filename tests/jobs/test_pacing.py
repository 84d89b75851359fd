"""The pacer books send slots under Telegram's limits; nothing here really sleeps."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram.error import RetryAfter

from jobs.pacing import (
    LATENESS_FORGIVEN,
    MAX_REPLY_WAIT,
    PER_SECOND,
    REPLY_RETRIES,
    Pacer,
    TelegramLimits,
    sender_reschedules,
)

TELEGRAM_PER_SECOND = 30


class FakeTime:
    """A monotonic clock that moves only when the pacer 'sleeps'."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sends: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def pacer(time: FakeTime) -> Pacer:
    return Pacer(monotonic=time.monotonic, sleep=time.sleep)


async def _send(pacer: Pacer, time: FakeTime, chat: int | str) -> float:
    """A reply or an alert: through the rate limiter only."""
    await pacer.wait_turn(chat)
    time.sends.append(time.now)
    return time.now


async def _send_care(pacer: Pacer, time: FakeTime, chat: int) -> float:
    """A care message: the sender waits for the chat's window, then the rate limiter."""
    await pacer.wait_for_chat(chat)
    return await _send(pacer, time, chat)


async def test_a_burst_to_many_chats_never_exceeds_the_global_rate(
    pacer: Pacer, time: FakeTime
) -> None:
    for chat in range(1, 201):
        await _send(pacer, time, chat)
    for first in time.sends:
        in_window = [t for t in time.sends if first <= t < first + 1.0]
        assert len(in_window) <= math.ceil(PER_SECOND) <= TELEGRAM_PER_SECOND - 1
    # The first after a quiet spell may take a slot a moment in the past (LATENESS_FORGIVEN).
    span = time.sends[-1] - time.sends[0]
    assert 199 / PER_SECOND - LATENESS_FORGIVEN <= span <= 199 / PER_SECOND + 1e-9


@settings(max_examples=60)
@given(late=st.lists(st.floats(0.0, LATENESS_FORGIVEN), min_size=200, max_size=200))
async def test_small_delays_on_the_way_to_each_send_do_not_slow_the_pace(late: list[float]) -> None:
    """Each send reaches the pacer up to LATENESS_FORGIVEN after its slot (the event loop woke
    a little late, a request was being built): the delays do not add up, and no second holds
    more than 29."""
    time = FakeTime()
    pacer = Pacer(monotonic=time.monotonic, sleep=time.sleep)
    for chat, delay in enumerate(late, start=1):
        await _send(pacer, time, chat)
        time.now += delay
    assert time.sends[-1] - time.sends[0] <= 199 / PER_SECOND + max(late)
    for first in time.sends:
        in_window = [t for t in time.sends if first <= t < first + 1.0]
        assert len(in_window) <= math.floor((1 + LATENESS_FORGIVEN) * PER_SECOND) + 1 == 29


async def test_care_messages_to_a_private_chat_come_three_at_most_then_one_a_second(
    pacer: Pacer, time: FakeTime
) -> None:
    stamps = [await _send_care(pacer, time, 42) for _ in range(6)]
    assert stamps[2] - stamps[0] < 0.1  # a short burst
    assert stamps[3] - stamps[0] == pytest.approx(3.0)
    for first, later in zip(stamps, stamps[3:], strict=False):
        assert later - first >= 3.0 - 1e-9  # never more than 3 in 3 seconds


async def test_replies_in_a_private_chat_are_not_held_back_but_count(
    pacer: Pacer, time: FakeTime
) -> None:
    replies = [await _send(pacer, time, 42) for _ in range(5)]
    assert replies[-1] - replies[0] < 0.5  # the person's own taps set that pace
    care = await _send_care(pacer, time, 42)
    assert care - replies[-3] >= 3.0  # the care message waits until the window has room


async def test_a_group_gets_twenty_messages_a_minute(pacer: Pacer, time: FakeTime) -> None:
    stamps = [await _send(pacer, time, -1001234) for _ in range(41)]
    assert stamps[19] - stamps[0] < 1.0
    assert stamps[20] - stamps[0] >= 60.0
    assert stamps[40] - stamps[20] >= 60.0


async def test_a_hold_delays_everything_until_it_ends(pacer: Pacer, time: FakeTime) -> None:
    pacer.hold(7)
    assert pacer.held_for() == pytest.approx(7)
    sent = await _send(pacer, time, 42)
    assert sent == pytest.approx(107.0)
    assert pacer.held_for() == 0


class _Recorder:
    """A Bot API call that fails with `error` the first `times` times (always, by default),
    noting when each try was made."""

    def __init__(
        self, error: Exception | None = None, times: int = 10**6, clock: FakeTime | None = None
    ) -> None:
        self.calls = 0
        self.error = error
        self.times = times
        self.clock = clock
        self.tried_at: list[float] = []

    async def __call__(self, *args: Any, **kwargs: Any) -> bool:
        self.calls += 1
        if self.clock is not None:
            self.tried_at.append(self.clock.now)
        if self.error is not None and self.calls <= self.times:
            raise self.error
        return True


async def test_the_limiter_paces_messages_but_not_polling(pacer: Pacer, time: FakeTime) -> None:
    limits = TelegramLimits(pacer)
    call = _Recorder()
    for _ in range(21):
        await limits.process_request(call, (), {}, "sendMessage", {"chat_id": -100}, None)
    assert time.now >= 161.0  # the 21st message to the group waited for its window
    held = time.now
    await limits.process_request(call, (), {}, "getUpdates", {"timeout": 10}, None)
    await limits.process_request(call, (), {}, "answerCallbackQuery", {"text": "x"}, None)
    assert time.now == held
    assert call.calls == 23


async def test_a_429_holds_every_later_message(pacer: Pacer, time: FakeTime) -> None:
    limits = TelegramLimits(pacer)
    refused = _Recorder(RetryAfter(12))
    with pytest.raises(RetryAfter):
        await limits.process_request(refused, (), {}, "sendMessage", {"chat_id": 5}, None)
    await limits.process_request(_Recorder(), (), {}, "sendMessage", {"chat_id": 6}, None)
    assert time.now == pytest.approx(112.0)


@pytest.mark.parametrize("endpoint", ["sendMessage", "answerCallbackQuery"])
async def test_a_reply_that_meets_a_429_goes_again_after_retry_after(
    pacer: Pacer, time: FakeTime, endpoint: str
) -> None:
    limits = TelegramLimits(pacer)
    reply = _Recorder(RetryAfter(3), times=1, clock=time)
    assert await limits.process_request(reply, (), {}, endpoint, {"chat_id": 5}, None) is True
    assert reply.calls == 2
    assert reply.tried_at[1] - reply.tried_at[0] == pytest.approx(3.0)


async def test_a_reply_is_retried_a_bounded_number_of_times(pacer: Pacer, time: FakeTime) -> None:
    limits = TelegramLimits(pacer)
    reply = _Recorder(RetryAfter(1))
    with pytest.raises(RetryAfter):
        await limits.process_request(reply, (), {}, "sendMessage", {"chat_id": 5}, None)
    assert reply.calls == 1 + REPLY_RETRIES


async def test_a_long_wait_is_not_waited_for_a_reply(pacer: Pacer, time: FakeTime) -> None:
    limits = TelegramLimits(pacer)
    reply = _Recorder(RetryAfter(int(MAX_REPLY_WAIT) + 1), times=1)
    with pytest.raises(RetryAfter):
        await limits.process_request(reply, (), {}, "sendMessage", {"chat_id": 5}, None)
    assert (reply.calls, time.now) == (1, 100.0)


async def test_a_care_message_is_not_retried_here(pacer: Pacer, time: FakeTime) -> None:
    """The sender plans the next try itself (jobs/delivery.py)."""
    limits = TelegramLimits(pacer)
    care = _Recorder(RetryAfter(2), times=1)
    with sender_reschedules(), pytest.raises(RetryAfter):
        await limits.process_request(care, (), {}, "sendMessage", {"chat_id": 5}, None)
    assert care.calls == 1
    assert pacer.held_for() == pytest.approx(2.0)  # the hold still applies to everyone
