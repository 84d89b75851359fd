"""What the relay keeps about a patient, and that /export_patient shows it and /forget erases
it: the clinic's replies in full, of the patient's own messages only their kind and time."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from care.core.channels import TELEGRAM
from care.core.clock import to_epoch
from care.core.models import AlertKind
from care.db import alert_owners, alerts, chats, patients
from care.people.enrolment import Booking, enrol
from care.people.privacy import export_patient, forget_patient
from care.relay import posts as relay_posts
from care.relay.inbound import RELAY_LIMIT, Route, take_message
from care.relay.outbound import record_reply, reply_target
from care.schedule.plan import CarePlan
from tests.conftest import TEHRAN, FakeClock

CHAT, STAFF_CHAT = 2002, -100500


def linked(conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock) -> int:
    booking = Booking("Sara Ahmadi", clock.now() + timedelta(days=4), "en", area="face")
    enrolment = enrol(conn, booking, plan=plan, actor="test", invite_days=14, now=clock.now())
    patients.link_chat(conn, enrolment.patient_id, CHAT)
    return enrolment.patient_id


def test_export_shows_and_forget_erases_relayed_messages(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock
) -> None:
    patient_id = linked(conn, plan, clock)
    inbound = take_message(conn, TELEGRAM, CHAT, "text", clock.now())
    assert inbound is not None and inbound.route is Route.RELAY
    conn.execute(
        "INSERT INTO relay_posts (chat_id, message_id, relayed_id) VALUES (?, 7, ?)",
        (STAFF_CHAT, inbound.relayed_id),
    )  # the channel defaults to Telegram, as for every post before Bale
    assert reply_target(conn, "bale", STAFF_CHAT, 7) is None  # the same ids on another messenger
    target = reply_target(conn, TELEGRAM, STAFF_CHAT, 7)
    assert target is not None and target.patient.id == patient_id
    assert (target.channel, target.chat_id) == (TELEGRAM, CHAT)
    record_reply(conn, target, staff_user_id=1001, staff_name="Mina", text="Fine.", now=clock.now())
    alert_id = alerts.raise_once(
        conn,
        kind=AlertKind.STILL_SYMPTOMS,
        dedupe_key="a",
        now=to_epoch(clock.now()),
        patient_id=patient_id,
    )
    assert alert_id is not None
    alert_owners.add_post(conn, TELEGRAM, STAFF_CHAT, 8, alert_id)

    record = export_patient(conn, patient_id, actor="test", now=clock.now(), tz=TEHRAN)
    assert record is not None
    relayed = record["relayed_messages"]
    assert [(r["direction"], r["kind"], r["body"]) for r in relayed] == [
        ("in", "text", None),
        ("out", "text", "Fine."),
    ]
    assert relayed[1]["staff_name"] == "Mina" and relayed[0]["at"].endswith("+03:30")

    forget_patient(conn, patient_id, actor="test", now=clock.now())
    for table in ("relayed", "relay_posts", "alert_posts", "alerts"):
        assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table
    assert reply_target(conn, TELEGRAM, STAFF_CHAT, 7) is None
    assert take_message(conn, TELEGRAM, CHAT, "text", clock.now()) is None  # no longer linked


def test_strangers_are_not_recorded(conn: sqlite3.Connection, clock: FakeClock) -> None:
    assert take_message(conn, TELEGRAM, 4242, "photo", clock.now()) is None
    assert conn.execute("SELECT count(*) FROM relayed").fetchone()[0] == 0


def test_past_the_limit_one_notice_counts_the_rest_until_the_window_ends(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock
) -> None:
    linked(conn, plan, clock)
    routes = []
    for _ in range(RELAY_LIMIT + 3):
        inbound = take_message(conn, TELEGRAM, CHAT, "text", clock.now())
        assert inbound is not None
        routes.append((inbound.route, inbound.held, inbound.acknowledge))
    assert routes[0] == (Route.RELAY, 0, True)
    assert all(route == (Route.RELAY, 0, False) for route in routes[1:RELAY_LIMIT])
    assert routes[RELAY_LIMIT:] == [
        (Route.FLOOD_STARTS, 1, True),
        (Route.HELD, 2, False),
        (Route.HELD, 3, False),
    ]
    clock.advance(minutes=16)
    again = take_message(conn, TELEGRAM, CHAT, "voice", clock.now())
    assert again is not None and (again.route, again.acknowledge) == (Route.RELAY, True)


def test_a_bale_message_is_answered_on_bale_at_the_patients_bale_chat(
    conn: sqlite3.Connection, plan: CarePlan, clock: FakeClock
) -> None:
    """Chat ids are each messenger's own: a post on Bale finds the patient's Bale chat, and
    the same ids on Telegram find nothing."""
    patient_id = linked(conn, plan, clock)
    chats.link(conn, patient_id, "bale", 9_000_001, to_epoch(clock.now()))
    assert take_message(conn, "bale", CHAT, "text", clock.now()) is None  # CHAT is Telegram's
    inbound = take_message(conn, "bale", 9_000_001, "text", clock.now())
    assert inbound is not None and inbound.patient.id == patient_id
    relay_posts.record_post(conn, "bale", STAFF_CHAT, 7, inbound.relayed_id)
    assert reply_target(conn, TELEGRAM, STAFF_CHAT, 7) is None
    target = reply_target(conn, "bale", STAFF_CHAT, 7)
    assert target is not None and (target.channel, target.chat_id) == ("bale", 9_000_001)
    assert [(p.channel, p.chat_id) for p in relay_posts.posts_of(conn, inbound.relayed_id)] == [
        ("bale", STAFF_CHAT)
    ]
