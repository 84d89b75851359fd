"""The buttons under /staff: `staff:invite`, `staff:remove:<user>` (asks),
`staff:removeok:<user>` (confirmed), `staff:keep`. Each kind has its own pattern for its
handler; ANY catches a `staff:` button none of them matches (it was not made here). The
formats are the ones buttons already sent in chats carry."""

from __future__ import annotations

import re

INVITE = "staff:invite"
KEEP = "staff:keep"
INVITE_PATTERN = rf"^{INVITE}$"
KEEP_PATTERN = rf"^{KEEP}$"
REMOVE_PATTERN = r"^staff:remove:[0-9]{1,15}$"
REMOVE_CONFIRMED_PATTERN = r"^staff:removeok:[0-9]{1,15}$"
ANY = r"^staff:"
_USER = re.compile(r"^staff:(?:remove|removeok):([0-9]{1,15})$")


def remove(user_id: int) -> str:
    return f"staff:remove:{user_id}"


def remove_confirmed(user_id: int) -> str:
    return f"staff:removeok:{user_id}"


def user_of(data: str | None) -> int | None:
    """The staff member a remove button names; None for anything else."""
    match = _USER.match(data or "")
    return int(match[1]) if match else None
