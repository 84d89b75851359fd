"""A patient back for another course: found again at enrolment, and the new course added to
their record rather than to a second one.

The same person is the one with the same phone number or, when no phone is given, the same
name once folded (case, Arabic or Persian letter forms, diacritics and ZWNJ do not matter). A
patient whose chat is linked needs no new invite: they are told of the new sessions in their
chat. One whose chat is not linked gets a fresh invite, the earlier link revoked.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from care.core.clock import to_epoch
from care.core.models import Appointment, Patient, PatientStatus
from care.core.text_input import fold_for_search
from care.db import appointments, audit, patients
from care.db.connection import transaction
from care.people.enrolment import Booking, add_sessions
from care.people.invites import issue_invite
from care.people.search import same_phone
from care.schedule.course import hand_over_last_steps, latest_course, renumber
from care.schedule.plan import CarePlan


@dataclass(frozen=True)
class NewCourse:
    patient: Patient
    appointments: tuple[Appointment, ...]  # the new course's sessions, in order
    token: str | None  # a fresh invite, when the patient's chat is not linked
    invite_expires_at: datetime | None

    @property
    def appointment_ids(self) -> tuple[int, ...]:
        return tuple(a.id for a in self.appointments)


def same_person(conn: sqlite3.Connection, full_name: str, phone: str | None) -> Patient | None:
    """The newest patient record of the same person, or None."""
    if phone:
        found = [p for p in patients.with_phone(conn) if same_phone(p.phone or "", phone)]
    else:
        key = fold_for_search(full_name)
        found = patients.with_name_key(conn, key)
    alive = [p for p in found if p.status is not PatientStatus.ERASED]
    return max(alive, key=lambda p: p.id, default=None)


def add_course(
    conn: sqlite3.Connection,
    patient_id: int,
    booking: Booking,
    *,
    plan: CarePlan,
    actor: str,
    invite_days: int,
    now: datetime,
) -> NewCourse | None:
    """Add the booking's sessions as the patient's next course, in one transaction; None if
    the record is gone or erased."""
    with transaction(conn):
        patient = patients.get(conn, patient_id)
        if patient is None or patient.status is PatientStatus.ERASED:
            return None
        course = latest_course(conn, patient_id) + 1
        ids = add_sessions(conn, patient_id, booking, course=course, plan=plan, now=now)
        renumber(conn, patient_id)
        hand_over_last_steps(conn, patient_id, plan=plan, now=now)
        token, expires = (None, None)
        if patient.chat_id is None:
            token, expires = issue_invite(conn, patient_id, invite_days, now)
        audit.record(
            conn,
            at=to_epoch(now),
            actor=actor,
            action="add_course",
            subject=f"patient:{patient_id}",
            detail=f"course {course}: appointments {', '.join(map(str, ids))}",
        )
        booked = tuple(a for a in appointments.of_patient(conn, patient_id) if a.id in ids)
    return NewCourse(patient, booked, token, expires)
