"""The care protocol: which messages a session gets, when each is due and until when it is useful.

The clinic edits it as a TOML file (content/protocol.toml). It is checked once at start-up and a
mistake stops the bot with a ProtocolError naming the file and the key, so a typo never silently
changes what patients receive.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any, Literal, NoReturn, cast
from zoneinfo import ZoneInfo

from care.core.dates import add_months

Anchor = Literal["start", "end", "due", "marked"]
QuietPolicy = Literal["earlier", "later", "ignore"]
Sessions = Literal["each", "last"]
# What a step planned on an event (not for every session) follows: `after = "no_show"` is
# planned when staff mark a session as a no-show, anchored on the moment they did.
# `after = "clean_recovery"`: when the patient answers "all fine" after the last session of a
# course with no alert raised about them since it began (the satisfaction question).
AFTER_EVENTS: tuple[str, ...] = ("no_show", "clean_recovery")

DEFAULT_PROTOCOL_PATH = Path(__file__).parents[1] / "content" / "protocol.toml"

# One-tap answers the bot knows how to handle; each needs answers.<key> and replies.<key>
# in every message file.
ANSWER_KEYS: tuple[str, ...] = (
    "understood",
    "blood_thinner",
    "another_time",
    "took_painkiller",
    "all_fine",
    "still_symptoms",
    "something_wrong",
    "book_me",
    "not_now",
    "stop_reminders",
    "rebook",
    "no_rebook",
    "score_1",
    "score_2",
    "score_3",
    "score_4",
    "score_5",
)
NEEDS_HUMAN = frozenset(
    {
        "blood_thinner",
        "another_time",
        "took_painkiller",
        "still_symptoms",
        "something_wrong",
        "book_me",
        "rebook",
        "score_1",
        "score_2",
    }
)
URGENT = frozenset({"something_wrong"})
# Answers after which a repeating step (the six-monthly follow-up) is not planned again.
# "Not now" is not one of them: it declines this reminder only, and the next one still comes.
STOPS_REPEATS = frozenset({"stop_reminders"})

_PRE_CARE_LEAD = timedelta(hours=24)
# Pre-care's `in_time_by` when the file leaves it out: the 24-hour line itself.
_PRE_CARE_IN_TIME_BY = "start - 24h"
_UNITS = {
    "s": timedelta(seconds=1),
    "m": timedelta(minutes=1),
    "h": timedelta(hours=1),
    "d": timedelta(days=1),
}
_TOP_KEYS = ("appointment_minutes", "steps")
_STEP_KEYS = (
    "when",
    "expires",
    "in_time_by",
    "quiet_hours",
    "answers",
    "sessions",
    "repeat",
    "working_day",
    "after",
)
_STEP_NAME = re.compile(r"[a-z][a-z0-9_]*")
_AT_SPLIT = re.compile(r"(.*?)(?:\s+at\s+(\S*))?")
_AMOUNT = re.compile(r"([A-Za-z_]+)\s*(?:([+-])\s*([0-9]+)\s*([A-Za-z]*))?")
_CLOCK = re.compile(r"([0-9]{1,2}):([0-9]{2})")
_REPEAT = re.compile(r"([0-9]+)\s*mo")
_EXPR_HELP = (
    'write <start|end|marked> [+ or - <amount><unit>] [at HH:MM], e.g. "end + 6mo at 10:00"'
)
# `at` moves a time by less than a day either way; a month is 28 to 31 days; daylight saving
# adds at most an hour or two on the clocks. Used only to prove an expiry always follows `when`.
_DST_SLACK = timedelta(hours=2)


class ProtocolError(ValueError):
    """The care protocol cannot be used; `str()` names the file and the key."""


@dataclass(frozen=True)
class TimeExpr:
    """A moment relative to an appointment: anchor, then elapsed offset or calendar months,
    then an optional clinic-local time of day."""

    anchor: Anchor
    offset: timedelta
    months: int
    at: time | None

    def resolve(
        self,
        *,
        start: datetime,
        end: datetime,
        due: datetime | None,
        tz: ZoneInfo,
        marked: datetime | None = None,
    ) -> datetime:
        """The UTC instant. Offsets are elapsed time (26h is 26 real hours even across a
        daylight-saving change); months and `at` are applied to the clinic's wall clock.
        `marked` is the moment staff recorded the event an `after` step follows."""
        base = {"start": start, "end": end, "due": due, "marked": marked}[self.anchor]
        if base is None:
            raise ValueError(f"this time is anchored on {self.anchor!r} but none was given")
        if base.tzinfo is None:
            raise ValueError("naive datetime: every time in Mesocare carries its time zone")
        moved = base.astimezone(UTC) + self.offset
        if not self.months and self.at is None:
            return moved
        wall = moved.astimezone(tz).replace(tzinfo=None)
        if self.months:
            wall = datetime.combine(add_months(wall.date(), self.months), wall.time())
        if self.at is not None:
            wall = datetime.combine(wall.date(), self.at)
        # A wall time skipped by a daylight-saving jump lands just after the jump (fold=0).
        return wall.replace(tzinfo=tz).astimezone(UTC)


@dataclass(frozen=True)
class Step:
    key: str
    when: TimeExpr
    expires: TimeExpr
    quiet_hours: QuietPolicy
    answers: tuple[str, ...]
    sessions: Sessions
    repeat_months: int  # 0 = no repeat
    # The latest moment the message still does its job (it must arrive before something);
    # quiet hours never hold it past this. None: only `expires` limits it.
    in_time_by: TimeExpr | None = None
    working_day: bool = False  # asks the patient to book or call: sent on a working day
    # The event it follows ("no_show"), planned when it happens; None: planned per session.
    after: str | None = None


@dataclass(frozen=True)
class CareProtocol:
    appointment_minutes: int
    steps: tuple[Step, ...]

    def step(self, key: str) -> Step:
        for step in self.steps:
            if step.key == key:
                return step
        raise KeyError(key)

    def has_step(self, key: str) -> bool:
        """False for a step the clinic has since removed (its planned messages remain)."""
        return any(step.key == key for step in self.steps)

    def after(self, event: str) -> tuple[Step, ...]:
        """The steps planned when `event` happens (none if the clinic removed them)."""
        return tuple(step for step in self.steps if step.after == event)


def load_protocol(path: Path) -> CareProtocol:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProtocolError(f"care protocol {path}: cannot read the file: {exc}") from exc
    return parse_protocol(text, source=str(path))


def parse_protocol(text: str, *, source: str) -> CareProtocol:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProtocolError(f"care protocol {source}: TOML syntax error: {exc}") from exc
    return _Reader(source).protocol(data)


class _Reader:
    """Turns the parsed TOML into a CareProtocol, failing with the file and key named."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, message: str) -> NoReturn:
        raise ProtocolError(f"care protocol {self.source}: {where}: {message}")

    def protocol(self, data: Mapping[str, Any]) -> CareProtocol:
        self.refuse_unknown("(top level)", data, _TOP_KEYS)
        minutes = data.get("appointment_minutes", 60)
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not 5 <= minutes <= 600:
            self.fail("appointment_minutes", f"{minutes!r} must be a whole number from 5 to 600")
        steps = data.get("steps")
        if not isinstance(steps, dict) or not steps:
            self.fail("steps", "at least one step is needed, e.g. [steps.pre_care]")
        return CareProtocol(minutes, tuple(self.step(key, body) for key, body in steps.items()))

    def step(self, key: str, body: object) -> Step:
        where = f"[steps.{key}]"
        if not _STEP_NAME.fullmatch(key):
            self.fail(
                where,
                "a step name uses only lowercase letters, digits and _, starting with a letter",
            )
        if not isinstance(body, dict):
            self.fail(where, f"must be a table: write [steps.{key}] with its keys below it")
        self.refuse_unknown(where, body, _STEP_KEYS)
        if "after" in body:
            return self.event_step(key, where, body)
        when = self.expr(where, "when", body, ("start", "end"))
        expires = self.expr(where, "expires", body, ("start", "end", "due"))
        in_time_by = self.in_time_by(where, key, body)
        step = Step(
            key=key,
            when=when,
            expires=expires,
            quiet_hours=cast(
                QuietPolicy, self.choice(where, "quiet_hours", body, ("later", "earlier", "ignore"))
            ),
            answers=self.answers(where, body.get("answers", [])),
            sessions=cast(Sessions, self.choice(where, "sessions", body, ("each", "last"))),
            repeat_months=self.repeat(where, body.get("repeat")),
            in_time_by=in_time_by,
            working_day=self.flag(where, "working_day", body),
        )
        self.check_timing(step, body["when"], body["expires"])
        if step.in_time_by is not None:
            self.check_in_time_by(step, body.get("in_time_by", _PRE_CARE_IN_TIME_BY))
        return step

    def event_step(self, key: str, where: str, body: Mapping[str, Any]) -> Step:
        """A step planned when an event happens, its times anchored on when staff recorded
        it ("marked") or on its own due time (only in `expires`)."""
        after = self.choice(where, "after", body, AFTER_EVENTS)
        for name in ("in_time_by", "sessions", "repeat"):
            if name in body:
                self.fail(f"{where} {name}", f'a step planned after "{after}" cannot have one')
        when = self.expr(where, "when", body, ("marked",))
        expires = self.expr(where, "expires", body, ("marked", "due"))
        step = Step(
            key=key,
            when=when,
            expires=expires,
            quiet_hours=cast(
                QuietPolicy, self.choice(where, "quiet_hours", body, ("later", "earlier", "ignore"))
            ),
            answers=self.answers(where, body.get("answers", [])),
            sessions="each",
            repeat_months=0,
            working_day=self.flag(where, "working_day", body),
            after=after,
        )
        self.check_timing(step, body["when"], body["expires"])
        return step

    def in_time_by(self, where: str, key: str, body: Mapping[str, Any]) -> TimeExpr | None:
        """Anchored on the session only: it is the moment something about the session
        happens (the 24-hour line, the start), not a time after the message was due."""
        if "in_time_by" not in body:
            if key != "pre_care":
                return None
            return _parse_time_expr(_PRE_CARE_IN_TIME_BY, ("start",))
        return self.expr(where, "in_time_by", body, ("start", "end"))

    def refuse_unknown(self, where: str, table: Mapping[str, Any], known: tuple[str, ...]) -> None:
        for name in table:
            if name not in known:
                guess = difflib.get_close_matches(name, known, n=1)
                hint = f' (did you mean "{guess[0]}"?)' if guess else ""
                self.fail(where, f'unknown key "{name}"{hint}; the keys are {", ".join(known)}')

    def expr(
        self, where: str, name: str, body: Mapping[str, Any], anchors: tuple[str, ...]
    ) -> TimeExpr:
        raw = body.get(name)
        if not isinstance(raw, str):
            self.fail(f"{where} {name}", 'missing or not text in quotes; e.g. "start - 26h"')
        try:
            return _parse_time_expr(raw, anchors)
        except ValueError as exc:
            self.fail(f"{where} {name}", str(exc))

    def choice(
        self, where: str, name: str, body: Mapping[str, Any], options: tuple[str, ...]
    ) -> str:
        """One of `options`; the first is the default when the key is left out."""
        value = body.get(name, options[0])
        if value not in options:
            self.fail(f"{where} {name}", f"{value!r} is not one of {', '.join(options)}")
        return cast(str, value)

    def answers(self, where: str, raw: object) -> tuple[str, ...]:
        known = ", ".join(ANSWER_KEYS)
        if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
            self.fail(f"{where} answers", f'must be a list like ["understood"]; known: {known}')
        for item in raw:
            if item not in ANSWER_KEYS:
                self.fail(f"{where} answers", f'unknown answer "{item}"; known: {known}')
        if len(set(raw)) != len(raw):
            self.fail(f"{where} answers", "an answer is listed twice")
        return tuple(raw)

    def flag(self, where: str, name: str, body: Mapping[str, Any]) -> bool:
        """A true/false key, false when left out."""
        value = body.get(name, False)
        if not isinstance(value, bool):
            self.fail(f"{where} {name}", f"{value!r} must be true or false (no quotes)")
        return value

    def repeat(self, where: str, raw: object) -> int:
        if raw is None:
            return 0
        match = _REPEAT.fullmatch(raw.strip()) if isinstance(raw, str) else None
        if match is None or int(match[1]) == 0:
            self.fail(f"{where} repeat", f'{raw!r} must be a positive number of months, e.g. "6mo"')
        return int(match[1])

    def check_timing(self, step: Step, when_text: str, expires_text: str) -> None:
        where = f"[steps.{step.key}]"
        if not _always_after(step.when, step.expires):
            self.fail(
                f"{where} expires",
                f'"{expires_text}" can come before (or together with) when "{when_text}" for '
                "some appointments; a message must still be useful when it is due",
            )
        if step.repeat_months and step.expires.anchor != "due":
            self.fail(
                f"{where} expires", 'a repeated step must expire after "due", e.g. "due + 30d"'
            )
        if step.key == "pre_care":
            self.check_pre_care(step, when_text)

    def check_in_time_by(self, step: Step, text: str) -> None:
        """`when` <= `in_time_by` < `expires` for every appointment, and for pre-care no later
        than the 24-hour line."""
        where = f"[steps.{step.key}] in_time_by"
        in_time_by = step.in_time_by
        assert in_time_by is not None
        if step.repeat_months:
            self.fail(where, "a repeated step cannot have one: its repetitions follow no session")
        if step.key == "pre_care" and (
            in_time_by.anchor != "start"
            or in_time_by.months
            or in_time_by.at is not None
            or in_time_by.offset > -_PRE_CARE_LEAD
        ):
            self.fail(
                where,
                f'"{text}" can be later than "start - 24h" (write e.g. "start - 24h"): no '
                "aspirin or ibuprofen-type painkillers in the 24 hours before the session, so "
                "pre-care is useless once they have begun",
            )
        when, by, expires = (_span(e, step.when) for e in (step.when, in_time_by, step.expires))
        if not _surely_before(when, by, strict=False):
            self.fail(where, f'"{text}" can come before when; the message must be due by then')
        if not _surely_before(by, expires, strict=True):
            self.fail(
                where,
                f'"{text}" can come at or after expires; it must be a moment while the '
                "message is still useful",
            )

    def check_pre_care(self, step: Step, when_text: str) -> None:
        why = (
            "patients avoid aspirin and ibuprofen-type painkillers taken by choice in the 24 "
            "hours before the session, so pre-care must arrive before those 24 hours"
        )
        when = step.when
        if (
            when.anchor != "start"
            or when.months
            or when.at is not None
            or when.offset > -_PRE_CARE_LEAD
        ):
            self.fail(
                "[steps.pre_care] when",
                f'"{when_text}" is too late or not fixed: pre-care must be due at least 24 hours '
                f'before the start, with no "at" (e.g. "start - 26h"), because {why}',
            )
        if step.quiet_hours == "later":
            self.fail(
                "[steps.pre_care] quiet_hours",
                f'"later" could push it into the last 24 hours; use "earlier" or "ignore", '
                f"because {why}",
            )


def _parse_time_expr(text: str, anchors: tuple[str, ...]) -> TimeExpr:
    """Read `<anchor> [(+|-) <amount><unit>] [at HH:MM]`; ValueError says what to write."""
    split = _AT_SPLIT.fullmatch(text.strip())
    main, at_text = (split[1], split[2]) if split else ("", None)
    match = _AMOUNT.fullmatch(main)
    if match is None:
        raise ValueError(f'"{text}" cannot be read; {_EXPR_HELP}')
    anchor, sign, amount, unit = match.groups()
    if anchor not in anchors:
        raise ValueError(
            f'"{text}" starts with "{anchor}"; it must start with {" or ".join(anchors)}'
        )
    offset, months = timedelta(0), 0
    if sign is not None:
        factor = -int(amount) if sign == "-" else int(amount)
        if not unit:
            raise ValueError(f'"{text}" has no unit; write e.g. "{anchor} {sign} {amount}h"')
        if unit == "mo":
            months = factor
        elif unit in _UNITS:
            offset = factor * _UNITS[unit]
        else:
            raise ValueError(f'"{text}": unknown unit "{unit}"; use s, m, h, d or mo (months)')
    return TimeExpr(cast(Anchor, anchor), offset, months, _clock(text, at_text))


def _clock(text: str, at_text: str | None) -> time | None:
    if at_text is None:
        return None
    match = _CLOCK.fullmatch(at_text)
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValueError(f'"{text}": "{at_text}" is not a time of day; write e.g. "at 10:00"')
    return time(int(match[1]), int(match[2]))


def _always_after(when: TimeExpr, expires: TimeExpr) -> bool:
    """True if `expires` lands strictly after `when` for every appointment (end >= start)."""
    expires_low = _bounds(expires)[0]
    if expires.anchor == "due":
        return expires_low > timedelta(0)
    if when.anchor == "end" and expires.anchor == "start":
        return False  # the appointment may be any length
    return expires_low > _bounds(when)[1]


def _span(expr: TimeExpr, when: TimeExpr) -> tuple[Anchor, timedelta, timedelta]:
    """Where `expr` can land: its session anchor and the earliest and latest offset from it,
    for any date; an expression anchored on "due" lands relative to `when`."""
    low, high = _bounds(expr)
    if expr.anchor != "due":
        return expr.anchor, low, high
    when_low, when_high = _bounds(when)
    return when.anchor, when_low + low, when_high + high


def _surely_before(
    first: tuple[Anchor, timedelta, timedelta],
    second: tuple[Anchor, timedelta, timedelta],
    *,
    strict: bool,
) -> bool:
    """True if `first` lands before `second` (or together with it, unless `strict`) for
    every appointment (end >= start)."""
    first_anchor, _, first_high = first
    second_anchor, second_low, _ = second
    if first_anchor == "end" and second_anchor == "start":
        return False  # the appointment may be any length
    return second_low > first_high if strict else second_low >= first_high


def _bounds(expr: TimeExpr) -> tuple[timedelta, timedelta]:
    """The earliest and latest `expr` can land relative to its anchor, for any date."""
    low = high = expr.offset
    if expr.months:
        low += timedelta(days=min(28 * expr.months, 31 * expr.months)) - _DST_SLACK
        high += timedelta(days=max(28 * expr.months, 31 * expr.months)) + _DST_SLACK
    if expr.at is not None:
        low -= timedelta(days=1) + _DST_SLACK
        high += timedelta(days=1) + _DST_SLACK
    return low, high
