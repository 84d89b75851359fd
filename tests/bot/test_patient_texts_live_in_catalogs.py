"""Every text a patient reads comes from the message files, never from code.

Two checks over bot/ and jobs/: no Persian (Arabic-script) character anywhere in the code, and
no literal with words in it handed to a call that shows text to a user (a reply, a sent or
edited message, a pop-up, a button, a menu entry) inside a function, except in staff modules.
A staff module is one that guards its commands with `staff_only` / `admin_only`, or one of
STAFF_MODULES, whose every reader is staff. Module-level names (STAFF_HELP, REFUSAL) are
staff-facing by convention and reviewed as such; what this catches is the quick
`reply_text("...")` in a handler that patients use.
"""

from __future__ import annotations

import ast
import re
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted([*ROOT.joinpath("bot").rglob("*.py"), *ROOT.joinpath("jobs").rglob("*.py")])
# Modules whose every reader is staff, without a guard of their own to show it.
STAFF_MODULES = frozenset({"bot/desk/alerts.py", "bot/desk/card_view.py"})
STAFF_GUARDS = frozenset({"staff_only", "admin_only"})
ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
# Calls whose text argument a user reads: the position of that argument, and its keyword.
SHOWS_TEXT: dict[str, tuple[int, str]] = {
    "reply_text": (0, "text"),
    "reply_html": (0, "text"),
    "reply_markdown": (0, "text"),
    "send_message": (1, "text"),
    "edit_message_text": (0, "text"),
    "edit_text": (0, "text"),
    "answer": (0, "text"),
    "send_photo": (2, "caption"),
    "send_document": (2, "caption"),
    "InlineKeyboardButton": (0, "text"),
    "BotCommand": (1, "description"),
}


def literal_texts_shown(source: str) -> list[tuple[int, str]]:
    """(line, literal) for each string with letters passed as shown text inside a function."""
    tree = ast.parse(source)
    found = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if not isinstance(node, ast.Call):
                continue
            argument = _shown_argument(node)
            if argument is not None and _has_words(argument):
                found.append((node.lineno, ast.unparse(argument)))
    return sorted(found)


def _shown_argument(call: ast.Call) -> ast.expr | None:
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if name not in SHOWS_TEXT:
        return None
    position, keyword = SHOWS_TEXT[name]
    for given in call.keywords:
        if given.arg == keyword:
            return given.value
    return call.args[position] if len(call.args) > position else None


def _has_words(node: ast.expr) -> bool:
    """A string literal (or the fixed parts of an f-string) containing a letter."""
    parts: list[str] = []
    for inner in ast.walk(node):
        if isinstance(inner, ast.Constant) and isinstance(inner.value, str):
            parts.append(inner.value)
    if not isinstance(node, ast.Constant | ast.JoinedStr | ast.BinOp | ast.IfExp):
        return False
    return any(unicodedata.category(ch).startswith("L") for part in parts for ch in part)


def is_staff_module(relative: str, source: str) -> bool:
    if relative in STAFF_MODULES:
        return True
    imported = {
        alias.name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    return bool(imported & STAFF_GUARDS)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_persian_in_code(path: Path) -> None:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        assert not ARABIC_SCRIPT.search(line), f"{path.relative_to(ROOT)}:{number}: {line.strip()}"


# Staff modules whose texts have not moved to the catalogs yet: none. Every module, staff ones
# included, shows no literal text; a module added here is debt, and this test says so.
NOT_YET_IN_CATALOGS: frozenset[str] = frozenset()


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_words_sent_to_patients_from_code(path: Path) -> None:
    relative = str(path.relative_to(ROOT))
    source = path.read_text(encoding="utf-8")
    assert not NOT_YET_IN_CATALOGS, "every staff text lives in the catalogs: keep it so"
    assert literal_texts_shown(source) == [], f"{relative}: move these texts to the catalogs"


def test_the_staff_desk_speaks_from_the_catalogs() -> None:
    """The desk, the card, the enrolment, alerts, menus: no text of theirs is in code."""
    desk = [
        "bot/enrol/one_line.py",
        "bot/enrol/guided.py",
        "bot/desk/agenda.py",
        "bot/desk/card.py",
        "bot/desk/actions.py",
        "bot/enrol/invite.py",
        "bot/desk/card_view.py",
        "bot/desk/texts.py",
        "bot/enrol/questions.py",
        "bot/desk/alerts.py",
        "bot/common/menus.py",
        "bot/common/access.py",
    ]
    for relative in desk:
        source = ROOT.joinpath(relative).read_text(encoding="utf-8")
        assert relative not in NOT_YET_IN_CATALOGS
        assert literal_texts_shown(source) == [], relative
        assert not re.search(r'^[A-Z_]+ = \(?\s*"[A-Z][a-z]+ ', source, re.M), relative


# The command line's output goes to a terminal, not through a call the scan above knows, so its
# modules get the strict scan: no string with a letter in it at all, except catalog keys, format
# specs and these machine strings, each of which no person reads as a sentence.
CLI_MACHINE_STRINGS: dict[str, frozenset[str]] = {
    "bot/cli/check.py": frozenset(
        {
            "ok",  # the verdicts: scripts and the container's health check read them
            "FAILED",
            "WARN",
            "en",  # the language without settings
            "UTC",
            "http://127.0.0.1:8081",  # an example URL, the same in every language
            "/bot",
            "proxy",  # a placeholder's name
            "_proxy",  # a catalog key's ending
            "_bale",  # a catalog key's ending: the Bale channel's texts
            "PRAGMA integrity_check",
            "SELECT count(*) FROM care_messages WHERE state = 'pending'",
        }
    ),
    "bot/cli/preview.py": frozenset({"fa", "%H:%M", "Sara Ahmadi"}),  # the sample name: --name
}
CATALOG_KEY = re.compile(r"[a-z_]+(\.[a-z_]*)+")


def strings_with_words(source: str) -> list[tuple[int, str]]:
    """(line, string) for each string constant with a letter in it that is not a docstring,
    a format spec or a catalog key (or the start of one, as in f"answers.{answer}")."""
    tree = ast.parse(source)
    skipped: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            skipped.add(id(body[0].value))  # a docstring, or a lone string doing nothing
        if isinstance(node, ast.FormattedValue) and node.format_spec is not None:
            skipped |= {id(inner) for inner in ast.walk(node.format_spec)}
    return sorted(
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in skipped
        and any(unicodedata.category(ch).startswith("L") for ch in node.value)
        and not CATALOG_KEY.fullmatch(node.value)
    )


@pytest.mark.parametrize("relative", sorted(CLI_MACHINE_STRINGS))
def test_the_command_line_says_nothing_of_its_own(relative: str) -> None:
    """check's and preview's output is the catalog's [check] and [preview], in either language."""
    assert relative not in NOT_YET_IN_CATALOGS
    source = ROOT.joinpath(relative).read_text(encoding="utf-8")
    found = [text for _, text in strings_with_words(source)]
    assert set(found) <= CLI_MACHINE_STRINGS[relative], f"{relative}: move these to the catalogs"


def test_the_strict_scan_finds_a_sentence_anywhere() -> None:
    source = (
        '"""Module docstring."""\n'
        "def token(via, age):\n"
        '    """A docstring."""\n'
        '    say(f"check.token_ok{via}", age=f"{age:.1f}")\n'
        '    return Finding(Verdict.OK, "token", f"Telegram knows it{via}")\n'
    )
    assert [text for _, text in strings_with_words(source)] == ["Telegram knows it", "token"]


def test_the_scan_covers_the_patient_modules() -> None:
    scanned = {str(p.relative_to(ROOT)) for p in SOURCES}
    patient_side = {
        "bot/patient/start.py",
        "bot/patient/answers.py",
        "bot/patient/commands.py",
        "bot/patient/language.py",
        "bot/patient/stop.py",
        "bot/common/fallback.py",
        "bot/common/patient_view.py",
        "bot/app.py",
        "jobs/compose.py",
    }
    assert patient_side <= scanned
    staff = {p for p in scanned if is_staff_module(p, ROOT.joinpath(p).read_text("utf-8"))}
    assert not staff & patient_side
    assert {"bot/enrol/one_line.py", "bot/desk/journey.py"} <= staff


# --- the checks themselves catch what they are for ------------------------------------------

BAD_HANDLER = """
async def hello(update, context):
    await update.effective_message.reply_text("Welcome back!")
    await context.bot.send_message(chat_id, f"Your session is at {when}")
    await query.answer(text="Thanks")
    button = InlineKeyboardButton("Yes", callback_data="x")
"""
FINE_HANDLER = """
STAFF_HELP = "module-level names are reviewed by hand"

async def hello(update, context):
    await update.effective_message.reply_text(say(services, lang, "patient.help"))
    await context.bot.send_message(chat_id, f"{text}\\n\\n{prompt}")
    await query.answer()
    button = InlineKeyboardButton(f"✓ {label}", callback_data="ans:1:understood")
    await update.effective_message.reply_text(STAFF_HELP)
"""


def test_the_scan_finds_literal_texts() -> None:
    found = [text for _, text in literal_texts_shown(BAD_HANDLER)]
    assert found == ["'Welcome back!'", "f'Your session is at {when}'", "'Thanks'", "'Yes'"]
    assert literal_texts_shown(FINE_HANDLER) == []


def test_a_module_guarded_for_staff_may_speak_english() -> None:
    staff = "from bot.access import staff_only\n" + BAD_HANDLER
    assert is_staff_module("bot/desk/actions.py", staff)
    assert not is_staff_module("bot/desk/actions.py", BAD_HANDLER)


def test_persian_is_found() -> None:
    assert ARABIC_SCRIPT.search('reply_text("سلام")')
    assert ARABIC_SCRIPT.search("x = 'ي'")  # Arabic yeh
    assert not ARABIC_SCRIPT.search('reply_text("Hello — ✓")')
