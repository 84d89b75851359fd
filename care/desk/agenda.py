"""The clinic's booked appointments in a window of time, a page at a time (/today, /upcoming)."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from care.db.agenda import AgendaEntry as AgendaEntry
from care.db.agenda import AgendaPage as AgendaPage
from care.db.agenda import PreCare as PreCare
from care.db.agenda import booked_between


def agenda_page(
    conn: sqlite3.Connection, start: datetime, end: datetime, *, page: int, per_page: int
) -> AgendaPage:
    """One page of the appointments booked to start in [start, end), with their patients and
    how far their pre-care has got."""
    return booked_between(conn, start, end, page=page, per_page=per_page)
