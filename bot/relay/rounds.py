"""What the delivery clock does after each run, besides alerts (bot/app.py): urgent alerts
nobody took go to the admins, and the morning sheet goes out once a working day.

Both ride on the sender's clock (jobs/wakeup.py) rather than a daily JobQueue job: it already
runs at least every POLL_SECONDS on the injected clock, so a test moves a fake clock and a bot
that was down at opening catches up at its first run, with no second timer to keep in step.
"""

from __future__ import annotations

import logging

from telegram.error import TelegramError

from bot.common.staff_language import voice_in
from bot.desk import alert_buttons
from bot.relay.morning_view import render_sheet
from bot.relay.ownership import alert_text
from bot.relay.posting import post_to_staff
from bot.services import Services
from care.alerts import morning
from care.alerts.escalation import claim_escalations
from care.alerts.posts import record_post
from care.people.staffing import language_of

log = logging.getLogger(__name__)


async def after_delivery(services: Services) -> None:
    await escalate(services)
    if services.settings.morning_sheet:
        await send_morning_sheet(services)


async def escalate(services: Services) -> int:
    """Send each urgent alert left unowned for 15 working minutes to every admin on every
    channel (ADMIN_IDS on Telegram, BALE_ADMIN_IDS on Bale), once."""
    settings = services.settings
    due = await services.db.run(claim_escalations, services.clock.now(), settings.working_time)
    for alert in due:
        log.info("alert %d untaken: escalated to the admins", alert.id)
        for channel, admin in _admins(services):
            bot = services.bot_of(channel)
            if bot is None:
                continue
            lang = await services.db.run(language_of, admin, channel) or settings.staff_language
            voice = voice_in(services, lang)
            text = voice("ownership.escalated", text=await alert_text(services, voice, alert))
            markup = alert_buttons.keyboard(
                voice, alert.id, alert.patient_id, action=alert_buttons.OwnerAction.TAKE
            )
            try:
                sent = await bot.send_message(admin, text, reply_markup=markup)
            except TelegramError as error:
                log.error("could not escalate alert %d to admin %d: %s", alert.id, admin, error)
                continue
            await services.db.run(record_post, channel, admin, sent.message_id, alert.id)
    return len(due)


def _admins(services: Services) -> list[tuple[str, int]]:
    return [
        (channel, admin)
        for channel in services.apps
        for admin in sorted(services.admin_ids(channel))
    ]


async def send_morning_sheet(services: Services) -> bool:
    """Today's sheet to every channel's staff, if the clinic is open and it has not gone out
    today."""
    working = services.settings.working_time
    now = services.clock.now()
    day = await services.db.run(morning.due_day, now, working)
    if day is None or not await services.db.run(morning.claim, day, now):
        return False
    sheet = await services.db.run(morning.gather, day, working)
    posted = [
        message
        for channel in services.apps
        for message in await post_to_staff(
            services, channel, lambda voice: render_sheet(voice, sheet)
        )
    ]
    if not posted:
        await services.db.run(morning.release, day)  # nobody got it: try at the next run
        return False
    log.info("morning sheet for %s sent to %d chat(s)", day.isoformat(), len(posted))
    return True
