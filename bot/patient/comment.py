"""A patient's text right after they scored their course: kept as their comment on it.
Any other text goes on (bot/relay/router.py): to the clinic from a linked patient, else the
answer everyone gets (bot/common/fallback.py)."""

from __future__ import annotations

import logging

from telegram import Update

from bot.common.patient_view import say
from bot.services import CareContext
from care.answers.satisfaction import take_comment

log = logging.getLogger(__name__)


async def took_comment(update: Update, context: CareContext) -> bool:
    """Keep the text as the comment on a score just given, and thank them; False (nothing
    kept) for any other text."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    services = context.services
    patient = await services.db.run(
        take_comment,
        chat.id,
        message.text or "",
        protocol=services.plan.protocol,
        now=services.clock.now(),
        channel=context.channel,
    )
    if patient is None:
        return False
    log.info("patient %d commented on their satisfaction answer", patient.id)
    await message.reply_text(say(services, patient.language, "satisfaction.comment_thanks"))
    return True
