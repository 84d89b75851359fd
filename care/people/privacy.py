"""Erasing a patient's personal data, and exporting it, each with an anonymous audit row."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from care.core.clock import from_epoch, to_epoch
from care.core.models import PatientStatus
from care.core.reasons import Reason
from care.db import audit, patients, personal_data
from care.db.connection import transaction

_TIME_FIELDS = frozenset(
    {"created_at", "starts_at", "ends_at", "due_at", "expires_at", "sent_at", "answered_at", "at"}
    | {"asked_at"}
)


class ForgetOutcome(StrEnum):
    ERASED = "erased"
    NOT_FOUND = "not_found"
    ALREADY_ERASED = "already_erased"


@dataclass(frozen=True)
class ForgetResult:
    outcome: ForgetOutcome
    cancelled: int = 0


def forget_patient(
    conn: sqlite3.Connection, patient_id: int, *, actor: str, now: datetime
) -> ForgetResult:
    """Erase the patient's name, phone, Telegram link, treatment areas, answers and alerts;
    cancel their pending messages; keep an audit row that names them by number only."""
    with transaction(conn):
        patient = patients.get(conn, patient_id)
        if patient is None:
            return ForgetResult(ForgetOutcome.NOT_FOUND)
        if patient.status is PatientStatus.ERASED:
            return ForgetResult(ForgetOutcome.ALREADY_ERASED)
        cancelled = personal_data.erase(conn, patient_id, reason=Reason.ERASED, now=to_epoch(now))
        audit.record(
            conn,
            at=to_epoch(now),
            actor=actor,
            action="forget",
            subject=f"patient:{patient_id}",
            detail=f"{cancelled} pending message(s) cancelled",
        )
    return ForgetResult(ForgetOutcome.ERASED, cancelled)


def export_patient(
    conn: sqlite3.Connection, patient_id: int, *, actor: str, now: datetime, tz: ZoneInfo
) -> dict[str, Any] | None:
    """Everything stored about the patient, times in the clinic's time zone; None if there
    is no such patient. The export itself is audited."""
    with transaction(conn):
        record = personal_data.export(conn, patient_id)
        if record is None:
            return None
        audit.record(
            conn, at=to_epoch(now), actor=actor, action="export", subject=f"patient:{patient_id}"
        )
    return {
        "exported_at": now.astimezone(tz).isoformat(),
        "time_zone": tz.key,
        **{key: _readable(value, tz) for key, value in record.items()},
    }


def _readable(value: Any, tz: ZoneInfo) -> Any:
    """Epoch seconds become ISO 8601 times in the clinic's zone, all the way down."""
    if isinstance(value, list):
        return [_readable(item, tz) for item in value]
    return {
        key: from_epoch(item).astimezone(tz).isoformat()
        if key in _TIME_FIELDS and isinstance(item, int)
        else item
        for key, item in value.items()
    }
