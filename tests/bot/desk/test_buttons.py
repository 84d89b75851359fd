"""The desk's button data is read strictly: every shape round-trips, nothing else is accepted."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.desk import buttons as desk_buttons
from bot.desk.buttons import ButtonKind, DeskButton
from care.desk.actions import Action, Request

WHEN = datetime(2026, 12, 20, 11, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "request_",
    [
        Request(Action.RESCHEDULE, 7, 31, starts_at=WHEN),
        Request(Action.CANCEL, 7, 31),
        Request(Action.DONE, 7, 31),
        Request(Action.NO_SHOW, 7, 31),
        Request(Action.ADD_SESSION, 7, starts_at=WHEN),
        Request(Action.LANGUAGE, 7, language="en"),
        Request(Action.PAUSE, 7),
        Request(Action.RESUME, 7),
    ],
)
def test_every_action_round_trips_within_telegram_s_64_bytes(request_: Request) -> None:
    for step in (ButtonKind.ASK, ButtonKind.CONFIRM):
        data = desk_buttons.action(step, request_)
        assert len(data.encode()) <= 64
        assert desk_buttons.decode(data) == DeskButton(
            step, request_.patient_id, request_.appointment_id, request_
        )


def test_card_and_session_buttons_round_trip() -> None:
    assert desk_buttons.decode(desk_buttons.card(7)) == DeskButton(ButtonKind.CARD, 7)
    in_place = desk_buttons.card(7, in_place=True)
    assert desk_buttons.decode(in_place) == DeskButton(ButtonKind.CARD_IN_PLACE, 7)
    assert desk_buttons.decode(desk_buttons.session_menu(7, 31)) == DeskButton(
        ButtonKind.SESSION_MENU, 7, 31
    )


def test_a_time_is_asked_for_before_it_is_confirmed() -> None:
    assert desk_buttons.decode("ask:rs:7:31") is not None
    assert desk_buttons.decode("ok:rs:7:31") is None
    assert desk_buttons.decode("ok:add:7:0") is None


@pytest.mark.parametrize(
    "data",
    [
        "",
        "card:",
        "card:x",
        "card:7:8",
        "card:-7",
        "card:1234567890123",
        "ap:7",
        "ok:cx:7:0",  # an appointment action without its appointment
        "ok:pause:7:31",  # a patient action with an appointment
        "ok:zz:7:31",
        "ok:cx:7:31:extra",
        "ok:lang:7:0:de",
        "ok:lang:7:0",
        "ok:rs:7:31:soon",
        "ok:cx:7:31\n",
        " ok:cx:7:31",
        "ans:5:understood",
    ],
)
def test_anything_else_is_refused(data: str) -> None:
    assert desk_buttons.decode(data) is None
