"""The staff agenda: booked appointments in a time window, with what staff need to see at a glance.

One page is read with one query on the `appointments_starts` index; the care-message facts come
from correlated lookups on `care_messages_appointment`, so a page costs the same however big the
schedule grows.
"""

from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from care.core.clock import from_epoch, to_epoch

PRE_CARE_STEP = "pre_care"  # the protocol's before-session step (care.protocol checks it by name)
ACKNOWLEDGED = "understood"
# Answers that mean the clinic must call first.
FLAGS = ("blood_thinner", "another_time", "took_painkiller")

_WINDOW = (
    " FROM appointments a JOIN patients p ON p.id = a.patient_id"
    " WHERE a.starts_at >= :start AND a.starts_at < :end"
    " AND a.status = 'booked' AND p.status != 'erased'"
)
_PAGE = (
    "SELECT a.id, a.patient_id, p.full_name, a.starts_at, a.area, a.session_number,"
    " a.session_count, p.preferred_channel IS NOT NULL AS linked,"
    " EXISTS (SELECT 1 FROM care_messages m WHERE m.appointment_id = a.id"
    "   AND m.step = :pre_care AND m.state = 'sent') AS pre_care_sent,"
    " EXISTS (SELECT 1 FROM care_messages m WHERE m.appointment_id = a.id"
    "   AND m.answer = :acknowledged) AS acknowledged,"
    " (SELECT group_concat(m.answer) FROM care_messages m WHERE m.appointment_id = a.id"
    f"   AND m.answer IN ({', '.join(f':flag{i}' for i in range(len(FLAGS)))}))"
    " AS flags" + _WINDOW + " ORDER BY a.starts_at, a.id LIMIT :limit OFFSET :offset"
)


class PreCare(StrEnum):
    NOT_SENT = "not_sent"
    SENT = "sent"  # sent, not (yet) acknowledged
    ACKNOWLEDGED = "acknowledged"


@dataclass(frozen=True)
class AgendaEntry:
    appointment_id: int
    patient_id: int
    patient_name: str
    starts_at: datetime
    area: str | None
    session_number: int
    session_count: int
    linked: bool  # the patient opened their invite: messages can reach them
    pre_care: PreCare
    flags: tuple[str, ...]  # answers from FLAGS the patient gave for this appointment


@dataclass(frozen=True)
class AgendaPage:
    entries: tuple[AgendaEntry, ...]
    total: int
    page: int  # 0-based, clamped to the pages there are
    page_count: int


def booked_between(
    conn: sqlite3.Connection, start: datetime, end: datetime, *, page: int, per_page: int
) -> AgendaPage:
    """Booked appointments starting in [start, end), in time order, one page of them."""
    window = {"start": to_epoch(start), "end": to_epoch(end)}
    total = int(conn.execute("SELECT count(*)" + _WINDOW, window).fetchone()[0])
    page_count = max(1, math.ceil(total / per_page))
    page = min(max(page, 0), page_count - 1)
    rows = conn.execute(
        _PAGE,
        {
            **window,
            "pre_care": PRE_CARE_STEP,
            "acknowledged": ACKNOWLEDGED,
            **{f"flag{i}": flag for i, flag in enumerate(FLAGS)},
            "limit": per_page,
            "offset": page * per_page,
        },
    ).fetchall()
    return AgendaPage(tuple(_entry(row) for row in rows), total, page, page_count)


def _entry(row: sqlite3.Row) -> AgendaEntry:
    given = set((row["flags"] or "").split(","))
    if row["acknowledged"]:
        pre_care = PreCare.ACKNOWLEDGED
    elif row["pre_care_sent"]:
        pre_care = PreCare.SENT
    else:
        pre_care = PreCare.NOT_SENT
    return AgendaEntry(
        appointment_id=row["id"],
        patient_id=row["patient_id"],
        patient_name=row["full_name"],
        starts_at=from_epoch(row["starts_at"]),
        area=row["area"],
        session_number=row["session_number"],
        session_count=row["session_count"],
        linked=bool(row["linked"]),
        pre_care=pre_care,
        flags=tuple(flag for flag in FLAGS if flag in given),
    )
