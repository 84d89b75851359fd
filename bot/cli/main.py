"""The command line: settings and care files are checked before anything connects.

python -m bot [run]             run the bot (the default)
python -m bot check             check settings, care files, database and token, then exit
python -m bot check --live      the same, and fail unless a running bot's heartbeat is fresh
python -m bot backup FILE       copy the database consistently, even while the bot runs
python -m bot preview DATE ...  print the messages an appointment on DATE would get, one line
                                each (--full: their texts), without a token or a network
python -m bot --version         print the version
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
from pathlib import Path

from bot import __version__
from bot.app import build_application, load_care, show_menus
from bot.cli.check import run_check
from bot.cli.preview import PreviewRequest, render_preview
from bot.common.staff_voice import Voice
from bot.logs import configure_logging
from bot.runner import Lane, TokenRefusedError, run_until_stopped
from bot.services import Services
from bot.settings import SettingsError, database_path, load_settings
from care.content.catalog import CatalogError
from care.core.clock import SystemClock
from care.core.dates import DateInputError, parse_local_datetime
from care.core.languages import LANGUAGES
from care.db.backup import BackupError, backup
from care.db.lock import AlreadyRunning, exclusive
from care.schedule.protocol import ProtocolError

EXIT_CONFIG = 2
MAX_SESSIONS = 20
MAX_INTERVAL_DAYS = 365


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    if args.command == "preview":
        return preview(args)
    if args.command == "check":
        return 0 if run_check(live=args.live, lang=args.lang) else EXIT_CONFIG
    if args.command == "backup":
        return backup_database(args.file)
    return run()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Mesocare Telegram bot")
    parser.add_argument("--version", action="version", version=f"mesocare {__version__}")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="run the bot (the default)")
    check = commands.add_parser(
        "check", help="check the settings, care files, database and token, then exit"
    )
    check.add_argument(
        "--live",
        action="store_true",
        help="also check that a bot is running and delivering (its heartbeat file is fresh)",
    )
    check.add_argument(
        "--lang",
        choices=LANGUAGES,
        help="language of the lines (default: DEFAULT_LANGUAGE; English without settings)",
    )
    copy = commands.add_parser(
        "backup", help="copy the database consistently, even while the bot runs"
    )
    copy.add_argument("file", type=Path, help="where to write the copy")
    show = commands.add_parser(
        "preview",
        help="print the messages an appointment would get, one line each (--full: the texts)",
        description="Print every care message an appointment on DATE would get, one line each: "
        "its due time (clinic time), its step and what will happen to it, as if it were booked "
        "now; --full adds each message's text and buttons. Checks the care protocol and the "
        "message files; needs no token and sends nothing.",
    )
    show.add_argument("date", help="the first session's date: 2027-03-10 or Solar Hijri 1405-12-19")
    show.add_argument("--time", default="10:00", help="start time, clinic time (default 10:00)")
    show.add_argument("--lang", choices=LANGUAGES, help="language (default: DEFAULT_LANGUAGE)")
    show.add_argument(
        "--sessions", type=int, default=1, help=f"sessions in the course, 1 to {MAX_SESSIONS}"
    )
    show.add_argument("--interval", type=int, default=14, help="days between sessions (default 14)")
    show.add_argument("--name", default="Sara Ahmadi", help="the patient's name in the texts")
    show.add_argument(
        "--booked",
        nargs=2,
        metavar=("DATE", "TIME"),
        help="as if booked at this clinic time (default: now), e.g. --booked 1405-12-01 23:00",
    )
    show.add_argument(
        "--full", action="store_true", help="each message's whole text and buttons too"
    )
    return parser


def backup_database(target: Path) -> int:
    source = database_path()
    try:
        backup(source, target)
    except BackupError as error:
        print(f"mesocare: backup failed: {error}", file=sys.stderr)
        return 1
    print(f"mesocare: {source} copied to {target} (integrity checked)")
    return 0


def run() -> int:
    try:
        settings = load_settings()
        protocol, catalog = load_care(settings)
    except (SettingsError, ProtocolError, CatalogError) as error:
        print(f"mesocare: {error}", file=sys.stderr)
        return EXIT_CONFIG
    bale_token = (settings.bale.token,) if settings.bale is not None else ()
    configure_logging(
        settings.token, level=settings.log_level, file=settings.log_file, more_tokens=bale_token
    )
    application = build_application(settings, protocol=protocol, catalog=catalog)
    services: Services = application.bot_data["services"]
    try:
        with exclusive(settings.database_path):
            run_until_stopped(lanes(services))
    except AlreadyRunning as error:
        print(f"mesocare: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except TokenRefusedError as refused:
        print(f"mesocare: {_REFUSED.get(refused.channel, refused.channel)}", file=sys.stderr)
        return EXIT_CONFIG
    return 0


_REFUSED = {
    "telegram": "Telegram refused TELEGRAM_BOT_TOKEN; copy it again from @BotFather",
    "bale": "Bale refused BALE_BOT_TOKEN; copy it again from @BotFather in Bale",
}


def lanes(services: Services) -> list[Lane]:
    """Each channel's application with its health; menus once it answers."""
    result = []
    for channel in services.channels:
        application = services.apps[channel.name]
        result.append(Lane(application, channel.health, functools.partial(show_menus, application)))
    return result


def preview(args: argparse.Namespace) -> int:
    try:
        settings = load_settings(need_telegram=False)
        protocol, catalog = load_care(settings)
    except (SettingsError, ProtocolError, CatalogError) as error:
        print(f"mesocare: {error}", file=sys.stderr)
        return EXIT_CONFIG
    say = Voice(catalog, args.lang or settings.default_language, settings.timezone)
    try:
        starts_at = parse_local_datetime(args.date, args.time, settings.timezone)
        now = (
            parse_local_datetime(args.booked[0], args.booked[1], settings.timezone)
            if args.booked
            else SystemClock().now()
        )
    except DateInputError as error:
        print(f"mesocare: {say.problem(error)}", file=sys.stderr)
        return EXIT_CONFIG
    problem = _course_problem(args, starts_at > now, say)
    if problem:
        print(f"mesocare: {problem}", file=sys.stderr)
        return EXIT_CONFIG
    request = PreviewRequest(
        starts_at=starts_at,
        language=say.lang,
        sessions=args.sessions,
        interval_days=args.interval,
        patient_name=args.name,
    )
    text = render_preview(
        request, settings=settings, protocol=protocol, catalog=catalog, now=now, full=args.full
    )
    _print_to_pipe(text)
    return 0


def _print_to_pipe(text: str) -> None:
    """Print, and stop quietly when the reader has gone (`preview ... | head`): the rest is
    not wanted, which is no error."""
    try:
        print(text, flush=True)
    except BrokenPipeError:
        # What is left in the buffer would fail again when Python flushes it at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _course_problem(args: argparse.Namespace, in_future: bool, say: Voice) -> str | None:
    if not in_future:
        when = f"{args.date} {args.time}"
        return say("preview.not_after_booking" if args.booked else "preview.passed", when=when)
    if not 1 <= args.sessions <= MAX_SESSIONS:
        return say("preview.sessions_range", most=MAX_SESSIONS, given=args.sessions)
    if not 1 <= args.interval <= MAX_INTERVAL_DAYS:
        return say("preview.interval_range", most=MAX_INTERVAL_DAYS, given=args.interval)
    return None
