"""/invite <patient id>: a fresh invite link and QR code; the earlier link stops working."""

from __future__ import annotations

import logging

from telegram import Update

from bot.common.access import actor, staff_only
from bot.common.invite_qr import invite_links, links_text, send_qrs
from bot.common.record_ids import record_id_or_ask
from bot.common.staff_language import staff_voice
from bot.enrol.announce import invite_text, qr_caption
from bot.services import CareContext
from care.people.invites import InviteOutcome, reissue_invite

log = logging.getLogger(__name__)


@staff_only
async def invite(update: Update, context: CareContext) -> None:
    """Issue a new invite for a patient and send it with its QR code."""
    assert update.effective_message is not None and update.effective_chat is not None
    voice = await staff_voice(update, context)
    patient_id = await record_id_or_ask(
        update.effective_message, context.args, voice("enrol.invite_usage")
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
            voice("enrol.invite_no_patient", patient_id=patient_id)
        )
        return
    if result.outcome is InviteOutcome.ERASED:
        await update.effective_message.reply_text(
            voice("enrol.invite_erased", patient_id=patient_id)
        )
        return
    assert result.patient is not None and result.expires_at is not None
    log.info("new invite for patient %d", patient_id)
    links = invite_links(services.channels, result.token)
    lines = [
        voice("enrol.new_invite", patient_name=result.patient.full_name, patient_id=patient_id),
        invite_text(voice, links_text(voice, links), result.expires_at),
    ]
    if result.patient.chat_id is not None:
        lines.append(voice("enrol.invite_linked_note"))
    await update.effective_message.reply_text("\n\n".join(lines), disable_web_page_preview=True)
    await send_qrs(
        context.bot,
        update.effective_chat.id,
        voice,
        links,
        qr_caption(voice, result.patient.full_name, patient_id),
    )
