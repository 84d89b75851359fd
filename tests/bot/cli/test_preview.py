"""`python -m bot preview`: the timeline the doctor reads before a change goes live."""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.app import load_care
from bot.cli.main import main
from bot.cli.preview import PreviewRequest, render_preview
from bot.common.staff_voice import Voice
from bot.settings import Settings, load_settings
from care.core.dates import parse_local_datetime
from care.schedule.protocol import CareProtocol, parse_protocol
from tests.bot.patient_harness import CATALOG, TEHRAN
from tests.driver import CLINIC_PHONE
from tests.e2e.harness import ROOT

NOW = datetime(2027, 2, 20, 6, 0, tzinfo=UTC)  # 09:30 in Tehran
STEPS = ["pre_care", "day_of", "post_care", "wash_ok", "check_in", "late_check_in", "follow_up"]


@pytest.fixture
def settings() -> Settings:
    return load_settings({"CLINIC_PHONE": CLINIC_PHONE}, need_telegram=False)


def preview(settings: Settings, date: str, at: str = "10:00", **request: Any) -> str:
    """The full preview (every text); `compact` below is the default one-line view."""
    return _render(settings, date, at, full=True, **request)


def compact(settings: Settings, date: str, at: str = "10:00", **request: Any) -> str:
    return _render(settings, date, at, full=False, **request)


def _render(
    settings: Settings,
    date: str,
    at: str,
    *,
    full: bool,
    protocol: CareProtocol | None = None,
    **request: object,
) -> str:
    shipped, catalog = load_care(settings)
    starts = parse_local_datetime(date, at, TEHRAN)
    return render_preview(
        PreviewRequest(starts_at=starts, **request),  # type: ignore[arg-type]
        settings=settings,
        protocol=protocol or shipped,
        catalog=catalog,
        now=NOW,
        full=full,
    )


def plain(text: str) -> str:
    """Without direction marks."""
    return re.sub("[\u200e\u200f\u2066-\u2069]", "", text)


_FULL_ENTRY = re.compile(r"(\d+)\. (\w+): session")
_LINE_ENTRY = re.compile(r" *(\d+)\. (\S+ \(\S+\) \d\d:\d\d)  (\w+) +(.*)")


def headings(text: str) -> list[str]:
    """The step of each numbered entry of the full view, in order."""
    return [m[2] for line in text.splitlines() if (m := _FULL_ENTRY.match(line))]


def entries(text: str) -> list[tuple[str, str, str]]:
    """(when, step, what happens) of each line of the compact view, in order."""
    found = [_LINE_ENTRY.fullmatch(line) for line in text.splitlines()]
    return [(m[2], m[3], m[4]) for m in found if m]


def test_the_default_view_is_one_line_a_message(settings: Settings) -> None:
    text = compact(settings, "2027-03-10", at="14:00", language="en")
    assert [step for _, step, _ in entries(text)] == STEPS
    lines = dict((step, (when, what)) for when, step, what in entries(text))
    assert lines["pre_care"] == ("2027-03-09 (1405-12-18) 12:00", "to be sent")
    assert lines["check_in"] == ("2027-03-13 (1405-12-22) 15:00", "to be sent")
    assert lines["follow_up"] == (  # 6 months on is Friday 10 Sep: the Saturday after
        "2027-09-11 (1406-06-20) 10:00",
        "to be sent; moved from 2027-09-10 (1406-06-19) 10:00: the clinic is closed that day"
        " (Friday); then again every 6 months after it is sent, until the patient taps "
        '"Stop these reminders" or stops their messages',
    )
    assert "do not stop it on your own" not in text  # the texts are for --full
    assert text.splitlines()[-1] == CATALOG.text("en", "preview.footer")


def test_a_four_session_course_fits_a_screen(settings: Settings) -> None:
    text = compact(settings, "2027-03-10", language="en", sessions=4, interval_days=14)
    assert len(entries(text)) == 4 * 5 + 2  # five steps a session; late check-in, follow-up
    assert len(text.splitlines()) == 3 + 1 + 22 + 2  # header, blank, the messages, footer
    assert len(preview(settings, "2027-03-10", language="en", sessions=4).splitlines()) > 200
    assert "session 4 of 4  to be sent; then again every 6 months" in text


def test_every_step_with_its_time_text_and_buttons(settings: Settings) -> None:
    text = preview(settings, "2027-03-10", at="14:00", language="en")
    assert headings(text) == STEPS
    assert "due     2027-03-09 (1405-12-18) 12:00" in text  # pre-care, 26 h before
    assert "due     2027-03-10 (1405-12-19) 11:00" in text  # day-of, 3 h before
    assert "due     2027-03-13 (1405-12-22) 15:00" in text  # check-in, 3 days after the end
    # follow-up: 6 months on at 10:00 is Friday 10 Sep, so the Saturday after at 10:00
    assert "due     2027-09-11 (1406-06-20) 10:00" in text
    assert "the clinic is closed that day (Friday)" in text
    assert "due     2027-03-31 (1406-01-11) 15:00" in text  # late check-in, 3 weeks after
    assert not re.search(r"^ *sent\b", text, re.MULTILINE)  # nothing is sent yet
    assert "do not stop it; keep taking it as prescribed" in text
    assert f"Clinic phone: {CLINIC_PHONE}" in text
    assert (
        "[Understood]  [I take a prescribed blood thinner]  [I need another time]"
        "  [I already took a painkiller]"
    ) in text
    # what each button answers, so the physician reads the replies too
    took = CATALOG.text("en", "replies.took_painkiller")
    assert f"   tap [I already took a painkiller]: {took}" in text
    assert "call the emergency number 115 at once" in text
    assert 'every 6 months after it is sent, until the patient taps "Stop these reminders"' in text


def test_quiet_hours_shifts_are_explained(settings: Settings) -> None:
    moved = "moved out of quiet hours from 2027-03-10 (1405-12-19) 06:00"
    text = preview(settings, "2027-03-10", at="09:00", language="en")
    assert f"due     2027-03-09 (1405-12-18) 21:30  ({moved})" in text
    lines = entries(compact(settings, "2027-03-10", at="09:00", language="en"))
    assert ("2027-03-09 (1405-12-18) 21:30", "day_of", f"to be sent; {moved}") in lines


def test_a_late_booking_is_explained(settings: Settings) -> None:
    late = (
        "booked after its in-time line (2027-02-19 (1405-11-30) 13:00): sent at once, quiet hours"
        " or not, once the patient has linked"
    )
    assert f"({late})" in preview(settings, "2027-02-20", at="13:00", language="en")
    (pre_care, *_) = entries(compact(settings, "2027-02-20", at="13:00", language="en"))
    assert pre_care[1:] == ("pre_care", f"to be sent; {late}")


def test_a_message_useless_before_it_is_planned_is_shown_as_skipped(settings: Settings) -> None:
    protocol = parse_protocol(
        '[steps.pre_care]\nwhen = "start - 26h"\nexpires = "start"\nquiet_hours = "earlier"\n'
        '[steps.day_of]\nwhen = "start - 3h"\nexpires = "start - 2h"\n',
        source="test",
    )
    args = {"language": "en", "protocol": protocol}
    (skipped,) = [
        e for e in entries(compact(settings, "2027-02-20", "11:00", **args)) if e[1] == "day_of"
    ]
    assert skipped[2].startswith("will be skipped: booked too late for this message (useless after")
    full = preview(settings, "2027-02-20", "11:00", **args)
    assert "   will be skipped: booked too late for this message (useless after" in full
    assert "NOT SENT" not in full


def test_booked_at_23_for_14_the_next_day_pre_care_goes_at_once(settings: Settings) -> None:
    protocol, catalog = load_care(settings)
    at_23 = datetime(2027, 2, 20, 19, 30, tzinfo=UTC)  # 23:00 in Tehran: quiet hours
    text = render_preview(
        PreviewRequest(parse_local_datetime("2027-02-21", "14:00", TEHRAN), language="en"),
        settings=settings,
        protocol=protocol,
        catalog=catalog,
        now=at_23,
        full=False,
    )
    lines = {step: (when, what) for when, step, what in entries(text)}
    # at once, not at 08:00 (six hours before the session, inside the 24 hours)
    assert lines["pre_care"] == (
        "2027-02-20 (1405-12-01) 23:00",
        "to be sent; booked after its in-time line (2027-02-20 (1405-12-01) 14:00): sent at"
        " once, quiet hours or not, once the patient has linked",
    )
    assert lines["day_of"][0] == "2027-02-21 (1405-12-02) 11:00"


def test_persian_texts_with_solar_hijri_dates_and_isolated_latin(settings: Settings) -> None:
    text = preview(settings, "1405-12-19", language="fa")
    assert "\u2068چهارشنبه ۱۹ اسفند ۱۴۰۵\u2069 ساعت \u2068۱۰:۰۰\u2069" in text
    assert "\u2068Sara Ahmadi\u2069" in text
    assert f"\u2066{CLINIC_PHONE}\u2069" in text
    assert f"[{CATALOG.text('fa', 'answers.book_me')}]" in text


def test_the_persian_timeline_speaks_persian_with_solar_hijri_first(settings: Settings) -> None:
    text = compact(settings, "1405-12-19", at="09:00", language="fa", sessions=2)
    header, _clinic, checked, blank, *lines, _, footer = text.splitlines()
    say = Voice(CATALOG, "fa", TEHRAN)

    def when(day: str, at: str) -> str:
        return say.when(parse_local_datetime(day, at, TEHRAN))

    course = say("preview.course_many", count=2, days=14)
    first = when("1405-12-19", "09:00")
    assert header == say("preview.header", course=course, when=first, language="fa")
    assert checked == say("preview.checked") and footer == say("preview.footer")
    assert blank == "" and len(lines) == 2 * 5 + 2
    # pre-care, 26 h before 09:00, falls in quiet hours: sent the evening before instead
    pre_care = lines[0]
    assert pre_care.startswith("  ۱. " + when("1405-12-17", "21:30"))
    session = say("preview.session_of", number="۱", count=2)
    moved = say("preview.quiet_hours", when=when("1405-12-18", "07:00"))
    sent = say("preview.and", first=say("preview.to_be_sent"), second=moved)
    assert pre_care.endswith(f"{session}  {sent}")
    latin = re.sub(r"Asia/Tehran|--full|\b[a-z_]+\b", "", plain(text))  # zone, option, steps
    assert not re.search("[A-Za-z]", latin)


def test_a_course_gets_each_session_and_one_follow_up(settings: Settings) -> None:
    text = preview(settings, "2027-03-10", language="en", sessions=3, interval_days=7)
    steps = headings(text)
    assert steps.count("pre_care") == steps.count("check_in") == 3
    assert steps[-1] == "follow_up" and steps.count("follow_up") == 1
    assert steps[-2] == "late_check_in" and steps.count("late_check_in") == 1  # the last only
    assert "session 3 of 3" in text


def _env(tmp_path: Path) -> dict[str, str]:
    """No token and no admins in the environment, only the clinic's phone."""
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "PYTHONPATH": str(ROOT),
        "CLINIC_PHONE": CLINIC_PHONE,
    }


def _cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m bot` with no token and no admins in the environment, only the clinic's phone:
    its `main`, in this process (a process costs a second of imports; `_process` starts one)."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        for name in set(os.environ) - {"PTB_TIMEDELTA"}:
            patch.delenv(name)
        for name, value in {**_env(tmp_path), **env}.items():
            patch.setenv(name, value)
        patch.chdir(tmp_path)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exit_:  # argparse's refusals
                code = int(exit_.code or 0)
    return subprocess.CompletedProcess(list(args), code, out.getvalue(), err.getvalue())


def _process(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real `python -m bot`, with the environment `_cli` gives it."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_command_needs_no_token(tmp_path: Path) -> None:
    result = _process(tmp_path, "preview", "2031-05-04", "--time", "۱۶:۰۰", "--lang", "en")
    assert result.returncode == 0, result.stderr
    assert [step for _, step, _ in entries(result.stdout)] == STEPS
    assert headings(result.stdout) == []  # the texts only on request
    assert "2031-05-04 (1410-02-14) 16:00" in result.stdout
    assert CATALOG.text("en", "preview.checked") in result.stdout
    full = _cli(tmp_path, "preview", "2031-05-04", "--lang", "en", "--full")
    assert full.returncode == 0, full.stderr
    assert headings(full.stdout) == STEPS
    assert "do not stop it; keep taking it as prescribed" in full.stdout


def test_booked_shows_a_late_booking_as_the_physician_would_try_it(tmp_path: Path) -> None:
    """`preview 1405-12-02 --time 14:00 --booked 1405-12-01 23:00`: pre-care at once."""
    args = ("preview", "1405-12-02", "--time", "14:00", "--lang", "en")
    result = _cli(tmp_path, *args, "--booked", "1405-12-01", "23:00")
    assert result.returncode == 0, result.stderr
    assert "as if booked at 2027-02-20 23:00" in result.stdout
    lines = {step: (when, what) for when, step, what in entries(result.stdout)}
    assert lines["pre_care"][0] == "2027-02-20 (1405-12-01) 23:00"
    assert "sent at once, quiet hours or not" in lines["pre_care"][1]
    after = _cli(tmp_path, *args, "--booked", "1405-12-02", "15:00")
    assert after.returncode == 2
    assert "is not after the booking" in after.stderr
    garbled = _cli(tmp_path, *args, "--booked", "1405-13-40", "23:00")
    assert garbled.returncode == 2 and garbled.stdout == ""


def test_a_reader_that_stops_early_ends_it_quietly(tmp_path: Path) -> None:
    """`preview ... --full | head`: the pipe closes before the output ends."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # a reader that has already gone, as head has after its lines
    try:
        result = subprocess.run(
            [sys.executable, "-m", "bot", "preview", "2031-05-04", "--sessions", "4", "--full"],
            cwd=tmp_path,
            env=_env(tmp_path),
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write_end)
    assert (result.returncode, result.stderr) == (0, "")


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["2020-01-01"], "has already passed"),
        (["2031-02-30"], "February 2031 has 28 days"),
        (["2031-05-04", "--time", "25:00"], "hours run from 00 to 23"),
        (["2031-05-04", "--sessions", "0"], "--sessions must be from 1 to 20"),
    ],
)
def test_bad_input_says_what_to_type(tmp_path: Path, args: list[str], says: str) -> None:
    result = _cli(tmp_path, "preview", *args, "--lang", "en")
    assert result.returncode == 2
    assert says in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "key", "values"),
    [
        (["2020-01-01"], "preview.passed", {"when": "2020-01-01 10:00"}),
        (["2031-05-04", "--sessions", "0"], "preview.sessions_range", {"most": "۲۰", "given": "۰"}),
        (
            ["2031-05-04", "--interval", "400"],
            "preview.interval_range",
            {"most": "۳۶۵", "given": "۴۰۰"},
        ),
    ],
)
def test_bad_input_is_explained_in_the_clinics_language(
    tmp_path: Path, args: list[str], key: str, values: dict[str, str]
) -> None:
    """Without --lang, DEFAULT_LANGUAGE (fa by default) speaks."""
    result = _cli(tmp_path, "preview", *args)
    assert result.returncode == 2
    assert result.stderr == f"mesocare: {CATALOG.text('fa', key, **values)}\n"


def test_a_broken_protocol_is_named_with_its_key(tmp_path: Path) -> None:
    broken = tmp_path / "protocol.toml"
    broken.write_text('[steps.pre_care]\nwhen = "start - 2h"\nexpires = "start"\n')
    result = _cli(tmp_path, "preview", "2031-05-04", CARE_PROTOCOL=str(broken))
    assert result.returncode == 2
    assert f"care protocol {broken}: [steps.pre_care] when" in result.stderr
    assert result.stdout == ""


def test_the_clinic_phone_is_needed_to_show_the_texts(tmp_path: Path) -> None:
    result = _cli(tmp_path, "preview", "2031-05-04", CLINIC_PHONE="-")
    assert result.returncode == 2
    assert "CLINIC_PHONE is not set" in result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr
