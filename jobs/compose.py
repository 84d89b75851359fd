"""Writing a claimed care message in the patient's language, with its answer buttons."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from care.answers.codec import AnswerButton, encode
from care.content.catalog import Catalog
from care.core.clock import from_epoch
from care.core.dates import format_date, format_time
from care.core.text_input import to_persian_digits
from care.db.messages import Claim
from care.schedule.protocol import CareProtocol


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


def number(value: int, lang: str) -> str:
    return to_persian_digits(str(value)) if lang == "fa" else str(value)


class Composer:
    def __init__(self, catalog: Catalog, protocol: CareProtocol, clinic: Clinic, tz: ZoneInfo):
        self._catalog = catalog
        self._protocol = protocol
        self._clinic = clinic
        self._tz = tz

    def clinic_values(self) -> dict[str, str]:
        """The clinic's details as placeholder values; the catalog isolates them for direction."""
        return {
            "clinic_name": self._clinic.name,
            "clinic_phone": self._clinic.phone,
            "clinic_address": self._clinic.address,
            "emergency_phone": self._clinic.emergency_phone,
        }

    def step_values(self, claim: Claim) -> dict[str, str]:
        """What a care message can show: care.catalog.STEP_PLACEHOLDERS, filled in."""
        lang = claim.language
        starts = from_epoch(claim.starts_at).astimezone(self._tz)
        return {
            **self.clinic_values(),
            "patient_name": claim.patient_name,
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
