"""The message catalog: every text a patient or a staff member reads, one TOML file per language.

Nested tables become dotted keys (`[steps] pre_care = "..."` is "steps.pre_care"). Texts use
str.format placeholders such as {clinic_phone}; a brace that is not a placeholder is doubled.
Everything is checked at start-up so a broken file stops the bot instead of a patient's message.

Rendering adds the direction isolates that keep right-to-left text from scrambling phones, times,
commands and names (care.bidi), so the message files never need invisible characters.
"""

from __future__ import annotations

import re
import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from care.content import bidi
from care.core.languages import LANGUAGES
from care.schedule.protocol import ANSWER_KEYS, NEEDS_HUMAN, CareProtocol

DEFAULT_MESSAGES_DIR = Path(__file__).parent / "messages"

ALLOWED_PLACEHOLDERS = frozenset(
    {
        "patient_name",
        "clinic_name",
        "clinic_phone",
        "clinic_address",
        "appointment_date",
        "appointment_time",
        "appointment_list",
        "session_number",
        "session_count",
        "token_hint",
        "days",
        # The request for another time (section [reschedule]).
        "hours",
        "part",
        "begins",
        "ends",
        "day",
        "choices",
        "first",
        "second",
        "emergency_phone",
        "opening_day",
        "opening_time",
        "reply_text",  # a staff member's answer, relayed in the clinic's name
    }
)
# Sections staff read (the desk, the enrolment, the card, alerts, menus, the command line). Their
# texts may name any placeholder: each is filled with what its shipped text uses, and a clinic's
# own file may use no other (check_against_defaults), nor leave one of these texts out.
STAFF_SECTIONS = frozenset(
    {"problems", "desk", "enrol", "card", "alerts", "staff_menu", "staff", "channels"}
    | {"journey", "privacy", "staff_list", "errors"}
    | {"relay_staff", "ownership", "morning", "merge"}
    | {"reschedule_staff"}
    | {"check", "preview", "export", "weekdays"}
    | {"stats"}
)
_PLACEHOLDER_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")

# What every care message (steps.*) is given to fill in; other texts get what their shipped
# default uses (see check_against_defaults).
STEP_PLACEHOLDERS = frozenset(
    {
        "patient_name",
        "clinic_name",
        "clinic_phone",
        "clinic_address",
        "appointment_date",
        "appointment_time",
        "session_number",
        "session_count",
        "emergency_phone",
    }
)

# The patient's command menu, in order; each needs commands.<name> (its description).
PATIENT_COMMANDS: tuple[str, ...] = (
    "appointments",
    "care",
    "faq",
    "language",
    "channel",
    "stop",
    "help",
)
# /faq questions, in order; each is faq.<topic>, whose first line is the question.
FAQ_TOPICS: tuple[str, ...] = ("what", "sessions", "side_effects", "permanent", "before_after")

# Texts the bot itself uses; steps.<step>, answers.<answer>, replies.<answer> and
# language.<code> are required as well, derived from the protocol and the languages.
_BOT_TEXTS: dict[str, tuple[str, ...]] = {
    "patient": (
        "welcome",
        "no_upcoming",
        "appointment_line",
        "start_unknown",
        "invite_invalid",
        "invite_other_chat",
        "already_linked",
        "help",
        "free_text",
        "language_prompt",
        "language_set",
        "stop_confirm",
        "stopped",
        "resumed",
        "rescheduled",
        "cancelled",
        "too_many_attempts",
        "button_stale",
        "already_answered",
        "stop_kept",
        "appointments",
        "error",
        "staff_only",
    ),
    "buttons": ("yes", "no", "stop_confirm"),
    "faq": ("title", *FAQ_TOPICS),
    "care": ("before", "after_24h", "general", "warning_signs"),
    "commands": PATIENT_COMMANDS,
    # A patient's message reached the clinic; a staff answer; the photo after a check-in.
    "relay": ("received_open", "received_closed", "flood", "from_clinic", "photo_invite"),
    # The reply to a tap that needs a person while the clinic is closed.
    "closed": tuple(answer for answer in ANSWER_KEYS if answer in NEEDS_HUMAN),
    "satisfaction": ("comment_thanks",),
}
REQUIRED_KEYS: tuple[str, ...] = tuple(
    f"{group}.{name}" for group, names in _BOT_TEXTS.items() for name in names
)


class CatalogError(ValueError):
    """A message file cannot be used; `str()` names the file and the key."""


# A text cut into (words, the placeholder after them or None), its words marked for direction.
_Template = tuple[tuple[str, str | None], ...]


@dataclass(frozen=True)
class _File:
    source: str
    right_to_left: bool
    texts: Mapping[str, str]
    placeholders: Mapping[str, frozenset[str]]
    templates: Mapping[str, _Template]


@dataclass(frozen=True)
class Catalog:
    languages: tuple[str, ...]
    _files: Mapping[str, _File] = field(repr=False, compare=False)

    def text(self, lang: str, key: str, **values: str) -> str:
        """The text with its placeholders filled, each value isolated for the text's direction
        (care.bidi); KeyError for an unknown key or a placeholder left without a value (a bug
        in the caller, not in the file)."""
        file = self._files[lang]
        rtl = file.right_to_left
        filled = "".join(
            words if name is None else words + bidi.isolate_value(name, values[name], rtl)
            for words, name in file.templates[key]
        )
        return bidi.anchor_lines(filled, rtl)

    def has(self, lang: str, key: str) -> bool:
        return lang in self._files and key in self._files[lang].texts

    def keys(self, lang: str) -> frozenset[str]:
        return frozenset(self._files[lang].texts)

    def placeholders(self, lang: str, key: str) -> frozenset[str]:
        return self._files[lang].placeholders[key]


def load_catalog(directory: Path, languages: tuple[str, ...] = LANGUAGES) -> Catalog:
    """Read `<lang>.toml` for each language; every file must have the same keys and the same
    placeholders in each text."""
    if not languages:
        raise CatalogError(f"message catalog {directory}: no languages given")
    files = {
        lang: _load_file(directory / f"{lang}.toml", bidi.is_right_to_left(lang))
        for lang in languages
    }
    reference = files[languages[0]]
    for lang in languages[1:]:
        _compare(reference, files[lang])
    return Catalog(languages, files)


def check_catalog(catalog: Catalog, protocol: CareProtocol) -> None:
    """Every text the protocol and the bot need exists in every language."""
    needed = (
        *(f"steps.{step.key}" for step in protocol.steps),
        *(f"answers.{answer}" for answer in ANSWER_KEYS),
        *(f"replies.{answer}" for answer in ANSWER_KEYS),
        *REQUIRED_KEYS,
    )
    for lang in catalog.languages:
        for key in needed:
            if not catalog.has(lang, key):
                _fail(catalog._files[lang].source, key, "missing; the bot needs this text")


def check_against_defaults(catalog: Catalog, defaults: Catalog) -> None:
    """A clinic's own message files may use, in each text, only the placeholders the bot fills
    in for it: what the shipped text uses, or for a care message every STEP_PLACEHOLDERS name.
    Caught here, a mistake stops the bot at start-up instead of failing when a patient asks."""
    lang = catalog.languages[0]
    for key in sorted(defaults.keys(lang) - catalog.keys(lang)):
        if _section(key) in STAFF_SECTIONS:
            _fail(catalog._files[lang].source, key, "missing; the bot needs this text for staff")
    for key in sorted(catalog.keys(lang)):
        if key.startswith("steps."):
            allowed = STEP_PLACEHOLDERS
        elif key in defaults.keys(lang):
            allowed = defaults.placeholders(lang, key)
        else:
            continue
        extra = catalog.placeholders(lang, key) - allowed
        if extra:
            _fail(
                catalog._files[lang].source,
                key,
                f"{_show(frozenset(extra))} cannot be filled in here; this text may use "
                f"{_show(allowed)}",
            )


def _load_file(path: Path, right_to_left: bool) -> _File:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(f"message catalog {path}: cannot read the file: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"message catalog {path}: TOML syntax error: {exc}") from exc
    texts = _flatten(str(path), data, "")
    names = {
        key: _placeholders(str(path), key, text, staff=_section(key) in STAFF_SECTIONS)
        for key, text in texts.items()
    }
    templates = {key: _template(text, right_to_left) for key, text in texts.items()}
    return _File(str(path), right_to_left, texts, names, templates)


def _template(text: str, right_to_left: bool) -> _Template:
    """The text's own words keep commands and phone numbers in order in right-to-left text."""
    return tuple(
        (bidi.mark_runs(words) if right_to_left else words, name)
        for words, name, _spec, _conversion in string.Formatter().parse(text)
    )


def _flatten(source: str, table: Mapping[str, Any], prefix: str) -> dict[str, str]:
    texts: dict[str, str] = {}
    for name, value in table.items():
        key = prefix + name
        if isinstance(value, dict):
            texts.update(_flatten(source, value, key + "."))
        elif not isinstance(value, str):
            _fail(source, key, 'must be text in quotes, e.g. key = "..."')
        elif not value.strip():
            _fail(source, key, "is empty")
        else:
            texts[key] = value.strip()
    return texts


def _section(key: str) -> str:
    return key.split(".", 1)[0]


def _placeholders(source: str, key: str, text: str, *, staff: bool) -> frozenset[str]:
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError as exc:
        _fail(source, key, f"unbalanced brace ({exc}); write {{{{ or }}}} for a literal brace")
    names = set()
    for _literal, name, spec, conversion in parts:
        if name is None:
            continue
        known = _PLACEHOLDER_NAME.fullmatch(name) if staff else name in ALLOWED_PLACEHOLDERS
        if not known or spec or conversion:
            allowed = ", ".join(f"{{{known}}}" for known in sorted(ALLOWED_PLACEHOLDERS))
            _fail(
                source,
                key,
                f"unknown placeholder {{{name}}}; use one of {allowed}, "
                "or write {{ and }} for a literal brace",
            )
        names.add(name)
    return frozenset(names)


def _compare(reference: _File, other: _File) -> None:
    for key in sorted(reference.texts.keys() - other.texts.keys()):
        _fail(other.source, key, f"missing; it is in {reference.source}")
    for key in sorted(other.texts.keys() - reference.texts.keys()):
        _fail(other.source, key, f"not in {reference.source}; every language needs the same keys")
    for key in sorted(reference.texts):
        if reference.placeholders[key] != other.placeholders[key]:
            _fail(
                other.source,
                key,
                f"placeholders {_show(other.placeholders[key])} differ from "
                f"{_show(reference.placeholders[key])} in {reference.source}",
            )


def _show(names: frozenset[str]) -> str:
    return " ".join(f"{{{name}}}" for name in sorted(names)) if names else "(none)"


def _fail(source: str, key: str, message: str) -> NoReturn:
    raise CatalogError(f"message catalog {source}: {key}: {message}")
