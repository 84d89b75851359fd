"""Finding a patient by number, by part of the name (any case or Arabic/Persian letter form)
or by phone, against a real SQLite database."""

from __future__ import annotations

import sqlite3

import pytest

from care.core.models import PatientStatus
from care.core.text_input import fold_for_search
from care.db import patients
from care.people.search import find_patients


def _add(conn: sqlite3.Connection, name: str, phone: str | None = None) -> int:
    return patients.add(
        conn, full_name=name, name_key=fold_for_search(name), language="fa", phone=phone, now=0
    )


@pytest.fixture
def ids(conn: sqlite3.Connection) -> dict[str, int]:
    return {
        "ali": _add(conn, "علی کریمی", "0912 123 4567"),
        "sara": _add(conn, "Sara Ahmadi", "+98 935 765 4321"),
        "sarah": _add(conn, "Sarah O'Brien"),
        "maryam": _add(conn, "مریم کاظمی", "021-8888-0000"),
    }


def _found(conn: sqlite3.Connection, query: str) -> list[int]:
    return [p.id for p in find_patients(conn, query, limit=10).patients]


@pytest.mark.parametrize("query", ["2", "#2", "# 2", "۲", "#٢"])
def test_by_number(conn: sqlite3.Connection, ids: dict[str, int], query: str) -> None:
    assert _found(conn, query) == [ids["sara"]]


def test_a_number_that_is_nobody_s_finds_nobody(
    conn: sqlite3.Connection, ids: dict[str, int]
) -> None:
    assert _found(conn, "77") == []
    assert _found(conn, "#4567") == []  # "#" means a patient number, never a phone


@pytest.mark.parametrize(
    ("query", "who"),
    [
        ("علي", "ali"),  # Arabic yeh for Persian yeh
        ("كريم", "ali"),  # Arabic kaf for Persian keheh
        ("کریمی", "ali"),
        ("علی كريمي", "ali"),  # several parts, all must be in the name
        ("مريم", "maryam"),
        ("sara ahm", "sara"),
        ("AHMADI", "sara"),
        ("o'brien", "sarah"),
    ],
)
def test_by_part_of_the_name(
    conn: sqlite3.Connection, ids: dict[str, int], query: str, who: str
) -> None:
    assert _found(conn, query) == [ids[who]]


def test_several_matches_newest_first_capped(conn: sqlite3.Connection, ids: dict[str, int]) -> None:
    found = find_patients(conn, "sar", limit=1)
    assert found.total == 2
    assert [p.id for p in found.patients] == [ids["sarah"]]
    assert _found(conn, "sar") == [ids["sarah"], ids["sara"]]


@pytest.mark.parametrize(
    ("query", "who"),
    [
        ("09121234567", "ali"),
        ("+98 912 123 4567", "ali"),  # with the country code, stored without
        ("۰۹۱۲۱۲۳۴۵۶۷", "ali"),  # Persian digits
        ("4567", "ali"),  # the end of the number
        ("765-4321", "sara"),
        ("09357654321", "sara"),  # without the country code, stored with it
        ("(021) 8888 0000", "maryam"),
    ],
)
def test_by_phone(conn: sqlite3.Connection, ids: dict[str, int], query: str, who: str) -> None:
    assert _found(conn, query) == [ids[who]]


def test_wildcards_and_nonsense_match_nothing(
    conn: sqlite3.Connection, ids: dict[str, int]
) -> None:
    for query in ("%", "_", "zzz", "  ", "0000000", "12"):
        assert _found(conn, query) == [], query


def test_erased_patients_are_found_only_by_number(
    conn: sqlite3.Connection, ids: dict[str, int]
) -> None:
    patients.set_status(conn, ids["sara"], PatientStatus.ERASED)
    assert _found(conn, "sara") == [ids["sarah"]]
    assert _found(conn, "4321") == []
    assert _found(conn, f"#{ids['sara']}") == [ids["sara"]]
