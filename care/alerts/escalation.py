"""An urgent alert nobody has taken within ESCALATE_AFTER of working time goes to the admins.

Working time, not wall time: an alert raised at 17:55 on a 09:00-18:00 day has used five
minutes when the clinic closes, and the other ten run from the next opening (after a weekend
or a holiday). Raised while closed, the whole delay starts at the next opening.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from care.core.clock import from_epoch, to_epoch
from care.db import alert_owners
from care.db.alert_owners import OwnedAlert
from care.db.connection import transaction
from care.schedule.working_time import WorkingTime

ESCALATE_AFTER = timedelta(minutes=15)


def after_working(start: datetime, span: timedelta, working: WorkingTime) -> datetime:
    """The moment `span` of the clinic's open time has passed since `start` (UTC)."""
    left = span
    at = start
    while True:
        at = working.next_opening(at)
        local = at.astimezone(working.tz)
        closes = datetime.combine(local.date(), working.hours.closes, tzinfo=working.tz)
        if at + left <= closes:
            return at + left
        left -= closes - at
        at = closes


def claim_escalations(
    conn: sqlite3.Connection, now: datetime, working: WorkingTime
) -> list[OwnedAlert]:
    """The urgent alerts due to go to the admins now, each marked so it goes once."""
    due = [
        alert
        for alert in alert_owners.unowned_urgent(conn)
        if after_working(from_epoch(alert.created_at), ESCALATE_AFTER, working) <= now
    ]
    claimed = []
    with transaction(conn):
        for alert in due:
            if alert_owners.mark_escalated(conn, alert.id, to_epoch(now)):
                claimed.append(alert)
    return claimed
