"""The command line: settings and care files are checked before anything connects.

python -m bot [run]        run the bot (the default)
python -m bot check        check settings, care files, database and token, then exit
python -m bot backup FILE  copy the database consistently, even while the bot runs
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from telegram import Update
from telegram.error import InvalidToken, NetworkError

from bot.app import build_application, load_care
from bot.check import run_check
from bot.logs import configure_logging
from bot.settings import SettingsError, database_path, load_settings
from care.catalog import CatalogError
from care.db.backup import BackupError, backup
from care.db.lock import AlreadyRunning, exclusive
from care.protocol import ProtocolError

EXIT_CONFIG = 2


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Mesocare Telegram bot")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="run the bot (the default)")
    commands.add_parser(
        "check", help="check the settings, care files, database and token, then exit"
    )
    copy = commands.add_parser(
        "backup", help="copy the database consistently, even while the bot runs"
    )
    copy.add_argument("file", type=Path, help="where to write the copy")
    args = parser.parse_args(argv)
    if args.command == "check":
        return 0 if run_check() else EXIT_CONFIG
    if args.command == "backup":
        return _backup(args.file)
    return _run()


def _backup(target: Path) -> int:
    source = database_path()
    try:
        backup(source, target)
    except BackupError as error:
        print(f"mesocare: backup failed: {error}", file=sys.stderr)
        return 1
    print(f"mesocare: {source} copied to {target} (integrity checked)")
    return 0


def _run() -> int:
    try:
        settings = load_settings()
        protocol, catalog = load_care(settings)
    except (SettingsError, ProtocolError, CatalogError) as error:
        print(f"mesocare: {error}", file=sys.stderr)
        return EXIT_CONFIG
    configure_logging(settings.token)
    application = build_application(settings, protocol=protocol, catalog=catalog)
    try:
        with exclusive(settings.database_path):
            application.run_polling(allowed_updates=Update.ALL_TYPES)
    except AlreadyRunning as error:
        print(f"mesocare: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except InvalidToken:
        print(
            "mesocare: Telegram refused TELEGRAM_BOT_TOKEN; copy it again from @BotFather",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    except NetworkError as error:
        print(
            f"mesocare: could not reach the Telegram Bot API ({error.message}); check the network",
            file=sys.stderr,
        )
        return 1
    return 0
