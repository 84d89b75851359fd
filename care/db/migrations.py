"""Numbered forward migrations, tracked with PRAGMA user_version.

Each step runs in its own transaction together with the version bump. Never edit a step that
has been released: add a new one.
"""

from __future__ import annotations

import sqlite3

_STEPS: tuple[str, ...] = (
    # 1: patients, invites, appointments, the care-message schedule and its history, the audit.
    """
    CREATE TABLE patients (
        id INTEGER PRIMARY KEY,
        full_name TEXT NOT NULL,
        name_key TEXT NOT NULL,
        phone TEXT,
        language TEXT NOT NULL,
        chat_id INTEGER UNIQUE,
        status TEXT NOT NULL DEFAULT 'active'
            CHECK (status IN ('active', 'paused', 'unreachable', 'erased')),
        created_at INTEGER NOT NULL
    );
    CREATE INDEX patients_name_key ON patients(name_key);

    CREATE TABLE invites (
        id INTEGER PRIMARY KEY,
        patient_id INTEGER NOT NULL REFERENCES patients(id),
        token_hash TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        used_at INTEGER,
        revoked_at INTEGER
    );
    CREATE INDEX invites_patient ON invites(patient_id);

    CREATE TABLE appointments (
        id INTEGER PRIMARY KEY,
        patient_id INTEGER NOT NULL REFERENCES patients(id),
        starts_at INTEGER NOT NULL,
        ends_at INTEGER NOT NULL,
        session_number INTEGER NOT NULL DEFAULT 1,
        session_count INTEGER NOT NULL DEFAULT 1,
        area TEXT,
        status TEXT NOT NULL DEFAULT 'booked'
            CHECK (status IN ('booked', 'done', 'cancelled', 'no_show')),
        created_at INTEGER NOT NULL
    );
    CREATE INDEX appointments_patient ON appointments(patient_id);
    CREATE INDEX appointments_starts ON appointments(starts_at);

    CREATE TABLE care_messages (
        id INTEGER PRIMARY KEY,
        appointment_id INTEGER NOT NULL REFERENCES appointments(id),
        patient_id INTEGER NOT NULL REFERENCES patients(id),
        step TEXT NOT NULL,
        due_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        wake_at INTEGER NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending'
            CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'skipped', 'cancelled')),
        reason TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        updated_at INTEGER NOT NULL,
        sent_at INTEGER,
        telegram_message_id INTEGER,
        answer TEXT,
        answered_at INTEGER
    );
    CREATE INDEX care_messages_wake ON care_messages(wake_at) WHERE state = 'pending';
    CREATE INDEX care_messages_expiry ON care_messages(expires_at) WHERE state = 'pending';
    CREATE INDEX care_messages_appointment ON care_messages(appointment_id);
    CREATE INDEX care_messages_patient ON care_messages(patient_id);

    CREATE TABLE message_events (
        id INTEGER PRIMARY KEY,
        message_id INTEGER NOT NULL REFERENCES care_messages(id),
        at INTEGER NOT NULL,
        from_state TEXT NOT NULL,
        to_state TEXT NOT NULL,
        reason TEXT
    );
    CREATE INDEX message_events_message ON message_events(message_id);

    CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        subject TEXT,
        detail TEXT
    );
    """,
    # 2: staff beyond the admins of .env, their one-time invites, and alerts raised to staff.
    """
    CREATE TABLE staff (
        user_id INTEGER PRIMARY KEY,
        display_name TEXT NOT NULL,
        added_by TEXT NOT NULL,
        added_at INTEGER NOT NULL,
        removed_at INTEGER
    );

    CREATE TABLE staff_invites (
        id INTEGER PRIMARY KEY,
        token_hash TEXT NOT NULL UNIQUE,
        created_by TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        used_at INTEGER,
        used_by INTEGER
    );

    CREATE TABLE alerts (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        patient_id INTEGER REFERENCES patients(id),
        appointment_id INTEGER REFERENCES appointments(id),
        dedupe_key TEXT NOT NULL UNIQUE,
        urgent INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        delivered_at INTEGER
    );
    CREATE INDEX alerts_undelivered ON alerts(created_at) WHERE delivered_at IS NULL;
    """,
    # 3: the appointment start a care message described when it was sent, so an answer button
    # under it can tell that the appointment has moved since.
    """
    ALTER TABLE care_messages ADD COLUMN sent_for_start INTEGER;
    """,
    # 4: start-up finds the messages a crash left mid-send without reading the whole schedule
    # (a full scan took 0.1 s per million messages; this index holds only the few in flight).
    """
    CREATE INDEX care_messages_sending ON care_messages(state) WHERE state = 'sending';
    """,
    # 5: quiet hours never hold a message past its `in_time_by` (the protocol's latest useful
    # moment); ready_at: when it would be due without quiet hours, from which a patient who is
    # awake (linked or wrote just now) gets it. Messages planned before this step: ready
    # when due, and pre-care gets the 24-hour line the protocol always enforces.
    """
    ALTER TABLE care_messages ADD COLUMN in_time_by INTEGER;
    ALTER TABLE care_messages ADD COLUMN ready_at INTEGER;
    UPDATE care_messages SET ready_at = due_at;
    UPDATE care_messages SET in_time_by = (
        SELECT a.starts_at - 86400 FROM appointments a WHERE a.id = care_messages.appointment_id
    ) WHERE step = 'pre_care'
    """,
    # 6: the language each staff member (or admin) chose with /language; without a row, their
    # Telegram app's language decides.
    """
    CREATE TABLE staff_languages (
        user_id INTEGER PRIMARY KEY,
        language TEXT NOT NULL,
        chosen_at INTEGER NOT NULL
    );
    """,
    # 7: a patient may have a chat on each channel (Telegram, Bale); the channel linked first is
    # their preferred one; each delivery records the channel it went by (set before the send:
    # a message whose outcome there is unknown never goes on another channel); staff ids are
    # per channel. patients.chat_id stays the Telegram chat (older tools and queries read it),
    # written together with its patient_chats row; patient_chats holds every channel's chat.
    """
    CREATE TABLE patient_chats (
        patient_id INTEGER NOT NULL REFERENCES patients(id),
        channel TEXT NOT NULL,
        chat_id INTEGER NOT NULL,
        linked_at INTEGER NOT NULL,
        unreachable_at INTEGER,
        PRIMARY KEY (patient_id, channel),
        UNIQUE (channel, chat_id)
    );
    INSERT INTO patient_chats (patient_id, channel, chat_id, linked_at, unreachable_at)
        SELECT id, 'telegram', chat_id, created_at,
            CASE status WHEN 'unreachable' THEN created_at END
        FROM patients WHERE chat_id IS NOT NULL;
    ALTER TABLE patients ADD COLUMN preferred_channel TEXT;
    UPDATE patients SET preferred_channel = 'telegram' WHERE chat_id IS NOT NULL;
    ALTER TABLE care_messages ADD COLUMN channel TEXT;
    UPDATE care_messages SET channel = 'telegram' WHERE state = 'sent';
    ALTER TABLE staff ADD COLUMN channel TEXT NOT NULL DEFAULT 'telegram'
    """,
    # 8: the patient's optional comment after the satisfaction question (their own words:
    # exported with their data and erased with it).
    """
    ALTER TABLE care_messages ADD COLUMN comment TEXT
    """,
    # 9: a returning patient's new course lands on their record: each appointment belongs to
    # a course (1, 2, ... per patient), numbered "session n of m" within it. Earlier rows:
    # the first course.
    """
    ALTER TABLE appointments ADD COLUMN course INTEGER NOT NULL DEFAULT 1
    """,
    # 10: patients talk to the clinic. `relayed`: each message relayed between a patient and the
    # staff chat, with only what the relay needs (who, when, where it sits in the staff chat);
    # the text of a staff reply is kept (what the clinic told the patient), a patient's own
    # words are not (they are in the staff chat already). `relay_posts`: the staff-chat
    # messages a reply can answer, keyed by (channel, chat_id, message_id) as chat and message
    # ids are each messenger's own. Each alert gets an owner, a close with an optional
    # note, an escalation mark and the messages it was posted as; the morning sheet is sent
    # once a day.
    """
    CREATE TABLE relayed (
        id INTEGER PRIMARY KEY,
        patient_id INTEGER NOT NULL REFERENCES patients(id),
        direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
        kind TEXT NOT NULL CHECK (kind IN ('text', 'photo', 'voice', 'held', 'flood')),
        body TEXT,
        staff_user_id INTEGER,
        staff_name TEXT,
        answers_id INTEGER REFERENCES relayed(id) ON DELETE CASCADE,
        answered_at INTEGER,
        at INTEGER NOT NULL
    );
    CREATE INDEX relayed_patient ON relayed(patient_id, at);

    CREATE TABLE relay_posts (
        channel TEXT NOT NULL DEFAULT 'telegram',
        chat_id INTEGER NOT NULL,
        message_id INTEGER NOT NULL,
        relayed_id INTEGER NOT NULL REFERENCES relayed(id) ON DELETE CASCADE,
        PRIMARY KEY (channel, chat_id, message_id)
    );
    CREATE INDEX relay_posts_relayed ON relay_posts(relayed_id);

    ALTER TABLE alerts ADD COLUMN owner_id INTEGER;
    ALTER TABLE alerts ADD COLUMN owner_name TEXT;
    ALTER TABLE alerts ADD COLUMN taken_at INTEGER;
    ALTER TABLE alerts ADD COLUMN closed_at INTEGER;
    ALTER TABLE alerts ADD COLUMN note TEXT;
    ALTER TABLE alerts ADD COLUMN escalated_at INTEGER;
    CREATE INDEX alerts_open ON alerts(created_at) WHERE closed_at IS NULL;

    CREATE TABLE alert_posts (
        channel TEXT NOT NULL DEFAULT 'telegram',
        chat_id INTEGER NOT NULL,
        message_id INTEGER NOT NULL,
        alert_id INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
        PRIMARY KEY (channel, chat_id, message_id)
    );
    CREATE INDEX alert_posts_alert ON alert_posts(alert_id);

    CREATE TABLE morning_sheets (
        day TEXT PRIMARY KEY,
        sent_at INTEGER NOT NULL
    );
    """,
    # 11: a patient's request for another time (issue 15): the session, the care message it
    # answers, the start it was asked for (a request stands while the session is booked at
    # that start) and the alert it raised; its choices, a working day and a part of it each.
    # The choices are the patient's own words in effect: exported with their data, erased
    # with it. One request per session: a second replaces the first (AUTOINCREMENT: a new
    # request never takes a replaced one's id, which keys its alert).
    """
    CREATE TABLE reschedule_requests (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        appointment_id INTEGER NOT NULL UNIQUE REFERENCES appointments(id),
        patient_id INTEGER NOT NULL REFERENCES patients(id),
        message_id INTEGER NOT NULL REFERENCES care_messages(id),
        for_start INTEGER NOT NULL,
        alert_id INTEGER REFERENCES alerts(id) ON DELETE SET NULL,
        asked_at INTEGER NOT NULL
    );
    CREATE INDEX reschedule_requests_patient ON reschedule_requests(patient_id);
    CREATE INDEX reschedule_requests_alert ON reschedule_requests(alert_id);

    CREATE TABLE reschedule_choices (
        request_id INTEGER NOT NULL REFERENCES reschedule_requests(id) ON DELETE CASCADE,
        day TEXT NOT NULL,
        part TEXT NOT NULL CHECK (part IN ('morning', 'afternoon', 'evening')),
        PRIMARY KEY (request_id, day, part)
    )
    """,
    # 12: a Telegram id and a Bale id are separate namespaces that may hold the same number, so
    # staff and their chosen languages are keyed by (channel, user_id), and an alert's owner is
    # stored with the messenger their id is from. A language chosen before this step served
    # that number on every channel: it is kept for both. An owner taken before it: the channel
    # of their staff row (one per number until now), else Telegram (admins are not stored).
    # A row written without a channel is Telegram's, as in step 7.
    """
    CREATE TABLE staff_by_channel (
        channel TEXT NOT NULL DEFAULT 'telegram',
        user_id INTEGER NOT NULL,
        display_name TEXT NOT NULL,
        added_by TEXT NOT NULL,
        added_at INTEGER NOT NULL,
        removed_at INTEGER,
        PRIMARY KEY (channel, user_id)
    );
    INSERT INTO staff_by_channel
        (channel, user_id, display_name, added_by, added_at, removed_at)
        SELECT channel, user_id, display_name, added_by, added_at, removed_at FROM staff;
    DROP TABLE staff;
    ALTER TABLE staff_by_channel RENAME TO staff;

    CREATE TABLE staff_languages_by_channel (
        channel TEXT NOT NULL DEFAULT 'telegram',
        user_id INTEGER NOT NULL,
        language TEXT NOT NULL,
        chosen_at INTEGER NOT NULL,
        PRIMARY KEY (channel, user_id)
    );
    INSERT INTO staff_languages_by_channel (channel, user_id, language, chosen_at)
        SELECT 'telegram', user_id, language, chosen_at FROM staff_languages;
    INSERT INTO staff_languages_by_channel (channel, user_id, language, chosen_at)
        SELECT 'bale', user_id, language, chosen_at FROM staff_languages;
    DROP TABLE staff_languages;
    ALTER TABLE staff_languages_by_channel RENAME TO staff_languages;

    ALTER TABLE alerts ADD COLUMN owner_channel TEXT;
    UPDATE alerts SET owner_channel = coalesce(
        (SELECT s.channel FROM staff s WHERE s.user_id = alerts.owner_id LIMIT 1), 'telegram'
    ) WHERE owner_id IS NOT NULL
    """,
)

LATEST_VERSION = len(_STEPS)


def migrate(conn: sqlite3.Connection) -> int:
    """Apply every step newer than the database's version; return the version reached."""
    version: int = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > LATEST_VERSION:
        raise RuntimeError(
            f"the database is at schema version {version}, newer than this program "
            f"({LATEST_VERSION}); run a newer Mesocare or restore a backup"
        )
    for number in range(version + 1, LATEST_VERSION + 1):
        _apply(conn, number, _STEPS[number - 1])
    return LATEST_VERSION


def _apply(conn: sqlite3.Connection, number: int, script: str) -> None:
    statements = [s.strip() for s in script.split(";") if s.strip()]
    conn.execute("BEGIN IMMEDIATE")
    try:
        for statement in statements:
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {number}")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
