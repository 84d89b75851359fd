"""The patient card as staff read it, and its buttons.

A card is one Telegram message (at most 4096 characters), so a long course is shortened step
by step: first the finished sessions shrink to one line of counts, then every session does,
then the oldest sessions are left out with a note. `/schedule <appointment>` shows any session
in full.
"""

from __future__ import annotations

from collections import Counter

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.common.names import area_name, channel_name, language_name
from bot.common.staff_voice import Voice
from bot.desk import buttons as desk_buttons
from bot.desk import merge_buttons
from bot.desk.merge_buttons import MergeButton, MergeStep
from care.core.models import (
    Appointment,
    AppointmentStatus,
    CareMessage,
    MessageState,
    PatientStatus,
)
from care.core.reasons import parse
from care.desk.actions import Action, Request
from care.desk.card import LinkStatus, PatientCard, Session

MESSAGE_LIMIT = 4096
_REASON_LENGTH = 40
MAX_SESSION_BUTTONS = 12


def card_text(card: PatientCard, voice: Voice, *, limit: int = MESSAGE_LIMIT) -> str:
    """The card, shortened as the module docstring says until it fits in `limit`."""
    head = _header(card, voice)
    sessions = card.sessions
    blocks = [_session_lines(s, voice, short=False) for s in sessions]
    if not _fits(voice, head, blocks, limit):
        blocks = [
            _session_lines(s, voice, short=True) if _finished(s) else block
            for s, block in zip(sessions, blocks, strict=True)
        ]
    if not _fits(voice, head, blocks, limit):
        blocks = [_session_lines(s, voice, short=True) for s in sessions]
    left_out = 0
    while blocks and not _fits(voice, head, blocks, limit, left_out):
        blocks.pop(0)
        left_out += 1
    return _join(voice, head, blocks, left_out)


def _fits(voice: Voice, head: str, blocks: list[str], limit: int, left_out: int = 0) -> bool:
    return len(_join(voice, head, blocks, left_out)) <= limit


def _join(voice: Voice, head: str, blocks: list[str], left_out: int) -> str:
    parts = [head]
    if left_out:
        parts.append(voice("card.left_out", count=left_out))
    parts.extend(blocks)
    if len(parts) == 1:
        parts.append(voice("card.no_appointments"))
    return "\n\n".join(parts)


def _header(card: PatientCard, voice: Voice) -> str:
    patient = card.patient
    if patient.status is PatientStatus.ERASED:
        return voice("card.erased", patient_id=patient.id)
    lines = [
        voice("card.title", patient_name=patient.full_name, patient_id=patient.id),
        voice("card.phone", phone=patient.phone) if patient.phone else voice("card.no_phone"),
        voice("card.language", language=language_name(voice, patient.language)),
        voice("card.telegram", link=_link(card, voice)),
    ]
    if card.chats:
        lines.append(voice("channels.chats", chats=voice.join(_chat_names(card, voice))))
    if card.link is LinkStatus.UNREACHABLE:
        phone = card.patient.phone
        call = voice("channels.call_them", phone=phone) if phone else None
        lines.append(call or voice("channels.call_them_no_phone"))
    return "\n".join(lines)


def _chat_names(card: PatientCard, voice: Voice) -> list[str]:
    names = []
    for index, chat in enumerate(card.chats):
        name = channel_name(voice, chat.channel)
        if chat.unreachable:
            name = voice("channels.unreachable", channel=name)
        elif index == 0 and len(card.chats) > 1:
            name = voice("channels.preferred", channel=name)
        names.append(name)
    return names


def _link(card: PatientCard, voice: Voice) -> str:
    if card.link is LinkStatus.INVITE_PENDING and card.invite_expires_at is not None:
        return voice("card.invite_until", until=card.invite_expires_at)
    return voice(
        {
            LinkStatus.LINKED: "card.linked",
            LinkStatus.INVITE_PENDING: "card.invite_pending",
            LinkStatus.NO_VALID_INVITE: "card.no_valid_invite",
            LinkStatus.UNREACHABLE: "card.unreachable",
            LinkStatus.PAUSED: "card.paused",
            LinkStatus.ERASED: "card.link_erased",
        }[card.link]
    )


def status_name(voice: Voice, status: AppointmentStatus) -> str:
    return voice(f"card.status_{status.value}")


def step_name(voice: Voice, step: str) -> str:
    """The step's human name (card.step_<key>), never its key; a step the catalogs do not name
    (a clinic's own) shows as its key."""
    key = f"card.step_{step}"
    return voice(key) if voice.catalog.has(voice.lang, key) else step


def answer_name(voice: Voice, answer: str) -> str:
    key = f"answers.{answer}"
    return voice(key) if voice.catalog.has(voice.lang, key) else answer


def reason_text(voice: Voice, reason: str) -> str:
    """A stored reason in words, by its code (care.core.reasons; the technical detail after it
    is for the export, not the desk); free text of unknown origin, shortened."""
    code, text = parse(reason)
    if code is not None:
        return voice(f"card.reason_{code.value}")
    return text if len(text) <= _REASON_LENGTH else text[: _REASON_LENGTH - 1] + "…"


def session_title(appointment: Appointment, voice: Voice) -> str:
    """ "#31 · 2026-12-20 14:30 · session 1 of 4 · face · booked"."""
    parts = [
        f"#{voice.digits(str(appointment.id))}",
        voice.when(appointment.starts_at),
        voice(
            "card.session",
            session_number=appointment.session_number,
            session_count=appointment.session_count,
        ),
    ]
    if appointment.area:
        parts.append(area_name(voice, appointment.area))
    parts.append(status_name(voice, appointment.status))
    return " · ".join(parts)


def _session_lines(session: Session, voice: Voice, *, short: bool) -> str:
    lines = [f"🗓 {session_title(session.appointment, voice)}"]
    if short:
        counts = Counter(m.state.value for m in session.messages)
        parts = [
            voice("card.summary_part", count=n, state=voice(f"card.state_{state}"))
            for state, n in sorted(counts.items())
        ]
        summary = voice.join(parts) if parts else voice("card.summary_none")
        lines.append(voice("card.summary", count=len(session.messages), summary=summary))
        lines.extend(
            voice(
                "card.answered_short",
                step=step_name(voice, m.step),
                answer=answer_name(voice, m.answer),
            )
            for m in session.messages
            if m.answer
        )
        return "\n".join(lines)
    for message in session.messages:
        line = message_line(voice, message)
        if message.answer:
            line = voice("card.answered", line=line, answer=answer_name(voice, message.answer))
            if message.comment:
                line = voice("card.comment", line=line, comment=message.comment)
        elif message.reason and message.state in (
            MessageState.CANCELLED,
            MessageState.SKIPPED,
            MessageState.FAILED,
        ):
            line = voice("card.reason", line=line, reason=reason_text(voice, message.reason))
        lines.append(line)
    return "\n".join(lines)


def message_line(voice: Voice, message: CareMessage) -> str:
    """One care message as the card and /schedule show it: its step, due time and state, and
    the messenger it went by once sent."""
    line = voice(
        "card.message",
        step=step_name(voice, message.step),
        due=message.due_at,
        state=voice(f"card.state_{message.state.value}"),
    )
    if message.channel and message.state is MessageState.SENT:
        line = voice("channels.went_by", line=line, channel=channel_name(voice, message.channel))
    return line


def _finished(session: Session) -> bool:
    return session.appointment.status is not AppointmentStatus.BOOKED and not any(
        m.state is MessageState.PENDING for m in session.messages
    )


def card_keyboard(
    card: PatientCard, voice: Voice, *, admin: bool = False
) -> InlineKeyboardMarkup | None:
    """A button per booked session (its menu), then the patient's own actions, then (for an
    admin) merging with another record."""
    patient = card.patient
    if patient.status is PatientStatus.ERASED:
        return None
    booked = [s for s in card.sessions if s.appointment.status is AppointmentStatus.BOOKED]
    session_buttons = [
        InlineKeyboardButton(
            f"#{voice.digits(str(s.appointment.id))} {voice.when(s.appointment.starts_at)} ▸",
            callback_data=desk_buttons.session_menu(patient.id, s.appointment.id),
        )
        for s in booked[:MAX_SESSION_BUTTONS]
    ]
    rows = [session_buttons[i : i + 2] for i in range(0, len(session_buttons), 2)]
    other = "en" if patient.language == "fa" else "fa"
    pause = Action.RESUME if patient.status is PatientStatus.PAUSED else Action.PAUSE
    rows.append(
        [
            _ask(voice("card.add_session"), Request(Action.ADD_SESSION, patient.id)),
            _ask(
                voice("card.switch_language", language=language_name(voice, other)),
                Request(Action.LANGUAGE, patient.id, language=other),
            ),
        ]
    )
    other_channel = next((c.channel for c in card.chats if c.channel != patient.channel), None)
    if other_channel is not None and patient.channel is not None:
        label = voice("channels.card_button", channel=channel_name(voice, other_channel))
        rows.append([_ask(label, Request(Action.CHANNEL, patient.id, channel=other_channel))])
    rows.append(
        [
            _ask(
                voice("card.resume") if pause is Action.RESUME else voice("card.pause"),
                Request(pause, patient.id),
            ),
            InlineKeyboardButton(
                voice("card.refresh"), callback_data=desk_buttons.card(patient.id, in_place=True)
            ),
        ]
    )
    if admin:
        pick = merge_buttons.encode(MergeButton(MergeStep.PICK, patient.id))
        rows.append([InlineKeyboardButton(voice("merge.card_button"), callback_data=pick)])
    return InlineKeyboardMarkup(rows)


def session_keyboard(voice: Voice, patient_id: int, appointment_id: int) -> InlineKeyboardMarkup:
    def ask(key: str, chosen: Action) -> InlineKeyboardButton:
        return _ask(voice(key), Request(chosen, patient_id, appointment_id))

    return InlineKeyboardMarkup(
        [
            [ask("card.reschedule", Action.RESCHEDULE), ask("card.cancel", Action.CANCEL)],
            [ask("card.done", Action.DONE), ask("card.no_show", Action.NO_SHOW)],
            [back_button(voice, patient_id)],
        ]
    )


def confirm_keyboard(voice: Voice, request: Request) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    voice("card.confirm"),
                    callback_data=desk_buttons.action(desk_buttons.ButtonKind.CONFIRM, request),
                ),
                back_button(voice, request.patient_id),
            ]
        ]
    )


def back_keyboard(voice: Voice, patient_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[back_button(voice, patient_id)]])


def back_button(voice: Voice, patient_id: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        voice("card.back"), callback_data=desk_buttons.card(patient_id, in_place=True)
    )


def _ask(label: str, request: Request) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        label, callback_data=desk_buttons.action(desk_buttons.ButtonKind.ASK, request)
    )
