"""Right-to-left text that cannot misdial: direction isolates added while a text is rendered.

A Telegram app lays out each line with the Unicode bidirectional algorithm, taking the line's
direction from its first strong letter. In a Persian line, a run of numbers separated by spaces
is laid out right to left group by group ("۰۹۱۲ ۳۴۵ ۶۷۸۹" shows as "۶۷۸۹ ۳۴۵ ۰۹۱۲"), a leading
"+" or a command's slash lands on the wrong side, and a Latin name at the start of a line turns
the whole line left to right. Wrapping such a run in an isolate (LRI or FSI ... PDI) lays it
out on its own, in its own direction, as one block of the line around it.

What is wrapped, so that nobody editing the message files has to think about it:
- in a right-to-left text, every value put into a placeholder: LRI for a phone (a placeholder
  named *phone), FSI for the rest (names, addresses, dates, times, numbers: the direction of
  its first letter, left to right without one), with the number runs inside it wrapped too;
  and, in the text's own words, each command ("/start") and each number run with separators
  or a "+" (a phone, a time), but nothing inside a link (an invite's token must stay whole);
- in a left-to-right text, a value written in a right-to-left script (a Persian name), by FSI;
- a line that begins with an isolate gets a direction mark (RLM or LRM) first, so that an app
  that does not know isolates still takes the line's direction from the text's language.

In a right-to-left text the marks around a value depend on the wording and the placeholder's
name only, never on the value (an empty one gets none), so a text stays recognisable whatever
is filled in.

Telegram still finds a wrapped command: it wants a character that is not a letter, digit or
"_" before the slash and after the name, and the isolates are format characters (category Cf).
"""

from __future__ import annotations

import re
import unicodedata

LRI = "\u2066"  # left-to-right isolate
RLI = "\u2067"  # right-to-left isolate
FSI = "\u2068"  # first-strong isolate: the direction of the first letter inside
PDI = "\u2069"  # pop directional isolate: closes the last one opened
LRM = "\u200e"
RLM = "\u200f"
OPENERS = frozenset({LRI, RLI, FSI})
_STRONG = frozenset({"L", "R", "AL"})  # bidirectional classes of letters

# Languages written right to left, by their codes in the message catalog.
RIGHT_TO_LEFT = frozenset({"ar", "fa", "he", "ur"})

# A bot command as Telegram finds it: no word character, "/", "<" or ">" on either side.
_COMMAND = r"(?<![\w/<>])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/<>])"
# Digits (any script) joined by spaces, dots, dashes, colons or slashes, or after a "+"; a
# whole number, never digits inside a word (an invite token's "G3-4a" is not a run).
_NUMBER_RUN = r"(?<!\w)\+?\d+(?:[ \u00a0.\-:/]{1,3}\d+)*(?!\w)"
# A link is left exactly as it is: a mark inside it would break it (an invite's token).
_LINK = r"https?://\S+"
_RISKY = re.compile(f"(?P<link>{_LINK})|{_COMMAND}|{_NUMBER_RUN}")


def is_right_to_left(lang: str) -> bool:
    return lang in RIGHT_TO_LEFT


def mark_runs(text: str) -> str:
    """Commands and number runs wrapped in LRI ... PDI, outside what is isolated already."""
    return "".join(
        _RISKY.sub(_wrap_risky, segment) if outside else segment
        for segment, outside in _segments(text)
    )


def isolate_value(name: str, value: str, right_to_left: bool) -> str:
    """A placeholder's value, ready to go into a text of the given direction; each line of a
    value that runs over several lines is isolated on its own (a line ends every isolate)."""
    return "\n".join(_isolate_line(name, line, right_to_left) for line in value.split("\n"))


def anchor_lines(text: str, right_to_left: bool) -> str:
    """A direction mark before each line whose first strong character is inside an isolate."""
    mark = RLM if right_to_left else LRM
    return "\n".join(mark + line if _isolate_leads(line) else line for line in text.split("\n"))


def _isolate_line(name: str, line: str, right_to_left: bool) -> str:
    if not line.strip():
        return line
    if not right_to_left and not _has_right_to_left(line):
        return line
    if name.endswith("phone"):
        return f"{LRI}{line}{PDI}"
    if not any(unicodedata.bidirectional(char) in _STRONG for char in line):
        return f"{FSI}{line}{PDI}"  # numbers alone: laid out left to right, as one block
    return f"{FSI}{mark_runs(line)}{PDI}"


def _has_right_to_left(text: str) -> bool:
    return any(unicodedata.bidirectional(char) in ("R", "AL", "AN") for char in text)


def _wrap_risky(match: re.Match[str]) -> str:
    run = match[0]
    if match["link"] is not None or run.isdecimal():
        return run
    return f"{LRI}{run}{PDI}"


def _isolate_leads(line: str) -> bool:
    for char in line:
        if char in OPENERS:
            return True
        if unicodedata.bidirectional(char) in _STRONG:
            return False
    return False


def _segments(text: str) -> list[tuple[str, bool]]:
    """The text cut into (piece, is it outside every isolate) in order."""
    pieces: list[tuple[str, bool]] = []
    depth, start = 0, 0
    for index, char in enumerate(text):
        if char in OPENERS:
            if depth == 0:
                pieces.append((text[start:index], True))
                start = index
            depth += 1
        elif char == PDI and depth > 0:
            depth -= 1
            if depth == 0:
                pieces.append((text[start : index + 1], False))
                start = index + 1
        elif char == "\n" and depth > 0:  # a line ends every isolate
            pieces.append((text[start:index], False))
            depth, start = 0, index
    pieces.append((text[start:], depth == 0))
    return pieces
