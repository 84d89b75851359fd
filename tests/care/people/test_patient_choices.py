"""What patients decide for themselves: language, pausing, coming back."""

from __future__ import annotations

import sqlite3

from care.core.models import PatientStatus
from care.db import audit, patients
from care.db.alerts import undelivered
from care.people.patient_choices import choose_language, come_back, linked_patient, pause
from care.schedule.plan import CarePlan
from tests import factories
from tests.conftest import FakeClock
from tests.factories import dump

SARA = 501


def test_only_a_linked_patient_is_one(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock
) -> None:
    enrolment = factories.linked_patient(conn, plan, clock.now(), chat_id=SARA)
    found = linked_patient(conn, SARA)
    assert found is not None and found.id == enrolment.patient_id
    assert linked_patient(conn, 999) is None
    patients.set_status(conn, enrolment.patient_id, PatientStatus.ERASED)
    assert linked_patient(conn, SARA) is None


def test_the_language_is_remembered_and_audited_once(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock
) -> None:
    enrolment = factories.linked_patient(conn, plan, clock.now(), chat_id=SARA)
    chosen = choose_language(conn, SARA, "fa", now=clock.now())
    assert chosen is not None and chosen.language == "fa"
    choose_language(conn, SARA, "fa", now=clock.now())
    assert audit.actions(conn, f"patient:{enrolment.patient_id}").count("language") == 1
    before = dump(conn)
    assert choose_language(conn, 999, "en", now=clock.now()) is None
    assert dump(conn) == before


def test_pause_alerts_staff_once_and_start_resumes(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock
) -> None:
    enrolment = factories.linked_patient(conn, plan, clock.now(), chat_id=SARA)
    first = pause(conn, SARA, now=clock.now())
    assert first is not None and first.alert_raised
    assert first.patient.id == enrolment.patient_id
    clock.advance(seconds=5)
    again = pause(conn, SARA, now=clock.now())
    assert again is not None and not again.alert_raised
    assert [(a.kind, a.patient_id) for a in undelivered(conn)] == [("paused", enrolment.patient_id)]

    back = come_back(conn, SARA, now=clock.now())
    assert back is not None and back.resumed
    assert back.patient.status is PatientStatus.ACTIVE
    still = come_back(conn, SARA, now=clock.now())
    assert still is not None and not still.resumed
    actions = audit.actions(conn, f"patient:{enrolment.patient_id}")
    assert actions[-2:] == ["pause", "resume"]


def test_an_unreachable_patient_who_comes_back_is_reachable_but_was_not_paused(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock
) -> None:
    enrolment = factories.linked_patient(conn, plan, clock.now(), chat_id=SARA)
    patients.set_status(conn, enrolment.patient_id, PatientStatus.UNREACHABLE)
    back = come_back(conn, SARA, now=clock.now())
    assert back is not None and not back.resumed
    assert back.patient.status is PatientStatus.ACTIVE


def test_strangers_change_nothing(conn: sqlite3.Connection, clock: FakeClock) -> None:
    before = dump(conn)
    assert pause(conn, 999, now=clock.now()) is None
    assert come_back(conn, 999, now=clock.now()) is None
    assert dump(conn) == before
