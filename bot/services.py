"""Everything a handler needs, built once in the composition root."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from bot.settings import Settings
from care.catalog import Catalog
from care.clock import Clock
from care.db.worker import Database
from care.enrolment import CarePlan
from jobs.compose import Composer
from jobs.delivery import Dispatcher
from jobs.wakeup import DeliveryClock


@dataclass
class Services:
    settings: Settings
    db: Database
    catalog: Catalog
    plan: CarePlan
    composer: Composer
    clock: Clock
    dispatcher: Dispatcher | None = None
    delivery_clock: DeliveryClock | None = None

    @property
    def delivery(self) -> DeliveryClock:
        assert self.delivery_clock is not None, "delivery starts in post_init"
        return self.delivery_clock


class CareContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """The handler context, with the services typed."""

    @property
    def services(self) -> Services:
        services: Services = self.bot_data["services"]
        return services


CareApp = Application[
    ExtBot[None], CareContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], JobQueue[CareContext]
]
