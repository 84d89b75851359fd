"""Why a care message is in its state: one code per reason, stored as it is.

`care_messages.reason` and `message_events.reason` hold a `Reason` value, sometimes followed by
`:` and a technical detail that is never personal (the error's class, Telegram's error
description: `gave_up:TimedOut`). The staff see it in words, in their own language, from the
message catalogs (`card.reason_<code>`); the database and the export keep the code.

Databases written before the codes hold English sentences; `parse` reads the ones this program
wrote as their code, so they are translated too, and anything else comes back as free text.
"""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    PLANNED = "planned"
    RECOMPUTED = "recomputed"  # its due time was planned again (the appointment moved or ended)
    CLAIMED = "claimed"  # taken by the sender
    DELIVERED = "delivered"
    BOOKED_TOO_LATE = "booked_too_late"  # useless already when planned
    RESCHEDULED = "rescheduled"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"
    DONE_EARLY = "done_early"  # the session was marked done before the message was due
    NOT_LAST = "not_last"  # a last-session step handed over to the new last session
    STOPPED_REMINDERS = "stopped_reminders"
    ERASED = "erased"
    EXPIRED = "expired"  # still pending when it stopped being useful
    STEP_REMOVED = "step_removed"  # its step is no longer in the care protocol
    QUIET_HOURS = "quiet_hours"  # held for the morning at send time
    AWAKE = "awake"  # the patient is awake: no need to wait for the morning
    UNREACHABLE = "unreachable"  # held until the patient comes back
    UNREACHABLE_ON = "unreachable_on"  # refused on one channel, tried on another; detail: it
    MAYBE_DELIVERED = "maybe_delivered"  # may be on a channel that is down now; detail: it
    NO_CHANNEL = "no_channel"  # the patient has no chat on a channel the bot serves now
    RATE_LIMITED = "rate_limited"  # detail: the channel, when not Telegram's wait
    CHANNEL_DOWN = "channel_down"  # detail: the channel and the error
    RETRYING = "retrying"  # detail: the error
    GAVE_UP = "gave_up"  # detail: the error
    REFUSED = "refused"  # Telegram refused this message; detail: its description
    STOPPING = "stopping"  # the bot stopped before this message's turn
    INTERRUPTED = "interrupted"  # the sender stopped mid-send; sent again


_DETAIL_LENGTH = 120

# The sentences this program stored before reasons were codes (exact, or as a prefix before
# a detail), so that older databases read the same way.
_LEGACY_EXACT: dict[str, Reason] = {
    "planned": Reason.PLANNED,
    "due time recomputed": Reason.RECOMPUTED,
    "claimed for sending": Reason.CLAIMED,
    "delivered": Reason.DELIVERED,
    "rescheduled": Reason.RESCHEDULED,
    "appointment cancelled": Reason.CANCELLED,
    "patient did not come": Reason.NO_SHOW,
    "appointment done before this message was due": Reason.DONE_EARLY,
    "no longer the last session of the course": Reason.NOT_LAST,
    "the patient asked to stop these reminders": Reason.STOPPED_REMINDERS,
    "the patient's data was erased": Reason.ERASED,
    "expired before it could be sent": Reason.EXPIRED,
    "expired before sending": Reason.EXPIRED,
    "its step is no longer in the care protocol": Reason.STEP_REMOVED,
    "quiet hours": Reason.QUIET_HOURS,
    "the patient is awake; no need to wait for the morning": Reason.AWAKE,
    "patient unreachable; held until they return": Reason.UNREACHABLE,
    "Telegram rate limit": Reason.RATE_LIMITED,
    "Telegram asked us to wait; not sent yet": Reason.RATE_LIMITED,
    "the bot is stopping; not sent yet": Reason.STOPPING,
    "sender stopped mid-send; outcome unknown, sending again": Reason.INTERRUPTED,
}
_LEGACY_PREFIX: tuple[tuple[str, Reason], ...] = (
    ("booked too late: ", Reason.BOOKED_TOO_LATE),
    ("gave up: ", Reason.GAVE_UP),
    ("Telegram refused it: ", Reason.REFUSED),
)


def with_detail(reason: Reason, detail: str) -> str:
    """The stored form of a reason with a technical detail (one line, bounded)."""
    clean = " ".join(detail.split())[:_DETAIL_LENGTH]
    return f"{reason.value}:{clean}" if clean else reason.value


def parse(stored: str) -> tuple[Reason | None, str]:
    """The code and detail of a stored reason; (None, text) for free text of unknown origin."""
    code, _, detail = stored.partition(":")
    try:
        return Reason(code), detail
    except ValueError:
        pass
    if stored in _LEGACY_EXACT:
        return _LEGACY_EXACT[stored], ""
    for prefix, reason in _LEGACY_PREFIX:
        if stored.startswith(prefix):
            return reason, stored.removeprefix(prefix)
    return None, stored
