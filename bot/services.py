"""Everything a handler needs, built once in the composition root."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from telegram.ext import Application, BaseHandler, CallbackContext, ExtBot, JobQueue

from bot.settings import Settings
from care.content.catalog import Catalog
from care.core.channels import TELEGRAM
from care.core.clock import Clock
from care.db.worker import Database
from care.people.invite_attempts import FailedAttempts
from care.schedule.awake import AwakePatients
from care.schedule.plan import CarePlan
from jobs.channels.base import Channels
from jobs.compose import Composer
from jobs.delivery import Dispatcher
from jobs.retry import RetryPolicy
from jobs.wakeup import Wake

if TYPE_CHECKING:  # the alerts need the services: a type only, to keep this module a leaf
    from bot.common.outages import OutageWatch
    from bot.desk.alerts import StaffAlerts


@dataclass
class Services:
    settings: Settings
    db: Database
    catalog: Catalog
    plan: CarePlan
    composer: Composer
    clock: Clock
    # Telegram first, then Bale if set (jobs/channels): transport, pace and health of each.
    channels: Channels
    # The application serving each channel's updates, by channel name; the first is the main
    # one (it opens the database and runs the sender).
    apps: dict[str, CareApp] = field(default_factory=dict)
    dispatcher: Dispatcher | None = None
    wake: Wake | None = None  # the sender's clock (jobs.wakeup), from post_init
    alerts: StaffAlerts | None = None
    outages: OutageWatch | None = None  # tells staff of a channel down for long, and back
    background: set[asyncio.Task[object]] = field(default_factory=set)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    invite_failures: FailedAttempts = field(default_factory=FailedAttempts)
    # Patients who just linked or wrote: quiet hours do not hold their messages (care.awake).
    awake: AwakePatients = field(default_factory=AwakePatients)

    def bot_of(self, channel: str | None) -> ExtBot[None] | None:
        """The bot that writes on `channel`, if the bot serves that channel now."""
        app = self.apps.get(channel or "")
        return app.bot if app is not None else None

    def admin_ids(self, channel: str) -> frozenset[int]:
        return self.settings.admin_ids_on(channel)

    def staff_chat_id(self, channel: str) -> int | None:
        return self.settings.staff_chat_on(channel)

    def schedule_changed(self) -> None:
        """An enrolment, a link, a change at the desk: the sender looks again now."""
        if self.wake is not None:
            self.wake.poke()

    def alert_raised(self) -> None:
        """An alert was stored: send it to staff now rather than at the next tick."""
        if self.alerts is None:
            return
        task: asyncio.Task[object] = asyncio.create_task(self.alerts.flush())
        self.background.add(task)
        task.add_done_callback(self.background.discard)

    async def drain_background(self) -> None:
        """Wait for the staff alerts still being sent (at shutdown)."""
        while self.background:
            running = list(self.background)
            await asyncio.gather(*running, return_exceptions=True)
            self.background.difference_update(running)


class CareContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """The handler context, with the services typed."""

    @property
    def services(self) -> Services:
        services: Services = self.bot_data["services"]
        return services

    @property
    def channel(self) -> str:
        """The channel this update came from ("telegram", "bale")."""
        return str(self.bot_data.get("channel", TELEGRAM))


CareApp = Application[
    ExtBot[None], CareContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], JobQueue[CareContext]
]
# What a feature package's handlers() returns: any update, our context, any result.
Handler = BaseHandler[Any, CareContext, Any]
