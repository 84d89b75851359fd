"""Patient-facing text built from the message catalog: nothing patient-facing is written here."""

from __future__ import annotations

from datetime import datetime

from bot.services import Services
from care.core.dates import format_date, format_time
from care.core.models import Appointment, Patient
from care.schedule.protocol import NEEDS_HUMAN
from jobs.compose import number


def appointment_list(services: Services, booked: list[Appointment], lang: str) -> str:
    tz = services.settings.timezone
    if not booked:
        return services.catalog.text(lang, "patient.no_upcoming")
    lines = []
    for appointment in booked:
        local = appointment.starts_at.astimezone(tz)
        lines.append(
            services.catalog.text(
                lang,
                "patient.appointment_line",
                appointment_date=format_date(local.date(), lang),
                appointment_time=format_time(local.time(), lang),
                session_number=number(appointment.session_number, lang),
                session_count=number(appointment.session_count, lang),
            )
        )
    return "\n".join(lines)


def welcome(services: Services, patient: Patient, booked: list[Appointment]) -> str:
    lang = patient.language
    return services.catalog.text(
        lang,
        "patient.welcome",
        **services.composer.clinic_values(),
        patient_name=patient.full_name,
        appointment_list=appointment_list(services, booked, lang),
    )


def appointments_text(services: Services, patient: Patient, booked: list[Appointment]) -> str:
    lang = patient.language
    if not booked:
        return say(services, lang, "patient.no_upcoming")
    return services.catalog.text(
        lang, "patient.appointments", appointment_list=appointment_list(services, booked, lang)
    )


def faq_question(services: Services, lang: str, topic: str) -> str:
    """The first line of a /faq answer is its question."""
    return say(services, lang, f"faq.{topic}").splitlines()[0]


def answer_reply(services: Services, lang: str, answer: str, now: datetime) -> str:
    """The reply to a recorded tap. One that needs a person, while the clinic is closed, says
    honestly when the clinic will see it and what to do until then."""
    working = services.settings.working_time
    if answer not in NEEDS_HUMAN or working.is_open(now):
        return say(services, lang, f"replies.{answer}")
    opening = working.next_opening(now).astimezone(working.tz)
    return services.catalog.text(
        lang,
        f"closed.{answer}",
        **{
            **services.composer.clinic_values(),
            "emergency_phone": services.settings.emergency_phone,
            "opening_day": format_date(opening.date(), lang),
            "opening_time": format_time(opening.time(), lang),
        },
    )


def say(services: Services, lang: str, key: str) -> str:
    """A catalog text that needs only the clinic's details."""
    return services.catalog.text(lang, key, **services.composer.clinic_values())
