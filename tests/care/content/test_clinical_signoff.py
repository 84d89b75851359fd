"""docs/clinical-signoff.md stays honest: every text that can carry a clinical statement is on
it, every key it names exists, and every statement says where it comes from."""

from __future__ import annotations

import re
from pathlib import Path

from care.content.catalog import DEFAULT_MESSAGES_DIR, load_catalog
from care.schedule.protocol import DEFAULT_PROTOCOL_PATH, load_protocol

SHEET = Path(__file__).resolve().parents[3] / "docs" / "clinical-signoff.md"
CATALOG = load_catalog(DEFAULT_MESSAGES_DIR)
PROTOCOL = load_protocol(DEFAULT_PROTOCOL_PATH)
REVIEWED = (
    "steps",
    "care",
    "faq",
    "replies",
    "closed",
)  # the sections that can carry clinical content
TEXT_KEY = re.compile(r"`((?:steps|care|faq|replies|closed|answers)\.[a-z0-9_]+)`")
STEP = re.compile(r"`\[steps\.([a-z0-9_]+)\]`")
SOURCES = ("leaflet", "general guidance")


def sheet() -> str:
    return SHEET.read_text(encoding="utf-8")


def statements() -> list[list[str]]:
    """The cells of each numbered row of the statements table."""
    rows = []
    for line in sheet().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[0].isdigit():
            rows.append(cells)
    return rows


def test_every_text_that_can_carry_clinical_content_is_on_the_sheet() -> None:
    named = set(TEXT_KEY.findall(sheet()))
    reviewed = {key for key in CATALOG.keys("en") if key.split(".")[0] in REVIEWED}
    assert reviewed - named == set(), "add these texts to docs/clinical-signoff.md"


def test_every_key_on_the_sheet_exists() -> None:
    for key in TEXT_KEY.findall(sheet()):
        assert CATALOG.has("en", key) and CATALOG.has("fa", key), key
    steps = set(STEP.findall(sheet()))
    assert steps <= {step.key for step in PROTOCOL.steps}
    # Steps that say nothing clinical: the day-of reminder, the nudge after a no-show, the
    # satisfaction question.
    plain = ("day_of", "no_show_follow_up", "satisfaction")
    timed = {step.key for step in PROTOCOL.steps if step.key not in plain}
    assert timed <= steps, "every clinical step's timing is named as [steps.<name>]"


def test_every_statement_says_where_it_comes_from_and_where_it_changes() -> None:
    rows = statements()
    assert [int(row[0]) for row in rows] == list(range(1, len(rows) + 1))
    assert len(rows) >= 15
    for number, statement, source, where in rows:
        assert any(origin in source for origin in SOURCES), f"{number}: {source!r}"
        assert statement and where, number
        assert TEXT_KEY.search(where) or STEP.search(where), f"{number}: no file or key"


def test_a_clinical_text_is_listed_among_the_statements_not_only_as_non_clinical() -> None:
    in_rows = {key for row in statements() for key in TEXT_KEY.findall(row[3])}
    for key in ("steps.pre_care", "steps.post_care", "steps.late_check_in", "care.warning_signs"):
        assert key in in_rows, key
    non_clinical = set(TEXT_KEY.findall(sheet().split("## Texts with no clinical content")[1]))
    assert not non_clinical & in_rows, "a text is either clinical or not"
