"""`python -m bot preview`: every message an appointment would get, with its due time and what
will happen to it, one line a message; with `full`, each message's whole text, its buttons and
the reply to each button too, so the doctor can read a change to the protocol or the message
files before it goes live (docs/clinical-signoff.md). It connects to nothing and writes nothing.

The times are what care/schedule/planning.py decides; the preview only explains them, comparing each
with the time the protocol asks for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.enrol.questions import closed_day_name
from bot.settings import Settings
from care.content.catalog import Catalog
from care.core.clock import to_epoch
from care.core.dates import format_both_calendars, iso_local
from care.db.messages import Claim
from care.schedule.planning import PlannedMessage, SessionTimes, plan_session
from care.schedule.protocol import STOPS_REPEATS, CareProtocol, Step
from jobs.compose import Clinic, Composer

_RULE = "─" * 72


@dataclass(frozen=True)
class PreviewRequest:
    starts_at: datetime
    language: str
    sessions: int = 1
    interval_days: int = 14
    patient_name: str = "Sara Ahmadi"


@dataclass(frozen=True)
class _Entry:
    planned: PlannedMessage
    session: SessionTimes
    number: int


def render_preview(
    request: PreviewRequest,
    *,
    settings: Settings,
    protocol: CareProtocol,
    catalog: Catalog,
    now: datetime,
    full: bool = False,
) -> str:
    """The timeline as text, in due order, as if the appointment were booked at `now`: one
    line a message, or with `full` every message's text and buttons."""
    tz = settings.timezone
    clinic = Clinic(
        settings.clinic_name,
        settings.clinic_phone,
        settings.clinic_address,
        settings.emergency_phone,
    )
    composer = Composer(catalog, protocol, clinic, tz)
    preview = _Preview(request, settings, protocol, catalog, composer, now)
    entries = sorted(preview.entries(), key=lambda e: (e.planned.due_at, e.number))
    lines = preview.header()
    if full:
        for index, entry in enumerate(entries, start=1):
            lines += preview.entry(index, entry)
        return "\n".join(lines)
    lines.append("")
    lines += [preview.line(index, entry) for index, entry in enumerate(entries, start=1)]
    lines += ["", "Each message's full text and buttons: add --full."]
    return "\n".join(lines)


class _Preview:
    def __init__(
        self,
        request: PreviewRequest,
        settings: Settings,
        protocol: CareProtocol,
        catalog: Catalog,
        composer: Composer,
        now: datetime,
    ) -> None:
        self.request = request
        self.settings = settings
        self.protocol = protocol
        self.catalog = catalog
        self.composer = composer
        self.now = now

    def when(self, at: datetime) -> str:
        """Both calendars and the clinic's clock, as staff read dates."""
        local = at.astimezone(self.settings.timezone)
        return f"{format_both_calendars(local.date())} {local:%H:%M}"

    def entries(self) -> list[_Entry]:
        length = timedelta(minutes=self.protocol.appointment_minutes)
        found = []
        for number in range(1, self.request.sessions + 1):
            start = self.request.starts_at + timedelta(
                days=self.request.interval_days * (number - 1)
            )
            session = SessionTimes(start, start + length, number == self.request.sessions)
            for planned in plan_session(
                self.protocol,
                session,
                tz=self.settings.timezone,
                quiet=self.settings.quiet_hours,
                now=self.now,
                working=self.settings.working_time,
            ):
                found.append(_Entry(planned, session, number))
        return found

    def header(self) -> list[str]:
        request, quiet = self.request, self.settings.quiet_hours
        count = request.sessions
        course = (
            f"{count} sessions, {request.interval_days} days apart" if count > 1 else "1 session"
        )
        return [
            f"Preview: {course}, the first on {self.when(request.starts_at)}, "
            f"language {request.language}",
            f"Clinic time {self.settings.timezone.key}; quiet hours "
            f"{quiet.start:%H:%M}-{quiet.end:%H:%M}; as if booked at "
            f"{iso_local(self.now, self.settings.timezone)}.",
            "Protocol and message files checked: no mistakes found.",
        ]

    def entry(self, index: int, entry: _Entry) -> list[str]:
        planned, session = entry.planned, entry.session
        step = self.protocol.step(planned.step)
        lines = [
            "",
            _RULE,
            f"{index}. {planned.step}: session {entry.number} of {self.request.sessions}",
            f"   due     {self.when(planned.due_at)}{_aside(self.shift_note(entry), '  ({})')}",
            f"   useful  until {self.when(planned.expires_at)}; skipped if not sent by then",
        ]
        if planned.skip_reason:
            lines.append(f"   will be skipped: {self.skip_note(planned)}")
            return lines
        outgoing = self.composer.care_message(self.claim(planned, session, entry.number))
        lines += ["", *(f"    {line}".rstrip() for line in outgoing.text.splitlines()), ""]
        if outgoing.buttons:
            lines.append("   buttons: " + "  ".join(f"[{label}]" for label, _ in outgoing.buttons))
            lines += self.replies(step.answers)
        if step.repeat_months:
            lines.append(f"   {self.repeat_note(step)}")
        return lines

    def replies(self, answers: tuple[str, ...]) -> list[str]:
        """What the patient reads after tapping each button."""
        lang = self.request.language
        values = self.composer.clinic_values()
        lines = []
        for answer in answers:
            label = self.catalog.text(lang, f"answers.{answer}")
            reply = self.catalog.text(lang, f"replies.{answer}", **values).splitlines()
            lines.append(f"   tap [{label}]: {reply[0]}")
            lines += [f"        {line}" for line in reply[1:]]
        return lines

    def line(self, index: int, entry: _Entry) -> str:
        """One message on one line: when, which step, and what will happen to it."""
        planned = entry.planned
        width = max(len(step.key) for step in self.protocol.steps)
        session = ""
        if self.request.sessions > 1:
            session = f"session {entry.number:>{len(str(self.request.sessions))}}"
            session += f" of {self.request.sessions}  "
        head = f"{index:>3}. {self.when(planned.due_at)}  {planned.step:<{width}}  {session}"
        if planned.skip_reason:
            return f"{head}will be skipped: {self.skip_note(planned)}"
        step = self.protocol.step(planned.step)
        repeat = self.repeat_note(step) if step.repeat_months else ""
        return f"{head}to be sent{_aside(self.shift_note(entry), '; {}')}{_aside(repeat, '; {}')}"

    def repeat_note(self, step: Step) -> str:
        stoppers = [
            self.catalog.text(self.request.language, f"answers.{answer}")
            for answer in step.answers
            if answer in STOPS_REPEATS
        ]
        until = f'taps "{stoppers[0]}" or ' if stoppers else ""
        return (
            f"then again every {step.repeat_months} months after it is sent, "
            f"until the patient {until}stops their messages"
        )

    def shift_note(self, entry: _Entry) -> str:
        """Why planning chose another time than the protocol's, when it did."""
        planned, session = entry.planned, entry.session
        tz = self.settings.timezone
        step = self.protocol.step(planned.step)
        wanted = step.when.resolve(start=session.starts_at, end=session.ends_at, due=None, tz=tz)
        if planned.due_at == wanted:
            return ""
        if wanted < self.now:
            if planned.in_time_by is not None and planned.in_time_by <= self.now:
                return (
                    f"booked after its in-time line ({self.when(planned.in_time_by)}): sent at"
                    " once, quiet hours or not, once the patient has linked"
                )
            return "booked late: sent as soon as possible once the patient has linked"
        working = self.settings.working_time
        closed = working.closed_because(wanted.astimezone(working.tz).date())
        if step.working_day and closed is not None:
            why = closed_day_name(closed, working, "en", lambda key: self.catalog.text("en", key))
            return f"moved from {self.when(wanted)}: the clinic is closed that day ({why})"
        if self.settings.quiet_hours.contains(wanted, tz):
            return f"moved out of quiet hours from {self.when(wanted)}"
        return f"moved from {self.when(wanted)}"

    def skip_note(self, planned: PlannedMessage) -> str:
        """Why a message is useless already, in the words the desk uses, and since when."""
        assert planned.skip_reason is not None
        why = self.catalog.text("en", f"card.reason_{planned.skip_reason.value}")
        return f"{why} (useless after {self.when(planned.expires_at)})"

    def claim(self, planned: PlannedMessage, session: SessionTimes, number: int) -> Claim:
        """The message as the sender would take it from the schedule."""
        return Claim(
            message_id=0,
            step=planned.step,
            attempts=0,
            due_at=to_epoch(planned.due_at),
            expires_at=to_epoch(planned.expires_at),
            chat_id=0,
            patient_id=0,
            language=self.request.language,
            patient_name=self.request.patient_name,
            appointment_id=0,
            starts_at=to_epoch(session.starts_at),
            session_number=number,
            session_count=self.request.sessions,
        )


def _aside(note: str, shape: str) -> str:
    """`note` in `shape`, or nothing when there is no note."""
    return shape.format(note) if note else ""
