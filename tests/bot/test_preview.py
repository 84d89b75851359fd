"""`python -m bot preview`: the timeline the doctor reads before a change goes live."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import load_care
from bot.preview import PreviewRequest, render_preview
from bot.settings import Settings, load_settings
from care.dates import parse_local_datetime
from tests.bot.app_env import CLINIC_PHONE
from tests.bot.patient_harness import CATALOG, TEHRAN
from tests.e2e.harness import ROOT

NOW = datetime(2027, 2, 20, 6, 0, tzinfo=UTC)  # 09:30 in Tehran
STEPS = ["pre_care", "day_of", "post_care", "wash_ok", "check_in", "follow_up"]


@pytest.fixture
def settings() -> Settings:
    return load_settings({"CLINIC_PHONE": CLINIC_PHONE}, need_telegram=False)


def preview(settings: Settings, date: str, at: str = "10:00", **request: object) -> str:
    protocol, catalog = load_care(settings)
    starts = parse_local_datetime(date, at, TEHRAN)
    return render_preview(
        PreviewRequest(starts_at=starts, **request),  # type: ignore[arg-type]
        settings=settings,
        protocol=protocol,
        catalog=catalog,
        now=NOW,
    )


def headings(text: str) -> list[str]:
    """The step of each numbered entry, in order."""
    return [
        line.split(". ", 1)[1].split(":")[0] for line in text.splitlines() if line[:1].isdigit()
    ]


def test_every_step_with_its_time_text_and_buttons(settings: Settings) -> None:
    text = preview(settings, "2027-03-10", at="14:00", language="en")
    assert headings(text) == STEPS
    assert "sent    2027-03-09 (1405-12-18) 12:00" in text  # pre-care, 26 h before
    assert "sent    2027-03-10 (1405-12-19) 11:00" in text  # day-of, 3 h before
    assert "sent    2027-03-13 (1405-12-22) 15:00" in text  # check-in, 3 days after the end
    assert "sent    2027-09-10 (1406-06-19) 10:00" in text  # follow-up, 6 months on at 10:00
    assert "do not stop it on your own" in text
    assert f"Clinic phone: {CLINIC_PHONE}" in text
    assert "[Understood]  [I take a prescribed blood thinner]  [I need another time]" in text
    assert 'every 6 months after it is sent, until the patient taps "Not now"' in text


def test_quiet_hours_shifts_are_explained(settings: Settings) -> None:
    text = preview(settings, "2027-03-10", at="09:00", language="en")
    assert "sent    2027-03-09 (1405-12-18) 21:30  (moved out of quiet hours; planned for" in text


def test_a_late_booking_is_explained(settings: Settings) -> None:
    text = preview(settings, "2027-02-20", at="13:00", language="en")
    assert "(booked late: sent as soon as possible once the patient has linked)" in text


def test_booked_at_23_for_14_the_next_day_pre_care_goes_at_once(settings: Settings) -> None:
    protocol, catalog = load_care(settings)
    at_23 = datetime(2027, 2, 20, 19, 30, tzinfo=UTC)  # 23:00 in Tehran: quiet hours
    text = render_preview(
        PreviewRequest(parse_local_datetime("2027-02-21", "14:00", TEHRAN), language="en"),
        settings=settings,
        protocol=protocol,
        catalog=catalog,
        now=at_23,
    )
    entries = text.split("\n\n" + "─" * 72 + "\n")[1:]
    pre_care = next(entry for entry in entries if ". pre_care:" in entry.splitlines()[0])
    # at once, not at 08:00 (six hours before the session, inside the 24 hours)
    assert "sent    2027-02-20 (1405-12-01) 23:00  (booked late" in pre_care
    day_of = next(entry for entry in entries if ". day_of:" in entry.splitlines()[0])
    assert "sent    2027-02-21 (1405-12-02) 11:00" in day_of


def test_persian_texts_with_solar_hijri_dates_and_isolated_latin(settings: Settings) -> None:
    text = preview(settings, "1405-12-19", language="fa")
    assert "چهارشنبه ۱۹ اسفند ۱۴۰۵ ساعت ۱۰:۰۰" in text
    assert "\u2068Sara Ahmadi\u2069" in text
    assert f"\u2068{CLINIC_PHONE}\u2069" in text
    assert f"[{CATALOG.text('fa', 'answers.book_me')}]" in text


def test_a_course_gets_each_session_and_one_follow_up(settings: Settings) -> None:
    text = preview(settings, "2027-03-10", language="en", sessions=3, interval_days=7)
    steps = headings(text)
    assert steps.count("pre_care") == steps.count("check_in") == 3
    assert steps[-1] == "follow_up" and steps.count("follow_up") == 1
    assert "session 3 of 3" in text


def _cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m bot` with no token and no admins in the environment."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_command_needs_no_token(tmp_path: Path) -> None:
    result = _cli(tmp_path, "preview", "2031-05-04", "--time", "۱۶:۰۰", "--lang", "en")
    assert result.returncode == 0, result.stderr
    assert headings(result.stdout) == STEPS
    assert "2031-05-04 (1410-02-14) 16:00" in result.stdout
    assert "Protocol and message files checked" in result.stdout


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
    result = _cli(tmp_path, "preview", *args)
    assert result.returncode == 2
    assert says in result.stderr
    assert "Traceback" not in result.stderr


def test_a_broken_protocol_is_named_with_its_key(tmp_path: Path) -> None:
    broken = tmp_path / "protocol.toml"
    broken.write_text('[steps.pre_care]\nwhen = "start - 2h"\nexpires = "start"\n')
    result = _cli(tmp_path, "preview", "2031-05-04", CARE_PROTOCOL=str(broken))
    assert result.returncode == 2
    assert f"care protocol {broken}: [steps.pre_care] when" in result.stderr
    assert result.stdout == ""
