"""/export: the clinic's records as a CSV file, for the admin, in a private chat."""

from __future__ import annotations

import logging

from telegram import InputFile, Update

from bot.common.access import actor, admin_only
from bot.services import CareContext
from care.desk.export import export_audited

log = logging.getLogger(__name__)

PRIVATE_ONLY = "The export holds every patient's health data: ask for it in a private chat with me."


@admin_only
async def export(update: Update, context: CareContext) -> None:
    """Send the CSV of patients, appointments and care messages; the export is audited."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    if chat.type != chat.PRIVATE:
        await message.reply_text(PRIVATE_ONLY)
        return
    services = context.services
    now = services.clock.now()
    content = await services.db.run(
        export_audited, services.settings.timezone, actor=actor(update), now=now
    )
    local = now.astimezone(services.settings.timezone)
    name = f"mesocare-export-{local:%Y%m%d-%H%M}.csv"
    log.info("export of %d bytes sent", len(content))
    await message.reply_document(
        InputFile(content, filename=name),
        caption="Patients, appointments and care messages (UTF-8 CSV, clinic time). "
        "It contains health data: keep it safe and delete it when done.",
    )
