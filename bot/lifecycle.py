"""Stopping cleanly: delivery winds down before python-telegram-bot stops its job queue."""

from __future__ import annotations

from telegram.ext import Application, ExtBot, JobQueue

from bot.services import CareContext, Services


class CareApplication(
    Application[
        ExtBot[None],
        CareContext,
        dict[object, object],
        dict[object, object],
        dict[object, object],
        JobQueue[CareContext],
    ]
):
    """On SIGTERM or Ctrl-C (run_polling calls `stop`): no new delivery starts, the message
    being sent is finished and recorded, unsent claims go back to the schedule; then updates
    in progress finish, then the staff alerts they raised are sent. Only then is the database
    closed (post_shutdown), so nothing is left half-written."""

    async def stop(self) -> None:
        services = self.bot_data.get("services")
        if isinstance(services, Services) and services.wake is not None:
            await services.wake.stop()
        await super().stop()
        if isinstance(services, Services):
            await services.drain_background()
