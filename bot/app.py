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

from bot import common, desk, enrol, patient, relay, staff
from bot.common.access import linked_patient
from bot.common.menus import show_patient_menus, show_staff_menus
from bot.common.outages import OutageWatch
from bot.common.patient_view import say
from bot.common.staff_language import app_language
from bot.desk.alerts import StaffAlerts
from bot.lifecycle import CareApplication
from bot.relay.rounds import after_delivery
from bot.relay.staff_chat import warn_if_staff_chat_open
from bot.services import CareApp, CareContext, Services
from bot.settings import BaleSettings, Settings
from care.alerts.invite_watch import raise_invites_not_opened
from care.content.catalog import (
    DEFAULT_MESSAGES_DIR,
    Catalog,
    check_against_defaults,
    check_catalog,
    load_catalog,
)
from care.core.channels import TELEGRAM
from care.core.clock import Clock, SystemClock
from care.db.worker import Database
from care.schedule.plan import CarePlan
from care.schedule.protocol import CareProtocol, load_protocol
from jobs.channels.bale import BALE, bale_bot, bale_channel
from jobs.channels.base import Channel, Channels
from jobs.channels.health import ChannelHealth, HealthState
from jobs.channels.telegram import PatientBot, telegram_bot, telegram_channel
from jobs.compose import Clinic, Composer
from jobs.delivery import Dispatcher
from jobs.heartbeat import Heartbeat
from jobs.pacing import Pacer, TelegramLimits
from jobs.retry import RetryPolicy
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
    pacers: Callable[[float], Pacer] | None = None,
    requests: Callable[[str], BaseRequest] | None = None,
) -> CareApp:
    """The main application (Telegram's); with Bale set, a second one for Bale that shares
    its services, database and sender (`services.apps`), serving the same handlers.

    Tests pass `pacers`, which makes each channel's pacer (on virtual time) from its rate, and
    `requests`, which makes an in-process request object, recording and answering the calls of
    the channel it is given."""
    make_pacer = pacers or (lambda per_second: Pacer(per_second=per_second))
    channels = [_telegram(settings, make_pacer, requests)]
    if settings.bale is not None:
        channels.append(_bale(settings.bale, settings.request_timeout, make_pacer, requests))
    main = _application(channels[0][0], main=True)
    apps = {TELEGRAM: main}
    for bot, _channel in channels[1:]:
        apps[bot.channel] = _application(bot, main=False)
    clinic = Clinic(
        settings.clinic_name,
        settings.clinic_phone,
        settings.clinic_address,
        settings.emergency_phone,
    )
    services = Services(
        settings=settings,
        db=Database(settings.database_path),
        catalog=catalog,
        plan=CarePlan(protocol, settings.timezone, settings.quiet_hours, settings.working_time),
        composer=Composer(catalog, protocol, clinic, settings.timezone),
        clock=clock or SystemClock(),
        channels=Channels([channel for _bot, channel in channels]),
        apps=apps,
        retry=retry or RetryPolicy(),
    )
    for name, application in apps.items():
        application.bot_data["services"] = services
        application.bot_data["channel"] = name
        _register_handlers(application)
    return main


def _telegram(
    settings: Settings,
    pacers: Callable[[float], Pacer],
    requests: Callable[[str], BaseRequest] | None,
) -> tuple[PatientBot, Channel]:
    pacer = pacers(settings.telegram_per_second)
    health = ChannelHealth("Telegram")
    bot = telegram_bot(
        settings.token,
        health=health,
        api_root=settings.api_base_url,
        proxy=settings.telegram_proxy,
        timeout=settings.request_timeout,
        # Every message the bot sends shares one pace; retries are the sender's to decide.
        rate_limiter=TelegramLimits(pacer),
        requests=_for(TELEGRAM, requests),
    )
    return bot, telegram_channel(bot, health, pacer)


def _bale(
    bale: BaleSettings,
    timeout: float,
    pacers: Callable[[float], Pacer],
    requests: Callable[[str], BaseRequest] | None,
) -> tuple[PatientBot, Channel]:
    pacer = pacers(bale.per_second)
    health = ChannelHealth("Bale")
    bot = bale_bot(
        bale.token,
        health=health,
        api_root=bale.api_base_url,
        timeout=timeout,
        rate_limiter=TelegramLimits(pacer),
        requests=_for(BALE, requests),
    )
    return bot, bale_channel(bot, health, pacer)


def _for(
    channel: str, requests: Callable[[str], BaseRequest] | None
) -> Callable[[], BaseRequest] | None:
    """The request factory of one channel's bot, when the tests give one."""
    if requests is None:
        return None
    return lambda: requests(channel)


def _application(bot: PatientBot, *, main: bool) -> CareApp:
    """The main application opens the database and runs the sender (post_init) and closes
    them (post_shutdown); another channel's only serves its updates."""
    builder = (
        ApplicationBuilder()
        .application_class(CareApplication)
        .bot(bot)
        .context_types(ContextTypes(context=CareContext))
    )
    if main:
        builder = builder.post_init(_open).post_shutdown(_close)
    application: CareApp = builder.build()  # type: ignore[assignment]
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
            *relay.handlers(),  # a patient's words to the clinic, staff answers, alert owners
            *common.catch_alls(),  # last: anything nothing above recognised
        ]
    )
    application.add_handler(common.awake_watch(), group=-2)
    application.add_handler(desk.typed_answers(), group=-1)
    application.add_error_handler(_on_error)


async def _open(application: Application) -> None:  # type: ignore[type-arg]
    services: Services = application.bot_data["services"]
    await services.db.open()
    alerts = StaffAlerts(services)
    services.alerts = alerts
    services.outages = OutageWatch(services.channels, services.clock, alerts.tell)
    dispatcher = Dispatcher(
        db=services.db,
        channels=services.channels,
        composer=services.composer,
        plan=services.plan,
        clock=services.clock,
        on_alert=services.alert_raised,
        retry=services.retry,
        on_progress=Heartbeat(services.settings.heartbeat_path).beat,
        awake=services.awake,
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
    for channel in services.channels:
        channel.health.on_change(lambda state: _poke_when_back(services, state))
    for each in services.apps.values():
        if isinstance(each.bot, PatientBot) and each.bot.identified:
            await show_menus(each)  # otherwise once its messenger answers (bot/runner.py)
    log.info("ready: database %s, next delivery check armed", services.settings.database_path.name)


async def show_menus(application: Application) -> None:  # type: ignore[type-arg]
    """The staff chat's privacy (bot/relay/staff_chat.py), then the command menus:
    housekeeping, never in the way of starting. A channel without them
    (Bale) is not asked: it would answer 404, which python-telegram-bot takes for a refused
    token."""
    services: Services = application.bot_data["services"]
    name = str(application.bot_data.get("channel", TELEGRAM))
    await warn_if_staff_chat_open(application.bot, services, name)
    channel = services.channels.get(name)
    if channel is not None and not channel.command_menus:
        log.info("%s has no command menus; skipped", channel.name)
        return
    await show_patient_menus(application.bot, services.catalog)
    await show_staff_menus(application.bot, services.settings, services.db, services.catalog, name)


def _poke_when_back(services: Services, state: HealthState) -> None:
    """The network is back: what waited for it goes now, not at its next planned try."""
    if state.reachable:
        services.schedule_changed()


def checks_then_alerts(services: Services, alerts: StaffAlerts) -> Callable[[], Awaitable[int]]:
    """After each delivery run: raise the alerts the schedule itself implies, send every
    stored alert, then escalate untaken urgent ones and send the morning sheet when due."""

    async def after_each_run() -> int:
        await services.db.run(raise_invites_not_opened, services.clock.now())
        if services.outages is not None:
            await services.outages.check()
        sent = await alerts.flush()
        await after_delivery(services)
        return sent

    return after_each_run


async def _close(application: Application) -> None:  # type: ignore[type-arg]
    services: Services = application.bot_data["services"]
    await services.drain_background()
    await services.db.close()


async def _on_error(update: object, context: CareContext) -> None:
    log.error("error while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_message is not None:
        services = context.services
        user = update.effective_user
        is_admin = user is not None and user.id in services.admin_ids(context.channel)
        # The admin's Telegram app language: their stored choice is in the database, which
        # may be what just failed.
        text = (
            say(services, app_language(services, user.language_code), "errors.staff")
            if is_admin and user is not None
            else say(services, await _patient_language(update, context), "patient.error")
        )
        try:
            await update.effective_message.reply_text(text)
        except TelegramError as error:  # e.g. the reply itself hit a rate limit
            log.warning("could not tell the user about the error: %s", error)


async def _patient_language(update: Update, context: CareContext) -> str:
    """The language a patient chose, else their Telegram app's, else the clinic's: the
    database may be what just failed, so asking it may fail too."""
    language_code = update.effective_user.language_code if update.effective_user else None
    try:
        patient = await linked_patient(update, context)
    except Exception:  # the error being reported may be the database's
        log.warning("could not look up who met the error; answering in their app's language")
        patient = None
    if patient is not None:
        return patient.language
    return app_language(context.services, language_code)
