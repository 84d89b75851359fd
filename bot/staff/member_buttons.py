"""The buttons under /staff: `staff:invite`, `staff:remove:<channel>:<user>` (asks),
`staff:removeok:<channel>:<user>` (confirmed), `staff:keep`. Each kind has its own pattern for
its handler; ANY catches a `staff:` button none of them matches (it was not made here).

A user id is a number on one messenger, so a remove button names the messenger too. Buttons
sent before there were channels (`staff:remove:<user>`, still in chats) name a Telegram user;
only the messengers the bot knows are read, anything else is not a remove button."""

from __future__ import annotations

import re
from dataclasses import dataclass

from care.core.channels import TELEGRAM
from jobs.channels.bale import BALE

INVITE = "staff:invite"
KEEP = "staff:keep"
INVITE_PATTERN = rf"^{INVITE}$"
KEEP_PATTERN = rf"^{KEEP}$"
_CHANNEL = rf"(?:({TELEGRAM}|{BALE}):)?"
REMOVE_PATTERN = rf"^staff:remove:{_CHANNEL}[0-9]{{1,15}}$"
REMOVE_CONFIRMED_PATTERN = rf"^staff:removeok:{_CHANNEL}[0-9]{{1,15}}$"
ANY = r"^staff:"
_MEMBER = re.compile(rf"^staff:(?:remove|removeok):{_CHANNEL}([0-9]{{1,15}})$")


@dataclass(frozen=True)
class Member:
    """Whom a remove button names: a user id on a messenger."""

    channel: str
    user_id: int


def remove(member: Member) -> str:
    return f"staff:remove:{member.channel}:{member.user_id}"


def remove_confirmed(member: Member) -> str:
    return f"staff:removeok:{member.channel}:{member.user_id}"


def member_of(data: str | None) -> Member | None:
    """The staff member a remove button names; None for anything else."""
    match = _MEMBER.match(data or "")
    return Member(match[1] or TELEGRAM, int(match[2])) if match else None
