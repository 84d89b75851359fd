"""Which care instructions apply to a patient right now (/care)."""

from __future__ import annotations

from datetime import datetime, timedelta

from care.models import Appointment, AppointmentStatus

# The leaflet's one rule after a session: do not wash the treated area for 24 hours.
AFTER_CARE_WINDOW = timedelta(hours=24)


def current_advice(appointments: list[Appointment], now: datetime) -> str:
    """The catalog key of the instructions for `now`: the 24 hours after a session come
    first, then the run-up to a booked session, else general tips."""
    for appointment in appointments:
        held = appointment.status in (AppointmentStatus.BOOKED, AppointmentStatus.DONE)
        if held and appointment.ends_at <= now < appointment.ends_at + AFTER_CARE_WINDOW:
            return "care.after_24h"
    for appointment in appointments:
        if appointment.status is AppointmentStatus.BOOKED and appointment.starts_at > now:
            return "care.before"
    return "care.general"
