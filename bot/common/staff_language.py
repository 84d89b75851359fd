"""Which language a staff member reads: the one they chose with /language (on this messenger:
ids are each messenger's own), else their Telegram
app's if the catalogs have it, else DEFAULT_LANGUAGE. The staff group reads STAFF_LANGUAGE,
whoever wrote: a reply there is read by everyone in it."""

from __future__ import annotations

from telegram import Update

from bot.common.staff_voice import Voice
from bot.services import CareContext, Services
from care.people.staffing import language_of


async def staff_language(update: Update, context: CareContext) -> str:
    services = context.services
    chat, user = update.effective_chat, update.effective_user
    if chat is not None and chat.type != chat.PRIVATE:
        return services.settings.staff_language
    if user is None:
        return services.settings.default_language
    chosen = await services.db.run(language_of, user.id, context.channel)
    return chosen or app_language(services, user.language_code)


def app_language(services: Services, language_code: str | None) -> str:
    """The Telegram app's language ("fa", "en-GB") if the catalogs speak it."""
    code = (language_code or "").split("-")[0].lower()
    return code if code in services.catalog.languages else services.settings.default_language


def voice_in(services: Services, lang: str) -> Voice:
    return Voice(services.catalog, lang, services.settings.timezone)


async def staff_voice(update: Update, context: CareContext) -> Voice:
    """How to speak to whoever sent this update, as staff."""
    return voice_in(context.services, await staff_language(update, context))
