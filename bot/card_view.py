"""The patient card as staff read it, and its buttons.

A card is one Telegram message (at most 4096 characters), so a long course is shortened step
by step: first the finished sessions shrink to one line of counts, then every session does,
then the oldest sessions are left out with a note. `/schedule <appointment>` shows any session
in full.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import desk_buttons
from care.actions import Action, Request
from care.card import LinkStatus, PatientCard, Session
from care.dates import iso_local
from care.models import Appointment, AppointmentStatus, MessageState, PatientStatus

MESSAGE_LIMIT = 4096
LANGUAGE_NAMES = {"fa": "Persian", "en": "English"}
APPOINTMENT_STATUS = {
    AppointmentStatus.BOOKED: "booked",
    AppointmentStatus.DONE: "done",
    AppointmentStatus.CANCELLED: "cancelled",
    AppointmentStatus.NO_SHOW: "no-show",
}
_REASON_LENGTH = 40
MAX_SESSION_BUTTONS = 12

AnswerLabel = Callable[[str], str]


def card_text(
    card: PatientCard,
    *,
    tz: ZoneInfo,
    answer_label: AnswerLabel,
    limit: int = MESSAGE_LIMIT,
) -> str:
    """The card, shortened as the module docstring says until it fits in `limit`."""
    head = _header(card, tz)
    sessions = card.sessions
    blocks = [_session_lines(s, tz, answer_label, short=False) for s in sessions]
    if not _fits(head, blocks, limit):
        blocks = [
            _session_lines(s, tz, answer_label, short=True) if _finished(s) else block
            for s, block in zip(sessions, blocks, strict=True)
        ]
    if not _fits(head, blocks, limit):
        blocks = [_session_lines(s, tz, answer_label, short=True) for s in sessions]
    left_out = 0
    while blocks and not _fits(head, blocks, limit, left_out):
        blocks.pop(0)
        left_out += 1
    return _join(head, blocks, left_out)


def _fits(head: str, blocks: list[str], limit: int, left_out: int = 0) -> bool:
    return len(_join(head, blocks, left_out)) <= limit


def _join(head: str, blocks: list[str], left_out: int) -> str:
    parts = [head]
    if left_out:
        parts.append(f"({left_out} earlier session(s) not shown: /schedule <appointment>)")
    parts.extend(blocks)
    if len(parts) == 1:
        parts.append("No appointments.")
    return "\n\n".join(parts)


def _header(card: PatientCard, tz: ZoneInfo) -> str:
    patient = card.patient
    if patient.status is PatientStatus.ERASED:
        return f"👤 Patient #{patient.id} (records erased)"
    language = LANGUAGE_NAMES.get(patient.language, patient.language)
    return "\n".join(
        [
            f"👤 {patient.full_name} (patient #{patient.id})",
            f"Phone: {patient.phone or 'not given'}",
            f"Language: {language}",
            f"Telegram: {_link(card, tz)}",
        ]
    )


def _link(card: PatientCard, tz: ZoneInfo) -> str:
    if card.link is LinkStatus.INVITE_PENDING and card.invite_expires_at is not None:
        return f"invite not opened yet (valid until {iso_local(card.invite_expires_at, tz)})"
    return {
        LinkStatus.LINKED: "linked ✅",
        LinkStatus.INVITE_PENDING: "invite not opened yet",
        LinkStatus.NO_VALID_INVITE: "not linked, and no valid invite ⚠️",
        LinkStatus.UNREACHABLE: "unreachable ⛔ (blocked the bot or deleted the chat)",
        LinkStatus.PAUSED: "linked, messages paused ⏸",
        LinkStatus.ERASED: "erased",
    }[card.link]


def session_title(appointment: Appointment, tz: ZoneInfo) -> str:
    """ "#31 · 2026-12-20 14:30 · session 1 of 4 · face · booked"."""
    parts = [
        f"#{appointment.id}",
        iso_local(appointment.starts_at, tz),
        f"session {appointment.session_number} of {appointment.session_count}",
    ]
    if appointment.area:
        parts.append(appointment.area)
    parts.append(APPOINTMENT_STATUS[appointment.status])
    return " · ".join(parts)


def _session_lines(
    session: Session, tz: ZoneInfo, answer_label: AnswerLabel, *, short: bool
) -> str:
    lines = [f"🗓 {session_title(session.appointment, tz)}"]
    if short:
        counts = Counter(m.state.value for m in session.messages)
        summary = ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
        lines.append(f"   {len(session.messages)} messages: {summary or 'none'}")
        lines.extend(
            f"   {m.step}: answered {answer_label(m.answer)}" for m in session.messages if m.answer
        )
        return "\n".join(lines)
    for message in session.messages:
        line = f"   • {message.step} {iso_local(message.due_at, tz)} — {message.state.value}"
        if message.answer:
            line += f" · answered: {answer_label(message.answer)}"
        elif message.reason and message.state in (
            MessageState.CANCELLED,
            MessageState.SKIPPED,
            MessageState.FAILED,
        ):
            line += f" ({_shorten(message.reason)})"
        lines.append(line)
    return "\n".join(lines)


def _finished(session: Session) -> bool:
    return session.appointment.status is not AppointmentStatus.BOOKED and not any(
        m.state is MessageState.PENDING for m in session.messages
    )


def _shorten(text: str) -> str:
    return text if len(text) <= _REASON_LENGTH else text[: _REASON_LENGTH - 1] + "…"


def card_keyboard(card: PatientCard, tz: ZoneInfo) -> InlineKeyboardMarkup | None:
    """A button per booked session (its menu), then the patient's own actions."""
    patient = card.patient
    if patient.status is PatientStatus.ERASED:
        return None
    booked = [s for s in card.sessions if s.appointment.status is AppointmentStatus.BOOKED]
    session_buttons = [
        InlineKeyboardButton(
            f"#{s.appointment.id} {iso_local(s.appointment.starts_at, tz)} ▸",
            callback_data=desk_buttons.session_menu(patient.id, s.appointment.id),
        )
        for s in booked[:MAX_SESSION_BUTTONS]
    ]
    rows = [session_buttons[i : i + 2] for i in range(0, len(session_buttons), 2)]
    other = "en" if patient.language == "fa" else "fa"
    pause = Action.RESUME if patient.status is PatientStatus.PAUSED else Action.PAUSE
    rows.append(
        [
            _ask("➕ Add session", Request(Action.ADD_SESSION, patient.id)),
            _ask(
                f"🌐 {LANGUAGE_NAMES[other]}",
                Request(Action.LANGUAGE, patient.id, language=other),
            ),
        ]
    )
    rows.append(
        [
            _ask(
                "▶️ Resume messages" if pause is Action.RESUME else "⏸ Pause messages",
                Request(pause, patient.id),
            ),
            InlineKeyboardButton(
                "↻ Refresh", callback_data=desk_buttons.card(patient.id, in_place=True)
            ),
        ]
    )
    return InlineKeyboardMarkup(rows)


def session_keyboard(patient_id: int, appointment_id: int) -> InlineKeyboardMarkup:
    def ask(label: str, chosen: Action) -> InlineKeyboardButton:
        return _ask(label, Request(chosen, patient_id, appointment_id))

    return InlineKeyboardMarkup(
        [
            [ask("🕑 Reschedule", Action.RESCHEDULE), ask("✖️ Cancel", Action.CANCEL)],
            [ask("✅ Done", Action.DONE), ask("🚫 No-show", Action.NO_SHOW)],
            [back_button(patient_id)],
        ]
    )


def confirm_keyboard(request: Request) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    "✔️ Confirm",
                    callback_data=desk_buttons.action(desk_buttons.Step.CONFIRM, request),
                ),
                back_button(request.patient_id),
            ]
        ]
    )


def back_keyboard(patient_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[back_button(patient_id)]])


def back_button(patient_id: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        "« Back", callback_data=desk_buttons.card(patient_id, in_place=True)
    )


def _ask(label: str, request: Request) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        label, callback_data=desk_buttons.action(desk_buttons.Step.ASK, request)
    )
