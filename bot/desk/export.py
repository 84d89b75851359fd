"""/export: the clinic's records as a CSV file, for the admin, in a private chat."""

from __future__ import annotations

import logging

from telegram import InputFile, Update

from bot.common.access import actor, admin_only
from bot.common.staff_language import staff_voice
from bot.services import CareContext
from care.desk.export import HEADER, export_audited

log = logging.getLogger(__name__)


@admin_only
async def export(update: Update, context: CareContext) -> None:
    """Send the CSV of patients, appointments and care messages; the export is audited."""
    message, chat = update.effective_message, update.effective_chat
    assert message is not None and chat is not None
    voice = await staff_voice(update, context)
    if chat.type != chat.PRIVATE:
        await message.reply_text(voice("export.private_only"))
        return
    services = context.services
    now = services.clock.now()
    content = await services.db.run(
        export_audited,
        services.settings.timezone,
        actor=actor(update),
        now=now,
        titles={name: voice(f"export.column_{name}") for name in HEADER},
        yes_no=(voice("export.yes"), voice("export.no")),
    )
    local = now.astimezone(services.settings.timezone)
    name = f"mesocare-export-{local:%Y%m%d-%H%M}.csv"
    log.info("export of %d bytes sent", len(content))
    await message.reply_document(
        InputFile(content, filename=name),
        caption=voice("export.caption"),
    )
