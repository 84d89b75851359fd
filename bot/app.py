"""The composition root: builds the application and wires every piece together."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ContextTypes,
)
from telegram.request import BaseRequest

from bot import common, desk, enrol, patient, staff
from bot.common.menus import show_patient_menus, show_staff_menus
from bot.common.patient_view import say
from bot.common.staff_language import app_language
from bot.desk.alerts import StaffAlerts
from bot.lifecycle import CareApplication
from bot.services import CareApp, CareContext, Services
from bot.settings import Settings
from care.alerts.invite_watch import raise_invites_not_opened
from care.content.catalog import (
    DEFAULT_MESSAGES_DIR,
    Catalog,
    check_against_defaults,
    check_catalog,
    load_catalog,
)
from care.core.clock import Clock, SystemClock
from care.db.worker import Database
from care.schedule.plan import CarePlan
from care.schedule.protocol import CareProtocol, load_protocol
from jobs.channels.health import ChannelHealth, HealthState
from jobs.channels.telegram import PatientBot, telegram_bot
from jobs.compose import Clinic, Composer
from jobs.delivery import Dispatcher
from jobs.heartbeat import Heartbeat
from jobs.pacing import Pacer, TelegramLimits
from jobs.retry import RetryPolicy
from jobs.transport import TelegramTransport
from jobs.wakeup import DeliveryClock

log = logging.getLogger(__name__)


def load_care(settings: Settings) -> tuple[CareProtocol, Catalog]:
    """Read and check the protocol and the message files; raise on the first mistake."""
    return load_care_files(settings.protocol_path, settings.messages_dir)


def load_care_files(protocol_path: Path, messages_dir: Path) -> tuple[CareProtocol, Catalog]:
    protocol = load_protocol(protocol_path)
    catalog = load_catalog(messages_dir)
    check_catalog(catalog, protocol)
    check_against_defaults(catalog, load_catalog(DEFAULT_MESSAGES_DIR))
    return protocol, catalog


def build_application(
    settings: Settings,
    *,
    protocol: CareProtocol,
    catalog: Catalog,
    clock: Clock | None = None,
    retry: RetryPolicy | None = None,
    pacer: Pacer | None = None,
    requests: Callable[[], BaseRequest] | None = None,
) -> CareApp:
    """The application `python -m bot` runs. Tests pass a pacer on virtual time and `requests`,
    a factory of in-process request objects that record and answer the bot's calls."""
    pacer = pacer or Pacer()
    health = ChannelHealth("Telegram")
    bot = telegram_bot(
        settings.token,
        health=health,
        api_root=settings.api_base_url,
        proxy=settings.telegram_proxy,
        timeout=settings.request_timeout,
        # Every message the bot sends shares one pace; retries are the sender's to decide.
        rate_limiter=TelegramLimits(pacer),
        requests=requests,
    )
    builder = (
        ApplicationBuilder()
        .application_class(CareApplication)
        .bot(bot)
        .context_types(ContextTypes(context=CareContext))
        .post_init(_open)
        .post_shutdown(_close)
    )
    application: CareApp = builder.build()  # type: ignore[assignment]
    clinic = Clinic(
        settings.clinic_name,
        settings.clinic_phone,
        settings.clinic_address,
        settings.emergency_phone,
    )
    application.bot_data["services"] = Services(
        settings=settings,
        db=Database(settings.database_path),
        catalog=catalog,
        plan=CarePlan(protocol, settings.timezone, settings.quiet_hours, settings.working_time),
        composer=Composer(catalog, protocol, clinic, settings.timezone),
        clock=clock or SystemClock(),
        pacer=pacer,
        retry=retry or RetryPolicy(),
        telegram_health=health,
    )
    _register_handlers(application)
    return application


def _register_handlers(application: CareApp) -> None:
    """One ordered list: the first handler in group 0 that matches an update takes it."""
    application.add_handlers(
        [
            *staff.joining(),  # /start staff_<token> (before a patient's token), bare /start
            *patient.starting(),  # /start <token>
            *enrol.handlers(),  # the guided /enrol before the one-line form
            *desk.handlers(),
            *staff.handlers(),
            *patient.handlers(),
            *common.catch_alls(),  # last: anything nothing above recognised
        ]
    )
    application.add_handler(common.awake_watch(), group=-2)
    application.add_handler(desk.typed_answers(), group=-1)
    application.add_error_handler(_on_error)


async def _open(application: Application) -> None:  # type: ignore[type-arg]
    services: Services = application.bot_data["services"]
    await services.db.open()
    alerts = StaffAlerts(
        application.bot, services.db, services.settings, services.clock, services.catalog
    )
    services.alerts = alerts
    dispatcher = Dispatcher(
        db=services.db,
        transport=TelegramTransport(application.bot),
        composer=services.composer,
        plan=services.plan,
        clock=services.clock,
        pacer=services.pacer,
        on_alert=services.alert_raised,
        retry=services.retry,
        on_progress=Heartbeat(services.settings.heartbeat_path).beat,
        awake=services.awake,
        health=services.telegram_health,
        window=services.settings.send_window,
    )
    await dispatcher.recover()
    assert application.job_queue is not None
    services.dispatcher = dispatcher
    wake = DeliveryClock(
        application.job_queue,
        dispatcher,
        services.settings.poll_seconds,
        checks_then_alerts(services, alerts),
    )
    wake.start()
    services.wake = wake
    services.telegram_health.on_change(lambda state: _poke_when_back(services, state))
    if isinstance(application.bot, PatientBot) and application.bot.identified:
        await show_menus(application)  # otherwise once Telegram answers (bot/runner.py)
    log.info("ready: database %s, next delivery check armed", services.settings.database_path.name)


async def show_menus(application: Application) -> None:  # type: ignore[type-arg]
    """The command menus: housekeeping, never in the way of starting."""
    services: Services = application.bot_data["services"]
    await show_patient_menus(application.bot, services.catalog)
    await show_staff_menus(application.bot, services.settings, services.db, services.catalog)


def _poke_when_back(services: Services, state: HealthState) -> None:
    """The network is back: what waited for it goes now, not at its next planned try."""
    if state.reachable:
        services.schedule_changed()


def checks_then_alerts(services: Services, alerts: StaffAlerts) -> Callable[[], Awaitable[int]]:
    """After each delivery run: raise the alerts the schedule itself implies, then send every
    stored alert."""

    async def after_delivery() -> int:
        await services.db.run(raise_invites_not_opened, services.clock.now())
        return await alerts.flush()

    return after_delivery


async def _close(application: Application) -> None:  # type: ignore[type-arg]
    services: Services = application.bot_data["services"]
    await services.drain_background()
    await services.db.close()


async def _on_error(update: object, context: CareContext) -> None:
    log.error("error while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_message is not None:
        services = context.services
        user = update.effective_user
        is_admin = user is not None and user.id in services.settings.admin_ids
        # The admin's Telegram app language: their stored choice is in the database, which
        # may be what just failed.
        text = (
            say(services, app_language(services, user.language_code), "errors.staff")
            if is_admin and user is not None
            else say(services, services.settings.default_language, "patient.error")
        )
        try:
            await update.effective_message.reply_text(text)
        except TelegramError as error:  # e.g. the reply itself hit a rate limit
            log.warning("could not tell the user about the error: %s", error)
