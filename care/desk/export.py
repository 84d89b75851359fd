"""The clinic's records as one CSV file: a row per care message, with its appointment and its
patient (a patient or appointment without messages still gets a row).

UTF-8 with a byte-order mark, so spreadsheet programs show Persian names correctly; times in
ISO 8601 on the clinic's clocks (with the offset). An erased patient keeps only ids and states.
"""

from __future__ import annotations

import csv
import io
import re
import sqlite3
from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from care.core.clock import from_epoch, to_epoch
from care.db import audit, records
from care.db.connection import transaction

HEADER = (
    "patient_id",
    "patient_name",
    "phone",
    "language",
    "patient_status",
    "telegram_linked",
    "appointment_id",
    "appointment_start",
    "appointment_end",
    "session_number",
    "session_count",
    "area",
    "appointment_status",
    "message_id",
    "step",
    "due_at",
    "message_state",
    "reason",
    "sent_at",
    "answer",
    "answered_at",
)
PERSONAL = frozenset({"patient_name", "phone", "area", "answer"})
TIMES = frozenset({"appointment_start", "appointment_end", "due_at", "sent_at", "answered_at"})
_BOM = "\ufeff"
# A cell a spreadsheet would run as a formula; a phone number such as +98 21 ... is left alone.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PHONE_LIKE = re.compile(r"\+?[0-9 ()\-.]+")


def export_audited(
    conn: sqlite3.Connection,
    tz: ZoneInfo,
    *,
    actor: str,
    now: datetime,
    titles: Mapping[str, str] | None = None,
    yes_no: tuple[str, str] = ("yes", "no"),
) -> bytes:
    """The CSV, with the export written to the audit trail in the same transaction."""
    with transaction(conn):
        audit.record(conn, at=to_epoch(now), actor=actor, action="export")
        return export_csv(conn, tz, titles=titles, yes_no=yes_no)


def export_csv(
    conn: sqlite3.Connection,
    tz: ZoneInfo,
    *,
    titles: Mapping[str, str] | None = None,
    yes_no: tuple[str, str] = ("yes", "no"),
) -> bytes:
    """The CSV; its first row names the columns by `titles` (a column missing there: its code,
    as in HEADER). The cells keep the stored codes (states, steps, reasons, languages), so a
    file reads the same whoever exported it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([(titles or {}).get(name, name) for name in HEADER])
    for row in records.every_care_message(conn):
        erased = row["patient_status"] == "erased"
        writer.writerow([_cell(name, row[name], tz, erased, yes_no) for name in HEADER])
    return (_BOM + buffer.getvalue()).encode("utf-8")


def _cell(name: str, value: object, tz: ZoneInfo, erased: bool, yes_no: tuple[str, str]) -> str:
    if value is None or (erased and name in PERSONAL):
        return ""
    if name in TIMES:
        assert isinstance(value, int)
        return from_epoch(value).astimezone(tz).isoformat(timespec="minutes")
    if name == "telegram_linked":
        return yes_no[0] if value else yes_no[1]
    return _inert(str(value))


def _inert(text: str) -> str:
    if text.startswith(_FORMULA_START) and not _PHONE_LIKE.fullmatch(text):
        return "'" + text
    return text
