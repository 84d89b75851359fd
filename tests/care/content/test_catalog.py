import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from care.content.catalog import (
    ALLOWED_PLACEHOLDERS,
    DEFAULT_MESSAGES_DIR,
    REQUIRED_KEYS,
    STAFF_SECTIONS,
    Catalog,
    CatalogError,
    check_against_defaults,
    check_catalog,
    load_catalog,
)
from care.core.languages import ENDONYMS, LANGUAGES
from care.core.models import AlertKind, AppointmentStatus, MessageState
from care.people.areas import TREATMENT_AREAS
from care.schedule.protocol import ANSWER_KEYS, DEFAULT_PROTOCOL_PATH, load_protocol, parse_protocol

SHIPPED = load_catalog(DEFAULT_MESSAGES_DIR)
PROTOCOL = load_protocol(DEFAULT_PROTOCOL_PATH)
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
# Values the bot passes today to texts outside [steps] (jobs/compose.py and
# bot/common/patient_view.py).
CLINIC = {"clinic_name", "clinic_phone", "clinic_address", "emergency_phone"}


def texts(catalog: Catalog, lang: str) -> dict[str, str]:
    return {
        key: catalog.text(lang, key, **{name: "" for name in catalog.placeholders(lang, key)})
        for key in catalog.keys(lang)
    }


def dump(path: Path, entries: dict[str, str]) -> None:
    """Write a message file as dotted keys; JSON string escapes are valid TOML (written as
    they are, not as surrogate pairs, which TOML refuses: the staff texts have emoji)."""
    path.write_text(
        "".join(
            f"{key} = {json.dumps(text, ensure_ascii=False)}\n" for key, text in entries.items()
        ),
        encoding="utf-8",
    )


def shipped_entries(lang: str) -> dict[str, str]:
    """The shipped file's texts, read independently of care.catalog."""

    def flatten(table: dict[str, Any], prefix: str) -> dict[str, str]:
        entries: dict[str, str] = {}
        for name, value in table.items():
            if isinstance(value, dict):
                entries.update(flatten(value, f"{prefix}{name}."))
            else:
                entries[prefix + name] = value
        return entries

    path = DEFAULT_MESSAGES_DIR / f"{lang}.toml"
    return flatten(tomllib.loads(path.read_text(encoding="utf-8")), "")


def write_pair(directory: Path, fa: str, en: str) -> None:
    (directory / "fa.toml").write_text(fa, encoding="utf-8")
    (directory / "en.toml").write_text(en, encoding="utf-8")


# --- the shipped catalog ----------------------------------------------------------------


def test_shipped_catalog_is_complete() -> None:
    check_catalog(SHIPPED, PROTOCOL)
    assert SHIPPED.languages == ("fa", "en")
    assert SHIPPED.keys("fa") == SHIPPED.keys("en")
    for key in SHIPPED.keys("fa"):
        assert SHIPPED.placeholders("fa", key) == SHIPPED.placeholders("en", key), key
    for answer in ANSWER_KEYS:
        assert SHIPPED.has("fa", f"answers.{answer}") and SHIPPED.has("en", f"replies.{answer}")


def test_every_language_has_its_own_name_and_a_catalog() -> None:
    assert set(ENDONYMS) == set(LANGUAGES) == set(SHIPPED.languages)
    assert ENDONYMS == {"fa": "فارسی", "en": "English"}


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_answer_labels_are_short_and_plain(lang: str) -> None:
    for answer in ANSWER_KEYS:
        assert len(SHIPPED.text(lang, f"answers.{answer}")) <= 40
        assert SHIPPED.placeholders(lang, f"answers.{answer}") == frozenset()


_RESCHEDULE = {
    "reschedule.ask": {"appointment_date", "appointment_time", "hours"},
    "reschedule.hours": {"part", "begins", "ends"},
    "reschedule.choice": {"day", "part"},
    "reschedule.pair": {"first", "second"},
    "reschedule.sent": {"choices"},
    "reschedule.replaced": {"choices"},
}


def test_shipped_texts_use_only_values_the_bot_supplies() -> None:
    for key in SHIPPED.keys("en"):
        used = SHIPPED.placeholders("en", key)
        if key.split(".")[0] in STAFF_SECTIONS:
            continue  # staff texts: test_staff_texts_are_filled_by_the_bot
        if key.startswith("steps."):
            assert "appointment_list" not in used, key
        elif key == "patient.welcome":
            assert used <= CLINIC | {"patient_name", "appointment_list"}
        elif key in ("patient.appointments", "patient.new_course"):
            assert used == {"appointment_list"}
        elif key == "patient.appointment_line":
            assert used == {
                "appointment_date",
                "appointment_time",
                "session_number",
                "session_count",
            }
        elif key in {"patient.rescheduled", "patient.cancelled"}:
            assert (
                {"appointment_date", "appointment_time"}
                <= used
                <= CLINIC | {"appointment_date", "appointment_time"}
            )
        elif key.startswith("closed."):  # bot/patient_view.answer_reply fills these
            assert {"opening_day", "opening_time"} <= used, key
            assert used <= CLINIC | {"opening_day", "opening_time", "emergency_phone"}, key
        elif key == "relay.from_clinic":  # bot/relay/replies.py: a staff answer
            assert used == {"clinic_name", "reply_text"}
        elif key == "relay.received_closed":  # bot/relay/inbound.py
            assert (
                {"opening_day", "opening_time"} <= used <= CLINIC | {"opening_day", "opening_time"}
            )
        elif key in _RESCHEDULE:  # bot/patient/reschedule.py: the picker for another time
            assert used == _RESCHEDULE[key], key
        else:
            assert used <= CLINIC, key


def test_persian_uses_persian_digits_and_letters() -> None:
    for key, text in texts(SHIPPED, "fa").items():
        assert not re.search(r"[0-9\u0660-\u0669]", text), key
        assert not re.search(r"[\u064a\u0643]", text), key  # Arabic yeh and kaf


def test_persian_verb_prefix_is_joined_with_a_zwnj() -> None:
    for key, text in texts(SHIPPED, "fa").items():
        assert not re.search(r"(^|\s)ن?می\s", text), key
    assert "\u200c" in texts(SHIPPED, "fa")["steps.post_care"]


def test_pre_care_never_tells_a_patient_to_stop_a_prescribed_medicine() -> None:
    en = texts(SHIPPED, "en")["steps.pre_care"]
    assert "do not stop it; keep taking it as prescribed" in en
    assert "24 hours" in en and "aspirin" in en
    fa = texts(SHIPPED, "fa")["steps.pre_care"]
    assert "آن را قطع نکنید" in fa
    assert "۲۴ ساعت" in fa


def test_urgent_signs_tell_the_patient_to_call() -> None:
    for lang in SHIPPED.languages:
        assert "clinic_phone" in SHIPPED.placeholders(lang, "steps.check_in")
        assert "clinic_phone" in SHIPPED.placeholders(lang, "replies.something_wrong")


# --- rendering --------------------------------------------------------------------------


def test_text_fills_placeholders() -> None:
    line = SHIPPED.text(
        "en",
        "patient.appointment_line",
        appointment_date="Wed 2 Dec 2026",
        appointment_time="10:00",
        session_number="2",
        session_count="6",
    )
    assert line == "• Wed 2 Dec 2026 at 10:00 (session 2 of 6)"


def test_text_errors_are_key_errors() -> None:
    with pytest.raises(KeyError):
        SHIPPED.text("en", "patient.nothing")
    with pytest.raises(KeyError):
        SHIPPED.text("de", "patient.help", clinic_phone="1")
    with pytest.raises(KeyError, match="clinic_phone"):
        SHIPPED.text("en", "patient.help")
    assert not SHIPPED.has("de", "patient.help")
    assert not SHIPPED.has("en", "patient.nothing")
    assert SHIPPED.has("en", "patient.help")


def test_doubled_braces_render_as_braces(tmp_path: Path) -> None:
    write_pair(tmp_path, 'a = "{{ {days} }}"\n', 'a = "{{{days}}}"\n')
    catalog = load_catalog(tmp_path)
    assert catalog.text("fa", "a", days="3") == "\u200f{ \u20683\u2069 }"  # isolated: right to left
    assert catalog.text("en", "a", days="3") == "{3}"
    assert catalog.placeholders("fa", "a") == {"days"}


def test_nested_tables_become_dotted_keys_and_text_is_trimmed(tmp_path: Path) -> None:
    body = '[steps]\npre_care = """\nHello\n"""\n[faq.deep]\nq = "x"\n'
    write_pair(tmp_path, body, body)
    catalog = load_catalog(tmp_path)
    assert catalog.keys("fa") == {"steps.pre_care", "faq.deep.q"}
    assert catalog.text("en", "steps.pre_care") == "Hello"


# --- refusing bad files -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("fa", "en", "bad_file", "key"),
    [
        ('a = "x"\n', 'a = "x"\nb = "y"\n', "en.toml", "b"),  # an extra key
        ('a = "x"\nb = "y"\n', 'a = "x"\n', "en.toml", "b"),  # a missing key
        ('[s]\na = "x {days}"\n', '[s]\na = "x {clinic_phone}"\n', "en.toml", "s.a"),
        ('[s]\na = "call {phone}"\n', '[s]\na = "call {phone}"\n', "fa.toml", "s.a"),
        ('a = "x"\n', 'a = "x {clinic_phone"\n', "en.toml", "a"),  # unbalanced
        ('a = "x } y"\n', 'a = "x"\n', "fa.toml", "a"),
        ('a = "x {}"\n', 'a = "x {}"\n', "fa.toml", "a"),  # positional
        ('a = "{days:>3}"\n', 'a = "{days:>3}"\n', "fa.toml", "a"),  # format spec
        ('a = "{days!r}"\n', 'a = "{days!r}"\n', "fa.toml", "a"),
        ('a = "{clinic_name.upper}"\n', 'a = "x"\n', "fa.toml", "a"),
        ("a = 3\n", 'a = "x"\n', "fa.toml", "a"),
        ('[s]\na = "  "\n', '[s]\na = "x"\n', "fa.toml", "s.a"),
    ],
)
def test_a_bad_file_is_refused_naming_file_and_key(
    tmp_path: Path, fa: str, en: str, bad_file: str, key: str
) -> None:
    write_pair(tmp_path, fa, en)
    with pytest.raises(CatalogError) as caught:
        load_catalog(tmp_path)
    assert str(caught.value).startswith(f"message catalog {tmp_path / bad_file}: {key}: ")


def test_unknown_placeholder_lists_the_allowed_ones(tmp_path: Path) -> None:
    write_pair(tmp_path, 'a = "{phone}"\n', 'a = "{phone}"\n')
    with pytest.raises(CatalogError) as caught:
        load_catalog(tmp_path)
    assert "{phone}" in str(caught.value)
    assert all(f"{{{name}}}" in str(caught.value) for name in ALLOWED_PLACEHOLDERS)


def test_toml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    write_pair(tmp_path, 'a = "x"\nb = "unterminated\n', 'a = "x"\n')
    with pytest.raises(CatalogError) as caught:
        load_catalog(tmp_path)
    assert str(tmp_path / "fa.toml") in str(caught.value)
    assert "line 2" in str(caught.value)


def test_missing_file_is_a_catalog_error(tmp_path: Path) -> None:
    (tmp_path / "fa.toml").write_text('a = "x"\n', encoding="utf-8")
    with pytest.raises(CatalogError, match=r"en\.toml"):
        load_catalog(tmp_path)
    with pytest.raises(CatalogError, match="no languages"):
        load_catalog(tmp_path, ())


def test_one_language_is_enough(tmp_path: Path) -> None:
    (tmp_path / "en.toml").write_text('a = "x"\n', encoding="utf-8")
    assert load_catalog(tmp_path, ("en",)).languages == ("en",)


# --- checking against the protocol and the bot ------------------------------------------


def test_a_full_copy_passes(tmp_path: Path) -> None:
    for lang in ("fa", "en"):
        dump(tmp_path / f"{lang}.toml", shipped_entries(lang))
    check_catalog(load_catalog(tmp_path), PROTOCOL)


@pytest.mark.parametrize(
    "key",
    ["steps.follow_up", "answers.not_now", "replies.book_me", *REQUIRED_KEYS],
)
def test_a_text_the_bot_needs_is_required(tmp_path: Path, key: str) -> None:
    for lang in ("fa", "en"):
        entries = shipped_entries(lang)
        del entries[key]
        dump(tmp_path / f"{lang}.toml", entries)
    with pytest.raises(CatalogError) as caught:
        check_catalog(load_catalog(tmp_path), PROTOCOL)
    assert str(caught.value).startswith(f"message catalog {tmp_path / 'fa.toml'}: {key}: missing")


def test_every_protocol_step_needs_its_text() -> None:
    protocol = parse_protocol(
        '[steps.massage]\nwhen = "end"\nexpires = "end + 1h"\n', source="test"
    )
    with pytest.raises(CatalogError, match=r"steps\.massage: missing"):
        check_catalog(SHIPPED, protocol)


def _copy_defaults(tmp_path: Path, key: str, text: str) -> Path:
    """The shipped message files, with `key = text` in the [patient] table of both."""
    folder = tmp_path / "messages"
    folder.mkdir()
    name = key.split(".", 1)[1]
    for lang in ("fa", "en"):
        source = (DEFAULT_MESSAGES_DIR / f"{lang}.toml").read_text(encoding="utf-8")
        source = re.sub(rf"(?m)^{name} = .*$", f'{name} = "{text}"', source, count=1)
        (folder / f"{lang}.toml").write_text(source, encoding="utf-8")
    return folder


def test_a_clinic_text_may_not_use_a_placeholder_its_caller_cannot_fill(tmp_path: Path) -> None:
    folder = _copy_defaults(
        tmp_path, "patient.invite_invalid", "Call {clinic_phone}, {patient_name}"
    )
    with pytest.raises(CatalogError, match=r"patient\.invite_invalid.*\{patient_name\}"):
        check_against_defaults(load_catalog(folder), load_catalog(DEFAULT_MESSAGES_DIR))


def test_a_clinic_text_may_drop_placeholders(tmp_path: Path) -> None:
    folder = _copy_defaults(tmp_path, "patient.invite_invalid", "Ask reception for a new link.")
    check_against_defaults(load_catalog(folder), load_catalog(DEFAULT_MESSAGES_DIR))


def test_every_state_step_alert_and_area_has_a_staff_name() -> None:
    """The texts the bot builds a key for (card.status_<status>, ...) exist for every value."""
    protocol = load_protocol(DEFAULT_PROTOCOL_PATH)
    wanted = {
        *(f"card.status_{status.value}" for status in AppointmentStatus),
        *(f"card.state_{state.value}" for state in MessageState),
        *(f"card.step_{step.key}" for step in protocol.steps),
        *(f"alerts.{kind.value}" for kind in AlertKind),
        *(f"enrol.area_{area}" for area in TREATMENT_AREAS),
        *(f"card.language_{lang}" for lang in SHIPPED.languages),
    }
    for lang in SHIPPED.languages:
        assert wanted <= SHIPPED.keys(lang), sorted(wanted - SHIPPED.keys(lang))


def test_staff_see_names_not_keys() -> None:
    for lang in SHIPPED.languages:
        for step in load_protocol(DEFAULT_PROTOCOL_PATH).steps:
            assert SHIPPED.text(lang, f"card.step_{step.key}") != step.key
    assert SHIPPED.text("fa", "card.step_pre_care") == "یادآوری پیش از جلسه"
    assert SHIPPED.text("fa", "card.state_sent") == "ارسال شد"


def test_a_clinic_file_may_not_drop_a_staff_text(tmp_path: Path) -> None:
    for lang in ("fa", "en"):
        text = (DEFAULT_MESSAGES_DIR / f"{lang}.toml").read_text(encoding="utf-8")
        kept = "\n".join(line for line in text.splitlines() if not line.startswith("legend ="))
        (tmp_path / f"{lang}.toml").write_text(kept, encoding="utf-8")
    with pytest.raises(CatalogError, match=r"desk\.legend: missing"):
        check_against_defaults(load_catalog(tmp_path), SHIPPED)


@pytest.mark.parametrize(
    "key", ["check.token_ok", "preview.footer", "export.private_only", "weekdays.mon"]
)
def test_a_clinic_file_may_not_drop_a_command_line_text(tmp_path: Path, key: str) -> None:
    """`check` and `preview` speak from the catalogs too, and so do the export's column titles
    and the names of closed weekdays: their sections are staff sections."""
    assert {"check", "preview", "export", "weekdays"} <= STAFF_SECTIONS
    name = key.split(".")[1]
    for lang in ("fa", "en"):
        text = (DEFAULT_MESSAGES_DIR / f"{lang}.toml").read_text(encoding="utf-8")
        kept = "\n".join(line for line in text.splitlines() if not line.startswith(f"{name} ="))
        (tmp_path / f"{lang}.toml").write_text(kept, encoding="utf-8")
    with pytest.raises(CatalogError, match=rf"{re.escape(key)}: missing"):
        check_against_defaults(load_catalog(tmp_path), SHIPPED)


def test_a_staff_text_may_name_its_own_values_but_only_those_of_the_shipped_text(
    tmp_path: Path,
) -> None:
    for lang in ("fa", "en"):
        text = (DEFAULT_MESSAGES_DIR / f"{lang}.toml").read_text(encoding="utf-8")
        text = text.replace('booked_count = "{total}', 'booked_count = "{total} {patient_id}')
        (tmp_path / f"{lang}.toml").write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError, match=r"desk.booked_count: \{patient_id\} cannot be filled"):
        check_against_defaults(load_catalog(tmp_path), SHIPPED)
