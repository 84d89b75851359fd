"""The one "replace the message" helper: a repeated edit is fine, any other refusal is not."""

from __future__ import annotations

from typing import Any, cast

import pytest
from telegram import CallbackQuery
from telegram.error import BadRequest

from bot.common.replace import replace_message


class _Query:
    def __init__(self, refusal: str | None = None) -> None:
        self.refusal = refusal
        self.edits: list[tuple[str, Any]] = []

    async def edit_message_text(self, text: str, reply_markup: Any = None) -> None:
        if self.refusal is not None:
            raise BadRequest(self.refusal)
        self.edits.append((text, reply_markup))


async def test_the_text_and_buttons_replace_the_message() -> None:
    query = _Query()
    await replace_message(cast(CallbackQuery, query), "new text")
    assert query.edits == [("new text", None)]


async def test_the_same_text_again_is_not_an_error() -> None:
    query = _Query("Message is not modified: specified new message content is the same")
    await replace_message(cast(CallbackQuery, query), "same text")  # no exception


async def test_any_other_refusal_is_raised() -> None:
    with pytest.raises(BadRequest, match="can't be edited"):
        await replace_message(cast(CallbackQuery, _Query("Message can't be edited")), "text")
