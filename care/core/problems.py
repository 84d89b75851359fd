"""What the domain says when something typed or asked cannot be used: a code and its values.

The domain never words a problem; the code names a text in the message catalogs
(`problems.<code>`) and the values fill its placeholders, so the person at the desk reads it in
their own language, with dates and numbers the way they write them. `str()` is for the logs.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MonthName:
    """A month of a year in one calendar, named at the edge in the reader's language."""

    calendar: str  # "gregorian" or "jalali"
    year: int
    month: int


class Problem(ValueError):  # noqa: N818 - read as "a problem with what was typed"
    """A refusal of what was typed or asked; `code` is a key under [problems] in the catalogs."""

    def __init__(self, code: str, **values: object) -> None:
        super().__init__(code)
        self.code = code
        self.values = values

    def __str__(self) -> str:
        shown = " ".join(f"{name}={value!r}" for name, value in sorted(self.values.items()))
        return f"{self.code} {shown}".strip()

    def recoded(self, kind: type[Problem]) -> Problem:
        """The same problem, raised as another kind (e.g. a date error inside an enrolment)."""
        return kind(self.code, **self.values)
