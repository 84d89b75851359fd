"""The names staff read for a patient's language and treatment area, in the staff member's
language: shared by the enrolment questions and the desk."""

from __future__ import annotations

from bot.common.staff_voice import Voice


def language_name(voice: Voice, lang: str) -> str:
    key = f"card.language_{lang}"
    return voice(key) if voice.catalog.has(voice.lang, key) else lang


def area_name(voice: Voice, area: str | None) -> str:
    if area is None:
        return voice("enrol.area_not_given")
    key = f"enrol.area_{area}"
    return voice(key) if voice.catalog.has(voice.lang, key) else area
