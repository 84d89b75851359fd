"""The command line: settings and care files are checked before anything connects."""

from __future__ import annotations

import argparse
import sys

from telegram import Update
from telegram.error import InvalidToken, NetworkError

from bot.app import build_application, load_care
from bot.logs import configure_logging
from bot.settings import SettingsError, load_settings
from care.catalog import CatalogError
from care.protocol import ProtocolError

EXIT_CONFIG = 2


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Mesocare Telegram bot")
    parser.add_subparsers(dest="command").add_parser("run", help="run the bot (the default)")
    parser.parse_args(argv)
    try:
        settings = load_settings()
        protocol, catalog = load_care(settings)
    except (SettingsError, ProtocolError, CatalogError) as error:
        print(f"mesocare: {error}", file=sys.stderr)
        return EXIT_CONFIG
    configure_logging(settings.token)
    application = build_application(settings, protocol=protocol, catalog=catalog)
    try:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
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
