"""/today and /upcoming [days]: booked appointments with each patient's status, paged with
◀ ▶ buttons that edit the list in place.

A page button carries only the list (`t` today, `u` upcoming), its days and the page number:
`agenda:u:7:2`. The list is read afresh when it is pressed, and the numbers are checked.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.common.access import staff_only
from bot.common.names import area_name
from bot.common.replace import replace_message
from bot.common.staff_language import staff_voice
from bot.common.staff_voice import Voice
from bot.desk import agenda_buttons
from bot.desk.agenda_buttons import PageButton
from bot.services import CareContext
from care.core.text_input import normalize_digits
from care.desk.agenda import AgendaEntry, AgendaPage, PreCare, agenda_page

log = logging.getLogger(__name__)

PER_PAGE = 10
DEFAULT_DAYS = 7
MAX_DAYS = 60
TODAY, UPCOMING = "t", "u"


@dataclass(frozen=True)
class Listing:
    """Which list a message shows: today's, or the next `days` days."""

    kind: str
    days: int

    def window(self, now: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
        today = now.astimezone(tz).date()
        if self.kind == TODAY:
            return _midnight(today, tz), _midnight(today + timedelta(days=1), tz)
        return now, _midnight(today + timedelta(days=self.days + 1), tz)

    def title(self, now: datetime, voice: Voice) -> str:
        today = now.astimezone(voice.tz).date()
        if self.kind == TODAY:
            return voice("desk.today_title", day=today)
        return voice("desk.upcoming_title", day=today + timedelta(days=self.days))


@staff_only
async def today(update: Update, context: CareContext) -> None:
    """Today's booked appointments, in clinic time."""
    assert update.effective_message is not None
    voice = await staff_voice(update, context)
    text, markup = await _render(context, voice, Listing(TODAY, 0), page=0)
    await update.effective_message.reply_text(text, reply_markup=markup)


@staff_only
async def upcoming(update: Update, context: CareContext) -> None:
    """Booked appointments from now to the end of the n-th day from today (default 7)."""
    assert update.effective_message is not None
    days = _parse_days(context.args or [])
    voice = await staff_voice(update, context)
    if days is None:
        await update.effective_message.reply_text(voice("desk.upcoming_help"))
        return
    text, markup = await _render(context, voice, Listing(UPCOMING, days), page=0)
    await update.effective_message.reply_text(text, reply_markup=markup)


@staff_only
async def turn_page(update: Update, context: CareContext) -> None:
    """◀ or ▶ under a list: show that page in the same message."""
    query = update.callback_query
    assert query is not None
    pressed = _read_page_button(query.data)
    voice = await staff_voice(update, context)
    if pressed is None:
        await query.answer(voice("desk.page_button_invalid"))
        return
    await query.answer()
    listing, page = pressed
    text, markup = await _render(context, voice, listing, page=page)
    await replace_message(query, text, markup)


def _read_page_button(data: str | None) -> tuple[Listing, int] | None:
    button = agenda_buttons.decode(data)
    if button is None:
        return None
    listing = Listing(button.kind, button.days)
    if listing.kind == TODAY and listing.days != 0:
        return None
    if listing.kind == UPCOMING and not 1 <= listing.days <= MAX_DAYS:
        return None
    return listing, button.page


def _parse_days(args: list[str]) -> int | None:
    if not args:
        return DEFAULT_DAYS
    text = normalize_digits(args[0])
    if len(args) != 1 or not (text.isascii() and text.isdigit()):
        return None
    days = int(text)
    return days if 1 <= days <= MAX_DAYS else None


async def _render(
    context: CareContext, voice: Voice, listing: Listing, *, page: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    services = context.services
    tz = voice.tz
    now = services.clock.now()
    start, end = listing.window(now, tz)
    found: AgendaPage = await services.db.run(agenda_page, start, end, page=page, per_page=PER_PAGE)
    title = listing.title(now, voice)
    if found.total == 0:
        return f"{title}\n{voice('desk.no_booked')}", None
    lines = [title, voice("desk.booked_count", total=found.total)]
    shown_day: date | None = None
    for entry in found.entries:
        local = entry.starts_at.astimezone(tz)
        if listing.kind == UPCOMING and local.date() != shown_day:
            shown_day = local.date()
            lines += ["", voice("desk.day_heading", day=shown_day)]
        lines.append(_line(entry, voice, local.time()))
    if found.page_count > 1:
        lines += ["", voice("desk.page", page=found.page + 1, pages=found.page_count)]
    lines += ["", voice("desk.legend")]
    return "\n".join(lines), _pager(listing, found)


def _line(entry: AgendaEntry, voice: Voice, at: time) -> str:
    icons = "📱" if entry.linked else "📵"
    icons += {PreCare.NOT_SENT: "⏳", PreCare.SENT: "📨", PreCare.ACKNOWLEDGED: "✅"}[
        entry.pre_care
    ]
    line = voice(
        "desk.agenda_line",
        appointment_id=entry.appointment_id,
        time=at,
        patient_name=entry.patient_name,
        area=area_name(voice, entry.area),
        session_number=entry.session_number,
        session_count=entry.session_count,
        icons=icons,
    )
    if entry.flags:
        flags = voice.join([voice(f"desk.flag_{flag}") for flag in entry.flags])
        line = voice("desk.flags", line=line, flags=flags)
    return line


def _pager(listing: Listing, found: AgendaPage) -> InlineKeyboardMarkup | None:
    buttons = []

    def page(number: int) -> str:
        return agenda_buttons.encode(PageButton(listing.kind, listing.days, number))

    if found.page > 0:
        buttons.append(InlineKeyboardButton("◀", callback_data=page(found.page - 1)))
    if found.page < found.page_count - 1:
        buttons.append(InlineKeyboardButton("▶", callback_data=page(found.page + 1)))
    return InlineKeyboardMarkup([buttons]) if buttons else None


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)
