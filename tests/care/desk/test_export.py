"""The CSV export: BOM, header, a row per care message, Persian intact, erased patients
without personal data, spreadsheet formulas defused."""

from __future__ import annotations

import csv
import io
import sqlite3
from datetime import timedelta

from care.core.models import PatientStatus
from care.db import messages, patients
from care.desk.export import HEADER, export_csv
from care.people.enrolment import Booking, enrol
from care.schedule.plan import CarePlan
from tests.conftest import TEHRAN, FakeClock


def _rows(conn: sqlite3.Connection) -> list[dict[str, str]]:
    data = export_csv(conn, TEHRAN)
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def _enrol(conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock, name: str) -> int:
    booking = Booking(name, clock.now() + timedelta(days=3), "fa", phone="+98 912 000 1111")
    return enrol(
        conn, booking, plan=plan, actor="telegram:1", invite_days=14, now=clock.now()
    ).patient_id


def test_one_row_per_care_message_with_its_appointment_and_patient(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock
) -> None:
    patient_id = _enrol(conn, plan, clock, "زهرا رضایی")
    header = export_csv(conn, TEHRAN).decode("utf-8-sig").splitlines()[0]
    assert header == ",".join(HEADER)
    rows = _rows(conn)
    planned = messages.of_appointment(conn, 1)
    assert [row["message_id"] for row in rows] == [str(m.id) for m in planned]
    first = rows[0]
    assert first["patient_name"] == "زهرا رضایی"
    assert first["phone"] == "+98 912 000 1111"
    assert first["patient_id"] == str(patient_id)
    assert first["telegram_linked"] == "no"
    assert first["message_state"] == "pending"
    start = (clock.now() + timedelta(days=3)).astimezone(TEHRAN)
    assert first["appointment_start"] == start.isoformat(timespec="minutes")
    assert first["appointment_start"].endswith("+03:30")


def test_a_patient_without_appointments_still_has_a_row(conn: sqlite3.Connection) -> None:
    patients.add(conn, full_name="Nima", name_key="nima", language="en", phone=None, now=0)
    (row,) = _rows(conn)
    assert (row["patient_name"], row["appointment_id"], row["message_id"]) == ("Nima", "", "")


def test_erased_patients_appear_without_personal_data(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock
) -> None:
    patient_id = _enrol(conn, plan, clock, "Sara Ahmadi")
    conn.execute("UPDATE care_messages SET answer = 'blood_thinner'")
    patients.set_status(conn, patient_id, PatientStatus.ERASED)
    rows = _rows(conn)
    assert rows and all(row["patient_status"] == "erased" for row in rows)
    for field in ("patient_name", "phone", "answer"):
        assert {row[field] for row in rows} == {""}
    assert "Sara" not in export_csv(conn, TEHRAN).decode("utf-8-sig")
    assert {row["message_state"] for row in rows} == {"pending"}


def test_a_cell_that_looks_like_a_formula_is_defused(conn: sqlite3.Connection) -> None:
    patients.add(
        conn, full_name="=HYPERLINK(1)", name_key="x", language="en", phone="+98 21 5", now=0
    )
    (row,) = _rows(conn)
    assert row["patient_name"] == "'=HYPERLINK(1)"
    assert row["phone"] == "+98 21 5"
