"""Telling staff when a patient has not opened their invite and the session is close.

Without a linked chat the patient gets no pre-care message, so reception should call them.
The check runs after every delivery tick; each appointment raises its alert once at most.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from care.core.clock import to_epoch
from care.core.models import AlertKind
from care.db import alerts
from care.db.connection import transaction

NOTICE_BEFORE = timedelta(hours=48)
# A session booked less than 48 h ahead: give the patient this long to open the invite
# (they are often still at the desk) before telling staff.
LATE_BOOKING_GRACE = timedelta(hours=2)
_KEY_PREFIX = "invite_not_opened:"


def raise_invites_not_opened(conn: sqlite3.Connection, now: datetime) -> int:
    """Raise an alert for each booked appointment within 48 h whose patient has not linked
    Telegram; return how many alerts are new."""
    at = to_epoch(now)
    rows = alerts.appointments_without_link(
        conn,
        starts_after=at,
        starts_by=at + int(NOTICE_BEFORE.total_seconds()),
        booked_by=at - int(LATE_BOOKING_GRACE.total_seconds()),
        dedupe_prefix=_KEY_PREFIX,
    )
    if not rows:
        return 0
    raised = 0
    with transaction(conn):
        for appointment_id, patient_id in rows:
            alert_id = alerts.raise_once(
                conn,
                kind=AlertKind.INVITE_NOT_OPENED,
                dedupe_key=f"{_KEY_PREFIX}{appointment_id}",
                now=at,
                patient_id=patient_id,
                appointment_id=appointment_id,
            )
            raised += alert_id is not None
    return raised
