"""How far ahead a session may be booked, at enrolment and at the desk alike."""

from __future__ import annotations

from datetime import timedelta

# Beyond this a typed date is far more likely a slip (a wrong year) than a real booking.
BOOKING_HORIZON = timedelta(days=400)
