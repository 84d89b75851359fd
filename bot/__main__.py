"""`python -m bot [run | check | backup FILE]`: run or look after the bot (the settings come
from the environment and `.env`)."""

from __future__ import annotations

import os
import sys

from dotenv import find_dotenv, load_dotenv

from bot.cli.main import main

if __name__ == "__main__":
    load_dotenv(find_dotenv(usecwd=True))  # the .env of the folder the bot is started from
    # Ask python-telegram-bot for its future (timedelta) time periods now, without warnings.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    sys.exit(main(sys.argv[1:]))
