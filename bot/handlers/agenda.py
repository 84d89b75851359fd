"""/today and /upcoming [days]: booked appointments with each patient's status, paged with
◀ ▶ buttons that edit the list in place.

A page button carries only the list (`t` today, `u` upcoming), its days and the page number:
`agenda:u:7:2`. The list is read afresh when it is pressed, and the numbers are checked.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot.access import staff_only
from bot.services import CareContext
from care.areas import area_label
from care.dates import both_calendars_label
from care.db.agenda import AgendaEntry, AgendaPage, PreCare, booked_between
from care.text_input import normalize_digits

log = logging.getLogger(__name__)

PER_PAGE = 10
DEFAULT_DAYS = 7
MAX_DAYS = 60
TODAY, UPCOMING = "t", "u"
_PAGE_BUTTON = re.compile(r"^agenda:([tu]):([0-9]{1,2}):([0-9]{1,3})$")
_FLAG_WORDS = {
    "blood_thinner": "blood thinner",
    "another_time": "asks for another time",
    "took_painkiller": "took a painkiller",
}
LEGEND = (
    "📱 on Telegram · 📵 invite not opened · ⏳ pre-care not sent yet · "
    "📨 pre-care sent · ✅ pre-care confirmed · ⚠️ call the patient"
)
_UPCOMING_HELP = (
    f"Send /upcoming for the next {DEFAULT_DAYS} days, or /upcoming followed by a number "
    f"of days from 1 to {MAX_DAYS}, e.g. /upcoming 14."
)


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

    def title(self, now: datetime, tz: ZoneInfo) -> str:
        today = now.astimezone(tz).date()
        if self.kind == TODAY:
            return f"Today, {both_calendars_label(today)}"
        last = today + timedelta(days=self.days)
        return f"Upcoming, from now to the end of {both_calendars_label(last)}"


@staff_only
async def today(update: Update, context: CareContext) -> None:
    """Today's booked appointments, in clinic time."""
    assert update.effective_message is not None
    text, markup = await _render(context, Listing(TODAY, 0), page=0)
    await update.effective_message.reply_text(text, reply_markup=markup)


@staff_only
async def upcoming(update: Update, context: CareContext) -> None:
    """Booked appointments from now to the end of the n-th day from today (default 7)."""
    assert update.effective_message is not None
    days = _parse_days(context.args or [])
    if days is None:
        await update.effective_message.reply_text(_UPCOMING_HELP)
        return
    text, markup = await _render(context, Listing(UPCOMING, days), page=0)
    await update.effective_message.reply_text(text, reply_markup=markup)


@staff_only
async def turn_page(update: Update, context: CareContext) -> None:
    """◀ or ▶ under a list: show that page in the same message."""
    query = update.callback_query
    assert query is not None
    pressed = _read_page_button(query.data)
    if pressed is None:
        await query.answer("This button is not valid. Send /today or /upcoming again.")
        return
    await query.answer()
    listing, page = pressed
    text, markup = await _render(context, listing, page=page)
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as error:
        if "not modified" not in error.message:
            raise


def _read_page_button(data: str | None) -> tuple[Listing, int] | None:
    match = _PAGE_BUTTON.match(data or "")
    if match is None:
        return None
    listing = Listing(match[1], int(match[2]))
    if listing.kind == TODAY and listing.days != 0:
        return None
    if listing.kind == UPCOMING and not 1 <= listing.days <= MAX_DAYS:
        return None
    return listing, int(match[3])


def _parse_days(args: list[str]) -> int | None:
    if not args:
        return DEFAULT_DAYS
    text = normalize_digits(args[0])
    if len(args) != 1 or not (text.isascii() and text.isdigit()):
        return None
    days = int(text)
    return days if 1 <= days <= MAX_DAYS else None


async def _render(
    context: CareContext, listing: Listing, *, page: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    services = context.services
    tz = services.settings.timezone
    now = services.clock.now()
    start, end = listing.window(now, tz)
    found: AgendaPage = await services.db.run(
        booked_between, start, end, page=page, per_page=PER_PAGE
    )
    title = listing.title(now, tz)
    if found.total == 0:
        return f"{title}\nNo booked appointments.", None
    lines = [title, f"{found.total} booked"]
    shown_day: date | None = None
    for entry in found.entries:
        local = entry.starts_at.astimezone(tz)
        if listing.kind == UPCOMING and local.date() != shown_day:
            shown_day = local.date()
            lines += ["", f"— {both_calendars_label(shown_day)} —"]
        lines.append(_line(entry, local.time()))
    if found.page_count > 1:
        lines += ["", f"Page {found.page + 1} of {found.page_count}"]
    lines += ["", LEGEND]
    return "\n".join(lines), _pager(listing, found)


def _line(entry: AgendaEntry, at: time) -> str:
    icons = "📱" if entry.linked else "📵"
    icons += {PreCare.NOT_SENT: "⏳", PreCare.SENT: "📨", PreCare.ACKNOWLEDGED: "✅"}[
        entry.pre_care
    ]
    line = (
        f"#{entry.appointment_id} {at:%H:%M} {entry.patient_name} · {area_label(entry.area)} · "
        f"session {entry.session_number} of {entry.session_count} {icons}"
    )
    if entry.flags:
        line += " ⚠️ " + ", ".join(_FLAG_WORDS[flag] for flag in entry.flags)
    return line


def _pager(listing: Listing, found: AgendaPage) -> InlineKeyboardMarkup | None:
    buttons = []
    data = f"agenda:{listing.kind}:{listing.days}"
    if found.page > 0:
        buttons.append(InlineKeyboardButton("◀", callback_data=f"{data}:{found.page - 1}"))
    if found.page < found.page_count - 1:
        buttons.append(InlineKeyboardButton("▶", callback_data=f"{data}:{found.page + 1}"))
    return InlineKeyboardMarkup([buttons]) if buttons else None


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)
