"""/invite <patient id>: a fresh invite link and QR code; the earlier link stops working."""

from __future__ import annotations

import logging

from telegram import Update

from bot.access import actor, staff_only
from bot.handlers.enrol import invite_text, qr_caption
from bot.invite_qr import invite_link, send_qr
from bot.record_ids import record_id_or_ask
from bot.services import CareContext
from care.enrolment import InviteOutcome, reissue_invite

log = logging.getLogger(__name__)


@staff_only
async def invite(update: Update, context: CareContext) -> None:
    """Issue a new invite for a patient and send it with its QR code."""
    assert update.effective_message is not None and update.effective_chat is not None
    patient_id = await record_id_or_ask(
        update.effective_message,
        context.args,
        "Which patient? Send /invite followed by the patient's number, e.g. /invite 12 "
        "(the enrolment message shows it).",
    )
    if patient_id is None:
        return
    services = context.services
    result = await services.db.run(
        reissue_invite,
        patient_id,
        actor=actor(update),
        invite_days=services.settings.invite_days,
        now=services.clock.now(),
    )
    if result.outcome is InviteOutcome.NOT_FOUND:
        await update.effective_message.reply_text(
            f"There is no patient #{patient_id}. Check the number and try again."
        )
        return
    if result.outcome is InviteOutcome.ERASED:
        await update.effective_message.reply_text(
            f"Patient #{patient_id} has been erased, so no invite can be made for them."
        )
        return
    assert result.patient is not None and result.expires_at is not None
    log.info("new invite for patient %d", patient_id)
    link = invite_link(context.bot.username, result.token)
    lines = [
        f"New invite for {result.patient.full_name} (patient #{patient_id}); "
        "their earlier unused link no longer works.",
        invite_text(link, result.expires_at, context),
    ]
    if result.patient.chat_id is not None:
        lines.append(
            "Note: this patient is already connected on Telegram; "
            "the new link opens only from that same account."
        )
    await update.effective_message.reply_text("\n\n".join(lines), disable_web_page_preview=True)
    await send_qr(
        context.bot,
        update.effective_chat.id,
        link,
        qr_caption(result.patient.full_name, patient_id),
    )
