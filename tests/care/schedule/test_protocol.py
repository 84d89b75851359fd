from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from care.schedule.protocol import (
    ANSWER_KEYS,
    DEFAULT_PROTOCOL_PATH,
    NEEDS_HUMAN,
    URGENT,
    ProtocolError,
    TimeExpr,
    load_protocol,
    parse_protocol,
)

TEHRAN = ZoneInfo("Asia/Tehran")
BERLIN = ZoneInfo("Europe/Berlin")
SOURCE = "/x/protocol.toml"

PRE_CARE = """
[steps.pre_care]
when = "start - 26h"
expires = "start"
quiet_hours = "earlier"
answers = ["understood", "blood_thinner"]
"""


def one_step(body: str, key: str = "later_step") -> str:
    """A valid pre_care step followed by the step under test."""
    return f"appointment_minutes = 60\n{PRE_CARE}\n[steps.{key}]\n{body}\n"


def parse(text: str) -> None:
    parse_protocol(text, source=SOURCE)


def utc(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def local(tz: ZoneInfo, year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    """The UTC instant at which the clocks in `tz` show this time."""
    return datetime(year, month, day, hour, minute, tzinfo=tz).astimezone(UTC)


# --- the shipped protocol ---------------------------------------------------------------


def test_shipped_protocol_is_the_patient_journey_of_the_product() -> None:
    protocol = load_protocol(DEFAULT_PROTOCOL_PATH)
    assert protocol.appointment_minutes == 60
    assert [s.key for s in protocol.steps] == [
        "pre_care",
        "day_of",
        "post_care",
        "wash_ok",
        "check_in",
        "late_check_in",
        "follow_up",
        "no_show_follow_up",
        "satisfaction",
    ]
    pre = protocol.step("pre_care")
    assert pre.when == TimeExpr("start", timedelta(hours=-26), 0, None)
    assert pre.expires == TimeExpr("start", timedelta(0), 0, None)
    assert pre.quiet_hours == "earlier"
    assert pre.answers == ("understood", "blood_thinner", "another_time", "took_painkiller")
    assert protocol.step("day_of").when.offset == timedelta(hours=-3)
    post = protocol.step("post_care")
    assert (post.when.anchor, post.quiet_hours) == ("end", "ignore")
    assert post.expires == TimeExpr("end", timedelta(hours=24), 0, None)
    wash = protocol.step("wash_ok")
    assert (wash.when.offset, wash.expires.offset, wash.quiet_hours) == (
        timedelta(hours=24),
        timedelta(hours=48),
        "later",
    )
    check = protocol.step("check_in")
    assert check.expires == TimeExpr("due", timedelta(days=2), 0, None)
    assert check.answers == ("all_fine", "still_symptoms", "something_wrong")
    late = protocol.step("late_check_in")
    assert (late.when, late.sessions, late.quiet_hours) == (
        TimeExpr("end", timedelta(days=21), 0, None),
        "last",
        "later",
    )
    assert late.expires == TimeExpr("due", timedelta(days=7), 0, None)
    assert late.answers == check.answers
    follow = protocol.step("follow_up")
    assert follow.when == TimeExpr("end", timedelta(0), 6, time(10, 0))
    assert follow.expires == TimeExpr("due", timedelta(days=30), 0, None)
    assert (follow.sessions, follow.repeat_months, follow.answers) == (
        "last",
        6,
        ("book_me", "not_now", "stop_reminders"),
    )
    assert all(s.sessions == "each" and s.repeat_months == 0 for s in protocol.steps[:-4])
    nudge = protocol.step("no_show_follow_up")
    assert (nudge.after, nudge.working_day) == ("no_show", True)
    assert nudge.answers == ("rebook", "no_rebook")


def test_answer_constants_are_consistent() -> None:
    assert set(ANSWER_KEYS) >= NEEDS_HUMAN
    assert URGENT <= NEEDS_HUMAN
    expected = {
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
    assert expected == NEEDS_HUMAN


def test_unknown_step_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        load_protocol(DEFAULT_PROTOCOL_PATH).step("massage")


# --- parsing ----------------------------------------------------------------------------


def test_error_message_names_file_step_key_and_the_fix() -> None:
    text = one_step('when = "start - 26"\nexpires = "start"', key="pre_care").replace(PRE_CARE, "")
    with pytest.raises(ProtocolError) as caught:
        parse(text)
    assert str(caught.value) == (
        'care protocol /x/protocol.toml: [steps.pre_care] when: "start - 26" has no unit; '
        'write e.g. "start - 26h"'
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            'whn = "end"\nexpires = "end + 1h"',
            ["[steps.later_step]", 'unknown key "whn"', '"when"'],
        ),
        ('expires = "end + 1h"', ["[steps.later_step] when", "missing"]),
        ('when = 5\nexpires = "end + 1h"', ["[steps.later_step] when"]),
        ('when = "end"', ["[steps.later_step] expires", "missing"]),
        ('when = "begin + 1h"\nexpires = "end + 2h"', ["[steps.later_step] when", '"begin"']),
        ('when = "due + 1h"\nexpires = "end + 2h"', ["[steps.later_step] when", '"due"']),
        ('when = "end + 1w"\nexpires = "end + 2d"', ["[steps.later_step] when", 'unit "w"']),
        (
            'when = "end plus 1h"\nexpires = "end + 2h"',
            ["[steps.later_step] when", "cannot be read"],
        ),
        ('when = ""\nexpires = "end + 2h"', ["[steps.later_step] when", "cannot be read"]),
        ('when = "end + 6mo at 25:00"\nexpires = "due + 1d"', ["when", '"25:00"', "time of day"]),
        ('when = "end + 6mo at 10"\nexpires = "due + 1d"', ["when", '"10"', "time of day"]),
        ('when = "end"\nexpires = "start"', ["[steps.later_step] expires", "before"]),
        ('when = "end + 1h"\nexpires = "end + 1h"', ["[steps.later_step] expires"]),
        ('when = "end + 2h"\nexpires = "end + 90m"', ["[steps.later_step] expires"]),
        ('when = "start + 1h"\nexpires = "start + 30m"', ["[steps.later_step] expires"]),
        ('when = "end"\nexpires = "due"', ["[steps.later_step] expires"]),
        ('when = "end"\nexpires = "due - 1h"', ["[steps.later_step] expires"]),
        ('when = "end + 1d at 10:00"\nexpires = "end + 1d"', ["[steps.later_step] expires"]),
        ('when = "end + 1mo"\nexpires = "end + 29d"', ["[steps.later_step] expires"]),
        (
            'when = "end"\nexpires = "end + 1h"\nquiet_hours = "never"',
            ["[steps.later_step] quiet_hours", "'never'"],
        ),
        ('when = "end"\nexpires = "end + 1h"\nsessions = "first"', ["[steps.later_step] sessions"]),
        (
            'when = "end"\nexpires = "end + 1h"\nanswers = ["ok"]',
            ["[steps.later_step] answers", '"ok"'],
        ),
        (
            'when = "end"\nexpires = "end + 1h"\nanswers = "all_fine"',
            ["[steps.later_step] answers"],
        ),
        (
            'when = "end"\nexpires = "end + 1h"\nanswers = ["all_fine", "all_fine"]',
            ["answers", "twice"],
        ),
        (
            'when = "end"\nexpires = "due + 1d"\nrepeat = "0mo"',
            ["[steps.later_step] repeat", "positive"],
        ),
        ('when = "end"\nexpires = "due + 1d"\nrepeat = "-6mo"', ["[steps.later_step] repeat"]),
        (
            'when = "end"\nexpires = "due + 1d"\nrepeat = "6m"',
            ["[steps.later_step] repeat", '"6mo"'],
        ),
        ('when = "end"\nexpires = "due + 1d"\nrepeat = 6', ["[steps.later_step] repeat"]),
        (
            'when = "end"\nexpires = "end + 1d"\nrepeat = "6mo"',
            ["[steps.later_step] expires", '"due'],
        ),
    ],
)
def test_a_bad_step_is_refused_naming_the_key(body: str, expected: list[str]) -> None:
    with pytest.raises(ProtocolError) as caught:
        parse(one_step(body))
    message = str(caught.value)
    assert message.startswith(f"care protocol {SOURCE}: ")
    for fragment in expected:
        assert fragment in message


@pytest.mark.parametrize(
    ("when", "extra", "expected"),
    [
        ('"start - 23h"', "", "[steps.pre_care] when"),
        ('"start - 1439m"', "", "[steps.pre_care] when"),
        ('"end - 48h"', "", "[steps.pre_care] when"),
        ('"start - 48h at 10:00"', "", "[steps.pre_care] when"),
        ('"start - 1mo"', "", "[steps.pre_care] when"),
        ('"start - 26h"', 'quiet_hours = "later"', "[steps.pre_care] quiet_hours"),
    ],
)
def test_pre_care_must_come_a_day_before_and_says_why(when: str, extra: str, expected: str) -> None:
    text = f'[steps.pre_care]\nwhen = {when}\nexpires = "end"\n{extra}\n'
    with pytest.raises(ProtocolError) as caught:
        parse(text)
    assert expected in str(caught.value)
    assert "aspirin" in str(caught.value)
    assert "24 hours" in str(caught.value)


def test_pre_care_exactly_24_hours_before_is_accepted() -> None:
    protocol = parse_protocol(
        '[steps.pre_care]\nwhen = "start - 1440m"\nexpires = "start"\nquiet_hours = "earlier"\n',
        source=SOURCE,
    )
    assert protocol.step("pre_care").when.offset == timedelta(hours=-24)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("appointment_minutes = 60\n", "steps: at least one step"),
        ("steps = {}\n", "steps: at least one step"),
        ('steps = "pre_care"\n', "steps: at least one step"),
        ("appointment_minute = 60\n" + PRE_CARE, 'unknown key "appointment_minute"'),
        ("appointment_minutes = 4\n" + PRE_CARE, "appointment_minutes: 4"),
        ("appointment_minutes = 601\n" + PRE_CARE, "appointment_minutes: 601"),
        ('appointment_minutes = "60"\n' + PRE_CARE, "appointment_minutes"),
        ("appointment_minutes = true\n" + PRE_CARE, "appointment_minutes"),
        ('[steps]\npre_care = "start - 26h"\n', "[steps.pre_care]"),
        ('[steps.PreCare]\nwhen = "end"\nexpires = "end + 1h"\n', "[steps.PreCare]"),
        ('[steps.2nd]\nwhen = "end"\nexpires = "end + 1h"\n', "[steps.2nd]"),
    ],
)
def test_a_bad_file_is_refused_naming_the_key(text: str, expected: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        parse(text)
    assert str(caught.value).startswith(f"care protocol {SOURCE}: ")
    assert expected in str(caught.value)


def test_toml_syntax_error_keeps_the_line_number() -> None:
    text = 'appointment_minutes = 60\n[steps.pre_care]\nwhen = "start - 26h\nexpires = "start"\n'
    with pytest.raises(ProtocolError) as caught:
        parse(text)
    assert SOURCE in str(caught.value)
    assert "line 3" in str(caught.value)


def test_unreadable_file_is_a_protocol_error(tmp_path: Path) -> None:
    missing = tmp_path / "protocol.toml"
    with pytest.raises(ProtocolError, match=r"protocol\.toml"):
        load_protocol(missing)


def test_defaults_and_spacing() -> None:
    protocol = parse_protocol(
        '[steps.note]\nwhen = "end+3d"\nexpires = "due +  2d"\n', source=SOURCE
    )
    step = protocol.step("note")
    assert protocol.appointment_minutes == 60
    assert (step.quiet_hours, step.sessions, step.answers, step.repeat_months) == (
        "later",
        "each",
        (),
        0,
    )
    assert step.when == TimeExpr("end", timedelta(days=3), 0, None)
    assert step.expires == TimeExpr("due", timedelta(days=2), 0, None)


def test_seconds_are_accepted_for_fast_test_protocols() -> None:
    protocol = parse_protocol('[steps.s]\nwhen = "end + 4s"\nexpires = "end + 1h"\n', source=SOURCE)
    assert protocol.step("s").when.offset == timedelta(seconds=4)


def test_steps_keep_file_order() -> None:
    step = 'when = "end"\nexpires = "end + 1h"\n'
    text = f"[steps.b]\n{step}[steps.a]\n{step}"
    assert [s.key for s in parse_protocol(text, source=SOURCE).steps] == ["b", "a"]


# --- resolving times --------------------------------------------------------------------

START = local(TEHRAN, 2026, 5, 10, 10, 0)
END = START + timedelta(hours=1)


def resolve(
    expr: TimeExpr, tz: ZoneInfo = TEHRAN, start: datetime = START, end: datetime = END
) -> datetime:
    return expr.resolve(start=start, end=end, due=None, tz=tz)


def test_offset_from_start_in_tehran() -> None:
    expr = TimeExpr("start", timedelta(hours=-26), 0, None)
    assert resolve(expr) == local(TEHRAN, 2026, 5, 9, 8, 0)
    assert resolve(expr).tzinfo == UTC


def test_offsets_are_elapsed_time_across_a_dst_change() -> None:
    start = local(BERLIN, 2026, 3, 29, 12, 0)  # clocks went forward that night at 02:00
    expr = TimeExpr("start", timedelta(hours=-26), 0, None)
    due = resolve(expr, BERLIN, start, start)
    assert start - due == timedelta(hours=26)
    assert due == local(BERLIN, 2026, 3, 28, 9, 0)  # not 10:00: the night was an hour short


def test_at_sets_the_clinic_time_of_day_across_a_dst_change() -> None:
    end = local(BERLIN, 2026, 3, 27, 18, 0)  # winter time
    expr = TimeExpr("end", timedelta(days=3), 0, time(10, 0))
    assert resolve(expr, BERLIN, end, end) == local(BERLIN, 2026, 3, 30, 10, 0)  # summer time
    assert resolve(expr, BERLIN, end, end) == utc(2026, 3, 30, 8, 0)


@pytest.mark.parametrize(
    ("tz", "end_local", "expected_local"),
    [
        (TEHRAN, (2026, 8, 31, 17, 0), (2027, 2, 28, 10, 0)),
        (TEHRAN, (2027, 8, 31, 17, 0), (2028, 2, 29, 10, 0)),
        (BERLIN, (2026, 8, 31, 17, 0), (2027, 2, 28, 10, 0)),
        # 00:30 on 1 September in Tehran is still 31 August in UTC: the clinic's date counts.
        (TEHRAN, (2026, 9, 1, 0, 30), (2027, 3, 1, 10, 0)),
    ],
)
def test_follow_up_month_end_lands_on_the_last_day_at_ten(
    tz: ZoneInfo, end_local: tuple[int, ...], expected_local: tuple[int, ...]
) -> None:
    end = local(tz, *end_local)
    expr = TimeExpr("end", timedelta(0), 6, time(10, 0))
    assert resolve(expr, tz, end - timedelta(hours=1), end) == local(tz, *expected_local)


def test_months_keep_the_wall_clock_time() -> None:
    end = local(BERLIN, 2026, 1, 15, 9, 0)
    assert resolve(TimeExpr("end", timedelta(0), 6, None), BERLIN, end, end) == local(
        BERLIN, 2026, 7, 15, 9, 0
    )


def test_a_skipped_wall_time_lands_after_the_jump() -> None:
    end = local(BERLIN, 2026, 3, 28, 12, 0)
    due = resolve(TimeExpr("end", timedelta(days=1), 0, time(2, 30)), BERLIN, end, end)
    assert due == utc(2026, 3, 29, 1, 30)  # 03:30 summer time


def test_due_anchor_needs_a_due_time() -> None:
    with pytest.raises(ValueError, match="due"):
        resolve(TimeExpr("due", timedelta(days=2), 0, None))
    due = utc(2026, 1, 1, 12, 0)
    expr = TimeExpr("due", timedelta(days=2), 0, None)
    assert expr.resolve(start=START, end=END, due=due, tz=TEHRAN) == utc(2026, 1, 3, 12, 0)


def test_naive_anchor_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        resolve(TimeExpr("start", timedelta(0), 0, None), start=datetime(2026, 1, 1))


# --- the expiry check holds for every appointment ---------------------------------------

AMOUNTS = {
    "m": st.integers(0, 3000),
    "h": st.integers(0, 80),
    "d": st.integers(0, 40),
    "mo": st.integers(0, 3),
}


@st.composite
def expressions(draw: st.DrawFn, anchors: tuple[str, ...], signs: str) -> str:
    text = draw(st.sampled_from(anchors))
    if draw(st.booleans()):
        unit = draw(st.sampled_from(sorted(AMOUNTS)))
        text += f" {draw(st.sampled_from(signs))} {draw(AMOUNTS[unit])}{unit}"
    if draw(st.booleans()):
        text += f" at {draw(st.sampled_from(['00:00', '02:30', '10:00', '23:59']))}"
    return text


@settings(suppress_health_check=[HealthCheck.filter_too_much], max_examples=300)
@given(
    when=expressions(("start", "end"), "+-"),
    expires=expressions(("start", "end", "due"), "++-"),
    start=st.datetimes(datetime(2025, 1, 1), datetime(2028, 12, 31), timezones=st.just(UTC)),
    minutes=st.integers(0, 24 * 60),
    tz=st.sampled_from([TEHRAN, BERLIN, ZoneInfo("America/New_York")]),
)
def test_an_accepted_expiry_always_follows_when(
    when: str, expires: str, start: datetime, minutes: int, tz: ZoneInfo
) -> None:
    try:
        protocol = parse_protocol(
            f'[steps.s]\nwhen = "{when}"\nexpires = "{expires}"\n', source=SOURCE
        )
    except ProtocolError:
        assume(False)
        return
    step = protocol.step("s")
    end = start + timedelta(minutes=minutes)
    due = step.when.resolve(start=start, end=end, due=None, tz=tz)
    assert step.expires.resolve(start=start, end=end, due=due, tz=tz) > due


# --- in_time_by: the latest moment a message still does its job --------------------------


def test_shipped_in_time_by_is_the_24_hour_line_and_an_hour_before() -> None:
    protocol = load_protocol(DEFAULT_PROTOCOL_PATH)
    by = {s.key: s.in_time_by for s in protocol.steps}
    assert by["pre_care"] == TimeExpr("start", timedelta(hours=-24), 0, None)
    assert by["day_of"] == TimeExpr("start", timedelta(hours=-1), 0, None)
    assert {key for key, value in by.items() if value is not None} == {"pre_care", "day_of"}


def test_pre_care_without_in_time_by_gets_the_24_hour_line() -> None:
    step = parse_protocol(PRE_CARE, source=SOURCE).step("pre_care")
    assert step.in_time_by == TimeExpr("start", timedelta(hours=-24), 0, None)


def test_pre_care_may_set_an_earlier_line() -> None:
    text = PRE_CARE.replace('expires = "start"', 'in_time_by = "start - 25h"\nexpires = "start"')
    step = parse_protocol(text, source=SOURCE).step("pre_care")
    assert step.in_time_by == TimeExpr("start", timedelta(hours=-25), 0, None)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('when = "start - 3h"\nin_time_by = "start - 4h"\nexpires = "start"', "before when"),
        ('when = "start - 3h"\nin_time_by = "start"\nexpires = "start"', "at or after expires"),
        ('when = "end"\nin_time_by = "end + 2d"\nexpires = "due + 1d"', "at or after expires"),
        ('when = "end"\nin_time_by = "start + 1h"\nexpires = "end + 1d"', "before when"),
        ('when = "start - 3h"\nin_time_by = "due + 1h"\nexpires = "start"', "must start with"),
        ('when = "start - 3h"\nin_time_by = 3\nexpires = "start"', "missing or not text"),
        (
            'when = "end + 6mo"\nin_time_by = "end + 6mo"\nexpires = "due + 30d"\nrepeat = "6mo"',
            "a repeated step cannot have one",
        ),
    ],
)
def test_a_bad_in_time_by_is_refused_naming_the_key(body: str, expected: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        parse(one_step(body))
    assert "[steps.later_step] in_time_by" in str(caught.value)
    assert expected in str(caught.value)


def test_in_time_by_between_when_and_a_due_anchored_expiry_is_accepted() -> None:
    step = parse_protocol(
        one_step('when = "end"\nin_time_by = "end + 12h"\nexpires = "due + 1d"'), source=SOURCE
    ).step("later_step")
    assert step.in_time_by == TimeExpr("end", timedelta(hours=12), 0, None)


@pytest.mark.parametrize("line", ['"start - 23h"', '"end - 25h"', '"start - 26h at 10:00"'])
def test_pre_care_in_time_by_past_the_24_hour_line_is_refused(line: str) -> None:
    text = PRE_CARE.replace('expires = "start"', f'in_time_by = {line}\nexpires = "start"')
    text = text.replace('"start - 26h"', '"start - 30h"', 1)
    with pytest.raises(ProtocolError) as caught:
        parse(text)
    assert "[steps.pre_care] in_time_by" in str(caught.value)
    assert "24 hours" in str(caught.value)
