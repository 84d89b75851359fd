"""Writing a claimed care message in the patient's language, with its answer buttons."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from care.answers import AnswerButton, encode
from care.catalog import Catalog
from care.clock import from_epoch
from care.dates import format_date, format_time
from care.db.messages import Claim
from care.protocol import CareProtocol
from care.text_input import to_persian_digits

_FIRST_STRONG_ISOLATE = "\u2068"
_POP_DIRECTIONAL_ISOLATE = "\u2069"


@dataclass(frozen=True)
class Clinic:
    name: str
    phone: str
    address: str
    emergency_phone: str


@dataclass(frozen=True)
class Outgoing:
    text: str
    buttons: tuple[tuple[str, str], ...]  # (label, callback data), one button a row


def isolate(value: str, lang: str) -> str:
    """In Persian text, keep a Latin name or a phone number from flipping the line around it."""
    if lang == "fa" and any(c.isascii() and c.isalnum() for c in value):
        return f"{_FIRST_STRONG_ISOLATE}{value}{_POP_DIRECTIONAL_ISOLATE}"
    return value


def number(value: int, lang: str) -> str:
    return to_persian_digits(str(value)) if lang == "fa" else str(value)


class Composer:
    def __init__(self, catalog: Catalog, protocol: CareProtocol, clinic: Clinic, tz: ZoneInfo):
        self._catalog = catalog
        self._protocol = protocol
        self._clinic = clinic
        self._tz = tz

    def clinic_values(self, lang: str) -> dict[str, str]:
        return {
            "clinic_name": isolate(self._clinic.name, lang),
            "clinic_phone": isolate(self._clinic.phone, lang),
            "clinic_address": isolate(self._clinic.address, lang),
            "emergency_phone": isolate(self._clinic.emergency_phone, lang),
        }

    def step_values(self, claim: Claim) -> dict[str, str]:
        """What a care message can show: care.catalog.STEP_PLACEHOLDERS, filled in."""
        lang = claim.language
        starts = from_epoch(claim.starts_at).astimezone(self._tz)
        return {
            **self.clinic_values(lang),
            "patient_name": isolate(claim.patient_name, lang),
            "appointment_date": format_date(starts.date(), lang),
            "appointment_time": format_time(starts.timetz().replace(tzinfo=None), lang),
            "session_number": number(claim.session_number, lang),
            "session_count": number(claim.session_count, lang),
        }

    def care_message(self, claim: Claim) -> Outgoing:
        lang = claim.language
        text = self._catalog.text(lang, f"steps.{claim.step}", **self.step_values(claim))
        buttons = tuple(
            (
                self._catalog.text(lang, f"answers.{answer}"),
                encode(AnswerButton(claim.message_id, answer)),
            )
            for answer in self._protocol.step(claim.step).answers
        )
        return Outgoing(text, buttons)
