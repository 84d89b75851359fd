"""Reading the calls the bot made to the Bot API (the driver's record, or the HTTP stand-in's):
their text, buttons and message ids, and predicates to pick calls out of the record."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from tests.fakes.bot_api import ApiCall, FakeBotApi


def text_of(call: ApiCall) -> str:
    """The text of a message, or the caption of a photo or document."""
    return str(call.params.get("text") or call.params.get("caption") or "")


def button_pairs(call: ApiCall) -> list[tuple[str, str]]:
    """(label, callback data) of each button in the inline keyboard a call carried, in order."""
    markup: Any = call.params.get("reply_markup") or {}
    rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
    return [(button["text"], button["callback_data"]) for row in rows for button in row]


def buttons(call: ApiCall) -> dict[str, str]:
    """The inline buttons under a sent or edited message: label -> callback data."""
    return dict(button_pairs(call))


def callback_data(call: ApiCall) -> list[str]:
    """The callback data of every inline button of a sent or edited message, row by row."""
    return [data for _, data in button_pairs(call)]


def button_data(call: ApiCall, label: str) -> str:
    """The data of the button labelled `label`, else of the one whose label contains it."""
    labelled = buttons(call)
    if label in labelled:
        return labelled[label]
    found = [data for text, data in labelled.items() if label in text]
    assert len(found) == 1, f"{len(found)} buttons match {label!r}: {list(labelled)}"
    return found[0]


def message_id(call: ApiCall) -> int:
    """The id of the message a call edited, or the one the stand-in gave a sent message."""
    if call.method.startswith("edit"):
        return int(call.params["message_id"])
    assert call.status == 200 and isinstance(call.result, dict), f"{call.method} failed: {call}"
    return int(call.result["message_id"])


def bot_message_id(api: FakeBotApi, chat_id: int, needle: str) -> int:
    """The id of the bot's latest message in `chat_id` whose current text contains `needle`
    (the stand-in keeps each message as last edited: the one a user presses buttons under)."""
    found = [
        int(message["message_id"])
        for message in api.bot_messages(chat_id)
        if needle in message.get("text", "")
    ]
    assert found, f"no bot message in chat {chat_id} contains {needle!r}"
    return max(found)


def _succeeded(
    methods: Collection[str], chat_id: int, needle: str, after: float
) -> Callable[[ApiCall], bool]:
    def matches(call: ApiCall) -> bool:
        return (
            call.method in methods
            and call.status == 200
            and call.at > after
            and call.params.get("chat_id") == chat_id
            and needle in str(call.params.get("text", call.params.get("caption", "")))
        )

    return matches


def text_to(chat_id: int, needle: str) -> Callable[[ApiCall], bool]:
    """Matches a successful message to `chat_id` whose text contains `needle`."""
    return _succeeded(("sendMessage",), chat_id, needle, after=0.0)


def sent_to(chat_id: int, needle: str, *, after: float = 0.0) -> Callable[[ApiCall], bool]:
    """A successful sendMessage/sendDocument to `chat_id` (text or caption has `needle`),
    made after the monotonic time `after`."""
    return _succeeded(("sendMessage", "sendDocument"), chat_id, needle, after)


def edit_in(chat_id: int, needle: str, *, after: float = 0.0) -> Callable[[ApiCall], bool]:
    """A successful message edit in `chat_id` whose new text contains `needle`."""
    return _succeeded(("editMessageText",), chat_id, needle, after)


def edit_of(method: str, chat_id: int, message_id: int) -> Callable[[ApiCall], bool]:
    """Matches a successful edit (`editMessageText`, `editMessageReplyMarkup`) of a message."""

    def matches(call: ApiCall) -> bool:
        return (
            call.method == method
            and call.status == 200
            and call.params.get("chat_id") == chat_id
            and call.params.get("message_id") == message_id
        )

    return matches
