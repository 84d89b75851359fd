"""/stats: the clinic's month at a glance for the admin, as a chart, a text and a CSV file."""

from __future__ import annotations

import asyncio
import logging

from telegram import InputFile, Update

from bot.common.access import admin_only
from bot.common.staff_language import staff_voice
from bot.common.staff_voice import Voice
from bot.desk.stats_chart import draw_chart
from bot.desk.stats_text import kind_name, stats_text
from bot.services import CareContext
from care.desk.stats import calendar_for, this_and_last_month
from care.desk.stats_csv import stats_csv

log = logging.getLogger(__name__)


@admin_only
async def stats(update: Update, context: CareContext) -> None:
    """This month and the last, in the admin's calendar; the figures hold no patient's data,
    so the staff group may see them too."""
    message = update.effective_message
    assert message is not None
    voice = await staff_voice(update, context)
    services = context.services
    now = services.clock.now()
    last, this = await services.db.run(
        this_and_last_month,
        now=now,
        tz=services.settings.timezone,
        calendar=calendar_for(voice.lang),
    )
    # Drawing takes a few hundred milliseconds (and loading matplotlib a second the first
    # time): in a thread, so the sender and other chats do not wait for it.
    picture = await asyncio.to_thread(draw_chart, (last, this), voice)
    await message.reply_photo(
        InputFile(picture, filename="stats.png"),
        caption=voice("stats.caption", last=last.month, this=this.month),
    )
    await message.reply_text(stats_text(last, this, voice))
    table = stats_csv((last, this), title=lambda code: _title(code, voice), month_label=voice.show)
    local = now.astimezone(services.settings.timezone)
    await message.reply_document(
        InputFile(table, filename=f"mesocare-stats-{local:%Y%m%d}.csv"),
        caption=voice("stats.csv_caption"),
    )
    log.info("stats sent: chart of %d bytes, CSV of %d bytes", len(picture), len(table))


def _title(code: str, voice: Voice) -> str:
    figure, _, kind = code.partition(":")
    if kind:
        return voice(f"stats.column_{figure}", kind=kind_name(kind, voice))
    return voice(f"stats.column_{figure}")
