"""The patient card's data: link status from the patient and their invites, every session
with its messages."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from care.core.models import PatientStatus
from care.db import patients
from care.desk.card import LinkStatus, patient_card
from care.people.enrolment import Booking, Enrolment, enrol
from care.people.invites import issue_invite
from care.schedule.plan import CarePlan
from tests.conftest import FakeClock


def _enrol(conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock) -> Enrolment:
    booking = Booking("Sara Ahmadi", clock.now() + timedelta(days=3), "fa", session_count=2)
    return enrol(conn, booking, plan=plan, actor="telegram:1", invite_days=14, now=clock.now())


def test_a_new_patient_has_an_invite_pending_and_every_session_listed(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock
) -> None:
    enrolment = _enrol(conn, plan, clock)
    card = patient_card(conn, enrolment.patient_id, clock.now())
    assert card is not None
    assert card.link is LinkStatus.INVITE_PENDING
    assert card.invite_expires_at == enrolment.invite_expires_at.replace(microsecond=0)
    assert [s.appointment.id for s in card.sessions] == list(enrolment.appointment_ids)
    assert [m.step for m in card.sessions[1].messages][-1] == "follow_up"
    assert patient_card(conn, 999, clock.now()) is None


def test_link_status_follows_the_patient(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock
) -> None:
    enrolment = _enrol(conn, plan, clock)
    later = clock.now() + timedelta(days=15)
    assert _link(conn, enrolment.patient_id, later) is LinkStatus.NO_VALID_INVITE
    issue_invite(conn, enrolment.patient_id, 14, later)
    assert _link(conn, enrolment.patient_id, later) is LinkStatus.INVITE_PENDING
    patients.link_chat(conn, enrolment.patient_id, 5001, 0)
    statuses = {
        PatientStatus.ACTIVE: LinkStatus.LINKED,
        PatientStatus.PAUSED: LinkStatus.PAUSED,
        PatientStatus.UNREACHABLE: LinkStatus.UNREACHABLE,
        PatientStatus.ERASED: LinkStatus.ERASED,
    }
    for status, link in statuses.items():
        patients.set_status(conn, enrolment.patient_id, status)
        assert _link(conn, enrolment.patient_id, later) is link


def _link(conn: sqlite3.Connection, patient_id: int, now: datetime) -> LinkStatus:
    card = patient_card(conn, patient_id, now)
    assert card is not None
    return card.link
