"""The names people read for a patient's language, a treatment area and a messenger, in the
reader's language: shared by the enrolment questions, the desk, the staff lists and alerts."""

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


def channel_name(voice: Voice, channel: str) -> str:
    """A messenger's name in the reader's language; its code when the catalogs do not name it."""
    key = f"channels.{channel}"
    return voice(key) if voice.catalog.has(voice.lang, key) else channel
