"""The composition root: builds the application and wires every piece together."""

from __future__ import annotations

import logging

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.alerts import StaffAlerts
from bot.handlers import enrol, fallback, journey, privacy, start
from bot.lifecycle import CareApplication
from bot.services import CareApp, CareContext, Services
from bot.settings import Settings
from care.catalog import Catalog, check_catalog, load_catalog
from care.clock import Clock, SystemClock
from care.db.worker import Database
from care.enrolment import CarePlan
from care.protocol import CareProtocol, load_protocol
from jobs.compose import Clinic, Composer
from jobs.delivery import Dispatcher
from jobs.pacing import Pacer, TelegramLimits
from jobs.retry import RetryPolicy
from jobs.transport import TelegramTransport
from jobs.wakeup import DeliveryClock

log = logging.getLogger(__name__)

STAFF_COMMANDS = [
    BotCommand("enrol", "Enrol a patient: name, date, time"),
    BotCommand("schedule", "Care messages of an appointment"),
    BotCommand("done", "Mark an appointment done"),
    BotCommand("export_patient", "Admin: everything stored about a patient"),
    BotCommand("forget", "Admin: erase a patient's personal data"),
]


def load_care(settings: Settings) -> tuple[CareProtocol, Catalog]:
    """Read and check the protocol and the message files; raise on the first mistake."""
    protocol = load_protocol(settings.protocol_path)
    catalog = load_catalog(settings.messages_dir)
    check_catalog(catalog, protocol)
    return protocol, catalog


def build_application(
    settings: Settings,
    *,
    protocol: CareProtocol,
    catalog: Catalog,
    clock: Clock | None = None,
    retry: RetryPolicy | None = None,
) -> CareApp:
    pacer = Pacer()
    timeout = settings.request_timeout
    builder = (
        ApplicationBuilder()
        .application_class(CareApplication)
        .token(settings.token)
        .context_types(ContextTypes(context=CareContext))
        # Every message the bot sends shares one pace; retries are the sender's to decide.
        .rate_limiter(TelegramLimits(pacer))
        .connect_timeout(timeout)
        .read_timeout(timeout)
        .write_timeout(timeout)
        .post_init(_open)
        .post_shutdown(_close)
    )
    if settings.api_base_url:
        root = settings.api_base_url.rstrip("/")
        builder = builder.base_url(f"{root}/bot").base_file_url(f"{root}/file/bot")
    application: CareApp = builder.build()  # type: ignore[assignment]
    clinic = Clinic(settings.clinic_name, settings.clinic_phone, settings.clinic_address)
    application.bot_data["services"] = Services(
        settings=settings,
        db=Database(settings.database_path),
        catalog=catalog,
        plan=CarePlan(protocol, settings.timezone, settings.quiet_hours),
        composer=Composer(catalog, protocol, clinic, settings.timezone),
        clock=clock or SystemClock(),
        pacer=pacer,
        retry=retry or RetryPolicy(),
    )
    _register_handlers(application)
    return application


def _register_handlers(application: CareApp) -> None:
    """In order: deep-link /start before plain /start, staff commands, then the catch-all."""
    private = filters.ChatType.PRIVATE
    application.add_handlers(
        [
            CommandHandler(
                "start", start.start_with_token, private & filters.Regex(r"^/start\s+\S")
            ),
            CommandHandler("start", start.start_plain, private),
            CommandHandler(["enrol", "enroll"], enrol.enrol_one_line),
            CommandHandler("done", journey.done),
            CommandHandler("schedule", journey.schedule),
            CommandHandler("forget", privacy.forget),
            CallbackQueryHandler(privacy.forget_confirmed, pattern=f"^{privacy.FORGET_PREFIX}"),
            CommandHandler("export_patient", privacy.export),
            MessageHandler(filters.TEXT | filters.COMMAND, fallback.answer_anything),
            # Keep last: a button nothing above recognised still gets an answer.
            CallbackQueryHandler(fallback.answer_unknown_button),
        ]
    )
    application.add_error_handler(_on_error)


async def _open(application: Application) -> None:  # type: ignore[type-arg]
    services: Services = application.bot_data["services"]
    await services.db.open()
    alerts = StaffAlerts(application.bot, services.db, services.settings, services.clock)
    services.alerts = alerts
    dispatcher = Dispatcher(
        db=services.db,
        transport=TelegramTransport(application.bot),
        composer=services.composer,
        protocol=services.plan.protocol,
        quiet=services.settings.quiet_hours,
        tz_name=services.settings.timezone.key,
        clock=services.clock,
        pacer=services.pacer,
        on_alert=services.alert_raised,
        retry=services.retry,
    )
    await dispatcher.recover()
    assert application.job_queue is not None
    services.dispatcher = dispatcher
    services.delivery_clock = DeliveryClock(
        application.job_queue, dispatcher, services.settings.poll_seconds, alerts.flush
    )
    services.delivery_clock.start()
    await _set_staff_menus(application, services.settings)
    log.info("ready: database %s, next delivery check armed", services.settings.database_path.name)


async def _set_staff_menus(application: Application, settings: Settings) -> None:  # type: ignore[type-arg]
    for admin_id in settings.admin_ids:
        try:
            await application.bot.set_my_commands(
                STAFF_COMMANDS, scope=BotCommandScopeChat(admin_id)
            )
        except TelegramError as error:
            log.warning("could not set the staff menu for an admin: %s", error)


async def _close(application: Application) -> None:  # type: ignore[type-arg]
    services: Services = application.bot_data["services"]
    await services.drain_background()
    await services.db.close()


async def _on_error(update: object, context: CareContext) -> None:
    log.error("error while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_message is not None:
        await update.effective_message.reply_text(
            "Sorry, something went wrong on our side. The clinic has been told."
        )
