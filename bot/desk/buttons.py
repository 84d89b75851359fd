"""The data behind the staff desk's buttons, and its strict reading.

A button names a patient and, for the actions on one session, the appointment too; the
handler re-reads both and checks that the appointment is that patient's, so a forged or
stale button changes nothing. Anything not in exactly one of these shapes is refused:

    card:<patient>                       open the card in a new message (alerts, search lists)
    cv:<patient>                         show the card in place (Back, Refresh)
    ap:<patient>:<appointment>           the menu of one session
    ask:<code>:<patient>:<appointment>[:<value>]   an action chosen: prompt for it
    ok:<code>:<patient>:<appointment>[:<value>]    an action confirmed: carry it out

`<appointment>` is 0 for the actions on the patient; `<value>` is the new start in epoch
seconds (reschedule, add a session), the language code or the channel's name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from care.core.clock import from_epoch, to_epoch
from care.core.languages import LANGUAGES
from care.desk.actions import APPOINTMENT_ACTIONS, Action, Request


class ButtonKind(StrEnum):
    """Where a desk button leads (its first field)."""

    CARD = "card"
    CARD_IN_PLACE = "cv"
    SESSION_MENU = "ap"
    ASK = "ask"
    CONFIRM = "ok"


CODES: dict[Action, str] = {
    Action.RESCHEDULE: "rs",
    Action.CANCEL: "cx",
    Action.DONE: "dn",
    Action.NO_SHOW: "ns",
    Action.ADD_SESSION: "add",
    Action.LANGUAGE: "lang",
    Action.PAUSE: "pause",
    Action.RESUME: "resume",
    Action.CHANNEL: "chan",
}
_ACTIONS = {code: action for action, code in CODES.items()}
TIMED = frozenset({Action.RESCHEDULE, Action.ADD_SESSION})

PATTERN = r"^(card|cv|ap|ask|ok):"  # every desk button; decode() then reads it strictly
_ID = r"([0-9]{1,12})"
_CARD = re.compile(rf"(card|cv):{_ID}")
_SESSION = re.compile(rf"ap:{_ID}:{_ID}")
_ACTION = re.compile(rf"(ask|ok):([a-z]{{2,6}}):{_ID}:{_ID}(?::([a-z0-9]{{1,12}}))?")


@dataclass(frozen=True)
class DeskButton:
    kind: ButtonKind
    patient_id: int
    appointment_id: int | None = None
    request: Request | None = None  # for ASK and CONFIRM


def card(patient_id: int, *, in_place: bool = False) -> str:
    return f"{ButtonKind.CARD_IN_PLACE if in_place else ButtonKind.CARD}:{patient_id}"


def session_menu(patient_id: int, appointment_id: int) -> str:
    return f"{ButtonKind.SESSION_MENU}:{patient_id}:{appointment_id}"


def action(kind: ButtonKind, request: Request) -> str:
    data = f"{kind}:{CODES[request.action]}:{request.patient_id}:{request.appointment_id or 0}"
    if request.starts_at is not None:
        data += f":{to_epoch(request.starts_at)}"
    elif request.language is not None:
        data += f":{request.language}"
    elif request.channel is not None:
        data += f":{request.channel}"
    return data


def decode(data: str) -> DeskButton | None:
    """The button, or None when `data` is not exactly one of the shapes above."""
    if match := _CARD.fullmatch(data):
        return DeskButton(ButtonKind(match[1]), int(match[2]))
    if match := _SESSION.fullmatch(data):
        return DeskButton(ButtonKind.SESSION_MENU, int(match[1]), int(match[2]))
    if match := _ACTION.fullmatch(data):
        request = _request(match[2], int(match[3]), int(match[4]), match[5])
        kind = ButtonKind(match[1])
        if request is None or (kind is ButtonKind.CONFIRM and not _complete(request)):
            return None
        return DeskButton(kind, request.patient_id, request.appointment_id, request)
    return None


def _request(code: str, patient_id: int, appointment_id: int, value: str | None) -> Request | None:
    chosen = _ACTIONS.get(code)
    if chosen is None:
        return None
    on_session = chosen in APPOINTMENT_ACTIONS
    if on_session == (appointment_id == 0):
        return None
    request = Request(chosen, patient_id, appointment_id if on_session else None)
    if chosen is Action.LANGUAGE:
        if value not in LANGUAGES:
            return None
        return Request(chosen, patient_id, language=value)
    if chosen is Action.CHANNEL:
        # Any name of the right shape: the record says whether the patient is linked there.
        if value is None or not value.isalpha():
            return None
        return Request(chosen, patient_id, channel=value)
    if chosen in TIMED and value is not None:
        if not value.isdigit():
            return None
        return Request(chosen, patient_id, request.appointment_id, starts_at=from_epoch(int(value)))
    return request if value is None else None


def _complete(request: Request) -> bool:
    """A confirmation carries everything the action needs."""
    return request.action not in TIMED or request.starts_at is not None
