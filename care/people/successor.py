"""Where a merged-away record went: an old alert's "Open card" button or a typed `/patient 12`
may name a record that was merged into another (care/people/merge.py); staff are shown the
kept one instead of "no such patient"."""

from __future__ import annotations

import sqlite3

from care.db import merging, patients

# Each merge removes a record, so a chain is never longer than the records there ever were;
# the bound only keeps a damaged audit trail (a loop) from hanging the desk.
MAX_HOPS = 32


def kept_record(conn: sqlite3.Connection, patient_id: int) -> int | None:
    """The record `patient_id` was merged into, following later merges of that one too; None
    if it was never merged, or the record it went to is gone as well (erased by /forget keeps
    its row, so only a broken trail ends here)."""
    current = patient_id
    for _ in range(MAX_HOPS):
        into = merging.merged_into(conn, current)
        if into is None:
            return None
        if patients.get(conn, into) is not None:
            return into
        current = into
    return None
