"""The morning sheet as staff read it: four short lists, and a button to open the card of
every patient on them."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.common.staff_voice import Voice
from bot.desk import buttons as desk_buttons
from care.alerts.morning import MorningSheet, SheetVisit
from care.core.models import AlertKind

MESSAGE_LIMIT = 4000
BUTTON_LIMIT = 24
_STATUS = {
    "booked": "morning.booked",
    "done": "morning.done",
    "cancelled": "morning.cancelled",
    "no_show": "morning.no_show",
}


def render_sheet(voice: Voice, sheet: MorningSheet) -> tuple[str, InlineKeyboardMarkup | None]:
    lines = [voice("morning.title", day=sheet.day), ""]
    lines += _visits(voice, sheet.visits)
    lines += ["", *_alerts(voice, sheet)]
    if sheet.unreachable:
        lines += ["", voice("morning.unreachable", count=len(sheet.unreachable))]
        lines += [
            voice("morning.patient", who=_who(voice, p.patient_name, p.patient_id))
            for p in sheet.unreachable
        ]
    if sheet.not_opened:
        lines += ["", voice("morning.not_opened", count=len(sheet.not_opened))]
        lines += [_visit_line(voice, visit) for visit in sheet.not_opened]
    text = "\n".join(lines)
    return text[:MESSAGE_LIMIT], _card_buttons(voice, sheet)


def _visits(voice: Voice, visits: tuple[SheetVisit, ...]) -> list[str]:
    if not visits:
        return [voice("morning.no_visits")]
    return [voice("morning.visits", count=len(visits))] + [_visit_line(voice, v) for v in visits]


def _visit_line(voice: Voice, visit: SheetVisit) -> str:
    status = _STATUS.get(visit.status, "morning.booked")
    if visit.status == "booked" and not visit.linked:
        status = "morning.booked_unlinked"
    return voice(
        "morning.visit",
        at=voice.clock(visit.starts_at),
        who=_who(voice, visit.patient_name, visit.patient_id),
        status=voice(status),
    )


def _alerts(voice: Voice, sheet: MorningSheet) -> list[str]:
    if not sheet.alerts:
        return [voice("morning.no_alerts")]
    lines = [voice("morning.alerts", count=sheet.alert_count)]
    for alert in sheet.alerts:
        owner = (
            voice("ownership.handled_by", staff_name=alert.owner_name)
            if alert.owner_name is not None
            else voice("ownership.nobody")
        )
        name = sheet.names.get(alert.patient_id or 0)
        who = (
            _who(voice, name, alert.patient_id or 0)
            if name is not None
            else voice("alerts.patient", patient_id=alert.patient_id or 0)
        )
        lines.append(
            voice(
                "morning.alert",
                alert_id=alert.id,
                who=who,
                what=voice(f"alerts.{AlertKind(alert.kind).value}"),
                owner=owner,
            )
        )
    return lines


def _who(voice: Voice, name: str, patient_id: int) -> str:
    return voice("desk.who", patient_name=name, patient_id=patient_id)


def _card_buttons(voice: Voice, sheet: MorningSheet) -> InlineKeyboardMarkup | None:
    """One button per patient on the sheet, in the order they appear, each once."""
    seen: dict[int, str] = {}
    for visit in (*sheet.visits, *sheet.not_opened):
        seen.setdefault(visit.patient_id, visit.patient_name)
    for alert in sheet.alerts:
        if alert.patient_id is not None:
            seen.setdefault(alert.patient_id, sheet.names.get(alert.patient_id, ""))
    for patient in sheet.unreachable:
        seen.setdefault(patient.patient_id, patient.patient_name)
    rows = [
        [
            InlineKeyboardButton(
                f"#{voice.digits(str(patient_id))} {name}",
                callback_data=desk_buttons.card(patient_id),
            )
        ]
        for patient_id, name in list(seen.items())[:BUTTON_LIMIT]
    ]
    return InlineKeyboardMarkup(rows) if rows else None
