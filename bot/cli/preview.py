"""`python -m bot preview`: every message an appointment would get, with its due time and what
will happen to it, one line a message; with `full`, each message's whole text, its buttons and
the reply to each button too, so the doctor can read a change to the protocol or the message
files before it goes live (docs/clinical-signoff.md). It connects to nothing and writes nothing.

The times are what care/schedule/planning.py decides; the preview only explains them, comparing each
with the time the protocol asks for. Its own words are the catalog's [preview] section, in the
preview's language; step keys stay as the protocol file names them, for the physician to find."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.common.staff_voice import Voice
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
    lines += ["", preview.say("preview.footer")]
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
        self.say = Voice(catalog, request.language, settings.timezone)

    def when(self, at: datetime) -> str:
        """Both calendars and the clinic's clock, as staff read dates: in Persian Solar Hijri
        first, in English the compact form that lines up in columns."""
        if self.request.language == "fa":
            return self.say.when(at)
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
        request, quiet, say = self.request, self.settings.quiet_hours, self.say
        count = request.sessions
        course = (
            say("preview.course_many", count=count, days=request.interval_days)
            if count > 1
            else say("preview.course_one")
        )
        first = self.when(request.starts_at)
        booked = (
            say.when(self.now)
            if request.language == "fa"
            else iso_local(self.now, self.settings.timezone)
        )
        return [
            say("preview.header", course=course, when=first, language=request.language),
            say(
                "preview.clinic",
                timezone=self.settings.timezone.key,
                quiet=say.digits(f"{quiet.start:%H:%M}-{quiet.end:%H:%M}"),
                booked=booked,
            ),
            say("preview.checked"),
        ]

    def entry(self, index: int, entry: _Entry) -> list[str]:
        planned, session = entry.planned, entry.session
        step = self.protocol.step(planned.step)
        say = self.say
        heading = say(
            "preview.heading",
            index=index,
            step=planned.step,
            number=entry.number,
            count=self.request.sessions,
        )
        due = say("preview.due", when=self.when(planned.due_at))
        lines = [
            "",
            _RULE,
            heading,
            f"   {due}{_aside(self.shift_note(entry), '  ({})')}",
            f"   {say('preview.useful', when=self.when(planned.expires_at))}",
        ]
        if planned.skip_reason:
            lines.append(f"   {say('preview.skipped', why=self.skip_note(planned))}")
            return lines
        outgoing = self.composer.care_message(self.claim(planned, session, entry.number))
        lines += ["", *(f"    {line}".rstrip() for line in outgoing.text.splitlines()), ""]
        if outgoing.buttons:
            labels = "  ".join(f"[{label}]" for label, _ in outgoing.buttons)
            lines.append(f"   {self.say('preview.buttons', labels=labels)}")
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
            lines.append(f"   {self.say('preview.tap', label=label, reply=reply[0])}")
            lines += [f"        {line}" for line in reply[1:]]
        return lines

    def line(self, index: int, entry: _Entry) -> str:
        """One message on one line: when, which step, and what will happen to it."""
        planned = entry.planned
        width = max(len(step.key) for step in self.protocol.steps)
        count, say = self.request.sessions, self.say
        session = ""
        if count > 1:
            number = say.digits(f"{entry.number:>{len(str(count))}}")
            session = say("preview.session_of", number=number, count=count) + "  "
        number = say.digits(f"{index:>3}")
        head = f"{number}. {self.when(planned.due_at)}  {planned.step:<{width}}  {session}"
        if planned.skip_reason:
            return head + say("preview.skipped", why=self.skip_note(planned))
        step = self.protocol.step(planned.step)
        repeat = self.repeat_note(step) if step.repeat_months else ""
        notes = [say("preview.to_be_sent"), self.shift_note(entry), repeat]
        return head + say.join([note for note in notes if note], "preview.and")

    def repeat_note(self, step: Step) -> str:
        stoppers = [
            self.catalog.text(self.request.language, f"answers.{answer}")
            for answer in step.answers
            if answer in STOPS_REPEATS
        ]
        if stoppers:
            return self.say(
                "preview.repeat_until_tap", months=step.repeat_months, answer=stoppers[0]
            )
        return self.say("preview.repeat", months=step.repeat_months)

    def shift_note(self, entry: _Entry) -> str:
        """Why planning chose another time than the protocol's, when it did."""
        planned, session = entry.planned, entry.session
        tz = self.settings.timezone
        step = self.protocol.step(planned.step)
        wanted = step.when.resolve(start=session.starts_at, end=session.ends_at, due=None, tz=tz)
        if planned.due_at == wanted:
            return ""
        say = self.say
        if wanted < self.now:
            if planned.in_time_by is not None and planned.in_time_by <= self.now:
                return say("preview.in_time_passed", when=self.when(planned.in_time_by))
            return say("preview.booked_late")
        working = self.settings.working_time
        closed = working.closed_because(wanted.astimezone(working.tz).date())
        if step.working_day and closed is not None:
            lang = self.request.language
            why = closed_day_name(closed, working, lang, say)
            return say("preview.closed_day", when=self.when(wanted), why=why)
        if self.settings.quiet_hours.contains(wanted, tz):
            return say("preview.quiet_hours", when=self.when(wanted))
        return say("preview.moved", when=self.when(wanted))

    def skip_note(self, planned: PlannedMessage) -> str:
        """Why a message is useless already, in the words the desk uses, and since when."""
        assert planned.skip_reason is not None
        why = self.say(f"card.reason_{planned.skip_reason.value}")
        return self.say("preview.useless_after", why=why, when=self.when(planned.expires_at))

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
