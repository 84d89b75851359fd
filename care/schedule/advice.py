"""Which care instructions apply to a patient right now (/care)."""

from __future__ import annotations

from datetime import datetime, timedelta

from care.core.models import Appointment, AppointmentStatus

# The leaflet's one rule after a session: do not wash the treated area for 24 hours.
AFTER_CARE_WINDOW = timedelta(hours=24)
# How long after a session the signs that need a call to the clinic are shown again
# (infection or a late reaction shows within about two weeks; general guidance).
WARNING_SIGNS_WINDOW = timedelta(days=14)
WARNING_SIGNS = "care.warning_signs"

_HELD = (AppointmentStatus.BOOKED, AppointmentStatus.DONE)


def current_advice(appointments: list[Appointment], now: datetime) -> tuple[str, ...]:
    """The catalog keys of the instructions for `now`, in the order shown: the 24 hours after
    a session come first, then the run-up to a booked session, else general tips; the warning
    signs follow them for the two weeks after a session."""
    keys: tuple[str, ...] = (_phase(appointments, now),)
    if any(_since_end(a, now, WARNING_SIGNS_WINDOW) for a in appointments):
        keys += (WARNING_SIGNS,)
    return keys


def _phase(appointments: list[Appointment], now: datetime) -> str:
    if any(_since_end(a, now, AFTER_CARE_WINDOW) for a in appointments):
        return "care.after_24h"
    for appointment in appointments:
        if appointment.status is AppointmentStatus.BOOKED and appointment.starts_at > now:
            return "care.before"
    return "care.general"


def _since_end(appointment: Appointment, now: datetime, window: timedelta) -> bool:
    """The session was held (or is booked and should be over) and ended less than `window` ago."""
    return appointment.status in _HELD and appointment.ends_at <= now < appointment.ends_at + window
