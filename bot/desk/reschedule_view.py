"""A patient's request for another time as staff see it: the choices in the alert, and on the
card the choices with the free times that match, one tap each to move the session (the desk's
own Confirm button for a reschedule, so it goes through the same checks and tells the
patient)."""

from __future__ import annotations

from telegram import InlineKeyboardButton

from bot.common.staff_voice import Voice
from bot.desk import buttons as desk_buttons
from care.desk.actions import Action, Request
from care.desk.reschedule_offers import Offer
from care.schedule.day_parts import Choice

SLOTS_PER_ROW = 2


def choice_list(voice: Voice, choices: list[Choice], *, with_year: bool = True) -> str:
    """ "Sat 12 Dec 2026 · 21 Azar 1405, morning; …" in the reader's language."""
    return voice.join(
        [
            voice(
                "reschedule.choice",
                day=voice.day(choice.day, with_year=with_year),
                part=voice(f"reschedule.part_{choice.part.value}"),
            )
            for choice in choices
        ],
        "reschedule.pair",
    )


def offer_text(voice: Voice, offers: list[Offer]) -> str:
    """Each standing request: what the patient asked for, and whether any free time matches."""
    blocks = []
    for offer in offers:
        lines = [
            voice(
                "reschedule_staff.card_request",
                appointment_id=offer.appointment.id,
                asked=offer.asked_at,
                choices=choice_list(voice, offer.choices),
            ),
            voice(
                "reschedule_staff.card_slots" if offer.slots else "reschedule_staff.card_no_slots"
            ),
        ]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def offer_rows(
    voice: Voice, patient_id: int, offers: list[Offer]
) -> list[list[InlineKeyboardButton]]:
    """A button per free time: pressed, it confirms the move at once."""
    buttons = [
        InlineKeyboardButton(
            voice(
                "reschedule_staff.slot",
                appointment_id=offer.appointment.id,
                day=voice.day(slot.astimezone(voice.tz).date(), with_year=False),
                time=voice.clock(slot),
            ),
            callback_data=desk_buttons.action(
                desk_buttons.ButtonKind.CONFIRM,
                Request(Action.RESCHEDULE, patient_id, offer.appointment.id, starts_at=slot),
            ),
        )
        for offer in offers
        for slot in offer.slots
    ]
    return [buttons[i : i + SLOTS_PER_ROW] for i in range(0, len(buttons), SLOTS_PER_ROW)]
