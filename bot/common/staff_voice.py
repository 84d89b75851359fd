"""How the bot speaks to one staff member: the catalog's staff texts in their language, with
dates the way the clinic's paper diary writes them.

Values are given as they are (a number, a date, an instant, a month, a domain Problem) and
shown here: Persian digits and Solar Hijri first, with the Gregorian date in brackets, for "fa";
the Gregorian date with the Solar Hijri one beside it for "en". Every value then goes through
Catalog.text, which isolates it for the text's direction (care.bidi).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from care.content.catalog import Catalog
from care.core.dates import format_time, month_name, staff_day, staff_when
from care.core.problems import MonthName, Problem
from care.core.text_input import to_persian_digits


@dataclass(frozen=True)
class Voice:
    catalog: Catalog
    lang: str
    tz: ZoneInfo

    def __call__(self, key: str, **values: object) -> str:
        """The text `key`, its placeholders filled with `values` shown for this reader."""
        return self.catalog.text(self.lang, key, **{n: self.show(v) for n, v in values.items()})

    def problem(self, problem: Problem) -> str:
        """The problem's text; what staff typed is echoed in this reader's digits."""
        values = {
            name: self.digits(value) if isinstance(value, str) else value
            for name, value in problem.values.items()
        }
        return self(f"problems.{problem.code}", **values)

    def show(self, value: object) -> str:
        if isinstance(value, bool):
            raise TypeError("a yes or no has no wording of its own; pick a text for it")
        if isinstance(value, int):
            return self.digits(str(value))
        if isinstance(value, datetime):
            return self.when(value)
        if isinstance(value, date):
            return self.day(value)
        if isinstance(value, time):
            return format_time(value, self.lang)
        if isinstance(value, MonthName):
            return month_name(value, self.lang)
        if isinstance(value, Problem):
            return self.problem(value)
        return str(value)

    def join(self, items: list[str], key: str = "desk.pair") -> str:
        """Items in a list, each pair joined by the text `key` ("{first}, {second}")."""
        if not items:
            return ""
        joined = items[0]
        for item in items[1:]:
            joined = self(key, first=joined, second=item)
        return joined

    def digits(self, text: str) -> str:
        return to_persian_digits(text) if self.lang == "fa" else text

    def day(self, d: date, *, with_year: bool = True) -> str:
        return staff_day(d, self.lang, with_year=with_year)

    def when(self, at: datetime) -> str:
        return staff_when(at, self.tz, self.lang)

    def clock(self, at: datetime | time) -> str:
        shown = at.astimezone(self.tz).time() if isinstance(at, datetime) else at
        return format_time(shown, self.lang)
