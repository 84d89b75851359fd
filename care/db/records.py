"""Every patient, appointment and care message in one pass: the rows behind the CSV export
(care.desk.export), with the export's own column names."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

_QUERY = (
    "SELECT p.id AS patient_id, p.full_name AS patient_name, p.phone, p.language,"
    " p.status AS patient_status, p.preferred_channel IS NOT NULL AS telegram_linked,"
    " a.id AS appointment_id, a.starts_at AS appointment_start, a.ends_at AS appointment_end,"
    " a.session_number, a.session_count, a.area, a.status AS appointment_status,"
    " m.id AS message_id, m.step, m.due_at, m.state AS message_state, m.reason, m.sent_at,"
    " m.answer, m.answered_at"
    " FROM patients p"
    " LEFT JOIN appointments a ON a.patient_id = p.id"
    " LEFT JOIN care_messages m ON m.appointment_id = a.id"
    " ORDER BY p.id, a.starts_at, a.id, m.due_at, m.id"
)


def every_care_message(conn: sqlite3.Connection) -> Iterator[sqlite3.Row]:
    """A row per care message with its appointment and patient; a patient or appointment
    without messages still gets one (its message columns NULL)."""
    yield from conn.execute(_QUERY)
