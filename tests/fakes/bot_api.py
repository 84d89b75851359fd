"""A local stand-in for the Telegram Bot API (``https://api.telegram.org``), or Bale's.

It serves the HTTP interface python-telegram-bot talks to, on ``127.0.0.1`` only, from a
background :class:`~http.server.ThreadingHTTPServer`, so it works both for an in-process async
test and for a bot running as a separate process::

    with FakeBotApi() as api:
        bot = Bot(token, base_url=api.base_url, base_file_url=api.base_file_url)
        api.send_text(42, "/start")            # the bot sees it in getUpdates
        api.wait_for(lambda call: call.method == "sendMessage")

``wait_for`` and ``wait_until_idle`` block the calling thread: from a coroutine running the bot
in the same event loop, call them through ``await asyncio.to_thread(api.wait_for, ...)``.
PTB 22 emits a ``PTBDeprecationWarning`` whenever it builds a ``RetryAfter`` unless the
environment has ``PTB_TIMEDELTA=true``; set it in tests that provoke 429s (warnings are errors).

What it does: records every call (:class:`ApiCall`), decodes form, multipart and JSON bodies,
answers the methods a polling bot uses (getMe, getUpdates with long polling, sendMessage,
sendPhoto, sendDocument, editMessageText, editMessageReplyMarkup, answerCallbackQuery, the
command and menu-button setters, getFile plus file downloads, deleteWebhook, close, logOut,
copyMessage, getChat and getChatMemberCount) with the JSON shapes Telegram returns, and answers
``true`` to any other method. Users send text (``send_text``, optionally as a Telegram reply),
photos and voice notes (``send_media``); ``set_chat`` makes a group public or crowded. Faults can be
injected (``fail_next``, ``block_chat``, ``delay_next``) and, with ``enforce_limits=True``,
Telegram's flood limits are applied to the methods in :data:`SEND_METHODS`:

* the whole bot: at most 30 sends in any sliding 1-second window;
* a private chat (positive id): a token bucket of capacity 3 refilled at 1 token per second,
  so a burst of 3 then one send per second;
* a group chat (negative id): at most 20 sends in any sliding 60-second window.

A send over a limit is answered 429 with ``retry_after`` = the whole seconds until it would have
been accepted (at least 1); rejected sends do not consume quota.

Flavours: ``FakeBotApi(flavour="bale")`` serves Bale's Bot API (``tapi.bale.ai``) instead of
Telegram's; the differences are one small table (:data:`FLAVOURS`, sources in ``docs/bale.md``).
Bale answers 404 "Not Found" to a method outside :data:`BALE_METHODS` (``setMyCommands``,
``setChatMenuButton``, ``close`` ...), so PTB raises ``InvalidToken`` (``EndPointNotFound`` from
``do_api_request``); it accepts only ``parse_mode="Markdown"`` (Telegram: Markdown, MarkdownV2,
HTML; any other value is answered 400 "unsupported parse_mode" on both); it has no supergroups,
so a ``-100...`` chat is a plain group and ``send_text(chat_type="supergroup")`` is refused; its
429 says "bot limit exceed"; :meth:`FakeBotApi.deep_link` gives ``https://ble.ir/<bot>?start=``
instead of ``https://t.me/...``.

Round trips: ``FakeBotApi(latency=0.15, jitter=0.03, seed=1)`` holds back every Bot API answer
and file download by a uniform latency ± jitter, each in its own handler thread, so concurrent
requests overlap as on a real network. A request is decided when it arrives (recorded, flood
limits judged; a long poll still waits for an update as usual); only its answer is held back.
:attr:`ApiCall.delay` tells the delay drawn; ``wait_until_idle`` waits for held-back answers.

Limits (on purpose): no webhooks, no inline mode, payments or media groups; a valid
``parse_mode`` is echoed, not parsed into entities; ``allowed_updates`` is ignored; editing a
message the stand-in has not seen succeeds as if it existed. Realistic quirks kept: editing a
message without a ``reply_markup`` removes its inline keyboard, an edit that changes nothing
answers 400 "message is not modified", ``deleteWebhook`` with ``drop_pending_updates`` empties
the update queue.
Plain-form values are JSON-decoded except for free-text parameters (:data:`TEXT_PARAMS`), so
``chat_id`` becomes an ``int`` and ``reply_markup`` a ``dict`` while a ``text`` of ``"42"``
stays a string.

Run it by hand: ``python -m tests.fakes.bot_api --port 8081 [--enforce-limits] [--flavour bale]
[--latency 0.15 --jitter 0.03]``.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import math
import random
import signal
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message
from email.parser import BytesHeaderParser
from http import HTTPStatus
from http.client import responses
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit

JsonDict = dict[str, Any]
ChatKey = int

SEND_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendVideo",
        "sendAudio",
        "sendVoice",
        "sendAnimation",
        "sendSticker",
        "sendLocation",
        "sendContact",
        "sendPoll",
        "copyMessage",
        "forwardMessage",
        "editMessageText",
        "editMessageCaption",
        "editMessageReplyMarkup",
        "editMessageMedia",
    }
)
"""Methods subject to ``block_chat`` and the flood limits."""

MESSAGE_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument"})
"""Methods ``messages_to`` reports."""

TEXT_PARAMS = frozenset(
    {
        "text",
        "caption",
        "title",
        "description",
        "short_description",
        "name",
        "parse_mode",
        "url",
        "question",
        "phone_number",
        "callback_query_id",
        "inline_message_id",
    }
)
"""Parameters kept as the raw string PTB sent (never JSON-decoded)."""

BALE_METHODS = frozenset(
    {
        "getMe",
        "getUpdates",
        "setWebhook",
        "deleteWebhook",
        "getWebhookInfo",
        "sendMessage",
        "forwardMessage",
        "copyMessage",
        "sendPhoto",
        "sendAudio",
        "sendDocument",
        "sendVideo",
        "sendAnimation",
        "sendVoice",
        "sendMediaGroup",
        "sendLocation",
        "sendContact",
        "sendSticker",
        "sendChatAction",
        "sendInvoice",
        "createInvoiceLink",
        "answerPreCheckoutQuery",
        "inquireTransaction",
        "editMessageText",
        "editMessageCaption",
        "editMessageReplyMarkup",
        "deleteMessage",
        "answerCallbackQuery",
        "getFile",
        "getChat",
        "getChatAdministrators",
        "getChatMember",
        "getChatMembersCount",
        "leaveChat",
        "banChatMember",
        "unbanChatMember",
        "restrictChatMember",
        "promoteChatMember",
        "setChatTitle",
        "setChatDescription",
        "setChatPhoto",
        "deleteChatPhoto",
        "pinChatMessage",
        "unpinChatMessage",
        "unpinAllChatMessages",
        "createChatInviteLink",
        "exportChatInviteLink",
        "revokeChatInviteLink",
        "getStickerSet",
        "uploadStickerFile",
        "createNewStickerSet",
        "addStickerToSet",
        "askReview",
        "inviteUser",
    }
)
"""Bale's Bot API methods as its most complete client calls them (see ``docs/bale.md``); the
command list and menu-button methods (``setMyCommands``, ``setChatMenuButton``, ...) are not
among them, and the member count is ``getChatMembersCount`` (Telegram: ``getChatMemberCount``)."""


@dataclass(frozen=True)
class Flavour:
    """How one Bot API server differs from the others, as a small table (see ``docs/bale.md``)."""

    name: str
    methods: frozenset[str] | None  # None: any method is answered (unknown ones with ``true``)
    parse_modes: frozenset[str]  # accepted values of ``parse_mode``, lower case
    chat_types: frozenset[str]
    deep_link_host: str  # https://<host>/<bot_username>?start=<payload>
    too_many_requests: str  # the 429 description; ``{retry_after}`` is filled in


FLAVOURS = {
    "telegram": Flavour(
        name="telegram",
        methods=None,
        parse_modes=frozenset({"markdown", "markdownv2", "html"}),
        chat_types=frozenset({"private", "group", "supergroup", "channel"}),
        deep_link_host="t.me",
        too_many_requests="Too Many Requests: retry after {retry_after}",
    ),
    "bale": Flavour(
        name="bale",
        methods=BALE_METHODS,
        parse_modes=frozenset({"markdown"}),
        chat_types=frozenset({"private", "group", "channel"}),
        deep_link_host="ble.ir",
        too_many_requests="bot limit exceed",
    ),
}
"""The flavours ``FakeBotApi(flavour=...)`` knows."""

_ERROR_DESCRIPTIONS = {
    400: "Bad Request: chat not found",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running",
    500: "Internal Server Error",
    502: "Bad Gateway",
}
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
_KICKED = "Forbidden: bot was kicked from the group chat"
_UNSUPPORTED_PARSE_MODE = "Bad Request: unsupported parse_mode"
_HISTORY_IN_REPORTS = 15
_SHUTDOWN_POLL_SECONDS = 0.05  # how soon serve_forever notices stop()


@dataclass(frozen=True)
class ApiCall:
    """One request the stand-in received, with how it answered."""

    method: str
    params: dict[str, Any]
    at: float
    status: int
    result: Any = None  # the "result" of a successful answer, e.g. the Message sent
    delay: float = 0.0  # the artificial round trip added before the answer was sent (latency)


class UploadedFile(bytes):
    """The content of a multipart upload (compares equal to plain bytes), with its metadata."""

    filename: str
    mime_type: str

    def __new__(cls, content: bytes, *, filename: str, mime_type: str) -> Self:
        upload = super().__new__(cls, content)
        upload.filename = filename
        upload.mime_type = mime_type
        return upload


class _ApiError(Exception):
    """Raised inside the stand-in to answer with a Telegram-style error body."""

    def __init__(self, status: int, description: str | None = None, retry_after: int = 1) -> None:
        super().__init__(status)
        self.status = status
        self.retry_after = retry_after
        self.description = description or _default_description(status, retry_after)

    def body(self) -> JsonDict:
        body: JsonDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.status == HTTPStatus.TOO_MANY_REQUESTS:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def _default_description(status: int, retry_after: int) -> str:
    if status == HTTPStatus.TOO_MANY_REQUESTS:
        return f"Too Many Requests: retry after {retry_after}"
    return _ERROR_DESCRIPTIONS.get(status) or responses.get(status, "Error")


@dataclass
class _Fault:
    method: str
    status: int
    times: int
    retry_after: int
    chat_id: int | None
    description: str | None

    def matches(self, method: str, params: JsonDict) -> bool:
        return self.method == method and self.chat_id in (None, params.get("chat_id"))


class _RateLimiter:
    """Telegram's flood limits; see the module docstring for the rule."""

    GLOBAL_PER_SECOND = 30
    PRIVATE_BURST = 3
    PRIVATE_REFILL_PER_SECOND = 1.0
    GROUP_PER_MINUTE = 20

    def __init__(self) -> None:
        self._global: deque[float] = deque()
        self._groups: dict[ChatKey, deque[float]] = {}
        self._private: dict[ChatKey, tuple[float, float]] = {}  # chat -> (tokens, at)

    def acquire(self, chat_id: ChatKey | None, now: float) -> int | None:
        """Consume quota for one send and return None, or return the seconds to wait."""
        waits = [_window_wait(self._global, self.GLOBAL_PER_SECOND, 1.0, now)]
        if chat_id is not None and chat_id < 0:
            group = self._groups.setdefault(chat_id, deque())
            waits.append(_window_wait(group, self.GROUP_PER_MINUTE, 60.0, now))
        elif chat_id is not None:
            waits.append((1.0 - self._tokens(chat_id, now)) / self.PRIVATE_REFILL_PER_SECOND)
        wait = max(waits)
        if wait > 0:
            return max(1, math.ceil(wait))
        self._consume(chat_id, now)
        return None

    def _tokens(self, chat_id: ChatKey, now: float) -> float:
        tokens, at = self._private.get(chat_id, (float(self.PRIVATE_BURST), now))
        refilled = tokens + (now - at) * self.PRIVATE_REFILL_PER_SECOND
        return min(float(self.PRIVATE_BURST), refilled)

    def _consume(self, chat_id: ChatKey | None, now: float) -> None:
        self._global.append(now)
        if chat_id is not None and chat_id < 0:
            self._groups[chat_id].append(now)
        elif chat_id is not None:
            self._private[chat_id] = (self._tokens(chat_id, now) - 1.0, now)


def _window_wait(window: deque[float], limit: int, span: float, now: float) -> float:
    """Forget entries older than ``span``; return how long until one more fits (<= 0: now)."""
    while window and window[0] <= now - span:
        window.popleft()
    if len(window) < limit:
        return 0.0
    return window[0] + span - now


# --- request decoding -------------------------------------------------------------------------


def _decode_request(content_type: str, body: bytes, query: str) -> JsonDict:
    """Turn a Bot API request (query string plus form, multipart or JSON body) into params."""
    raw: dict[str, str | bytes] = dict(parse_qsl(query, keep_blank_values=True))
    media_type = content_type.split(";")[0].strip().lower()
    if media_type == "application/json":
        return {**_decode_fields(raw), **json.loads(body or b"{}")}
    if media_type == "multipart/form-data":
        raw.update(_parse_multipart(content_type, body))
    elif body:
        raw.update(parse_qsl(body.decode(), keep_blank_values=True))
    return _decode_fields(raw)


def _decode_fields(raw: dict[str, str | bytes]) -> JsonDict:
    return {name: _decode_value(name, value) for name, value in raw.items()}


def _decode_value(name: str, value: str | bytes) -> Any:
    if isinstance(value, bytes) or name in TEXT_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _parse_multipart(content_type: str, body: bytes) -> dict[str, str | bytes]:
    boundary = _header(f"Content-Type: {content_type}").get_param("boundary")
    if not isinstance(boundary, str):
        raise _ApiError(400, "Bad Request: multipart boundary missing")
    fields: dict[str, str | bytes] = {}
    for part in body.split(b"--" + boundary.encode())[1:-1]:
        head, _, content = part.removeprefix(b"\r\n").removesuffix(b"\r\n").partition(b"\r\n\r\n")
        headers = _header(head.decode())
        name = headers.get_param("name", header="content-disposition")
        filename = headers.get_filename()
        if not isinstance(name, str):
            continue
        if filename is None:
            fields[name] = content.decode()
        else:
            mime_type = headers.get_content_type()
            fields[name] = UploadedFile(content, filename=filename, mime_type=mime_type)
    return fields


def _by_message_id(item: tuple[tuple[ChatKey, int], JsonDict]) -> int:
    return item[0][1]


def _header(text: str) -> Message:
    return BytesHeaderParser().parsebytes(text.encode())


def _chat_id(params: JsonDict) -> ChatKey:
    chat_id = params.get("chat_id")
    if isinstance(chat_id, bool) or not isinstance(chat_id, int):
        raise _ApiError(400)
    return chat_id


def _inline_markup(params: JsonDict) -> JsonDict | None:
    markup = params.get("reply_markup")
    if isinstance(markup, dict) and "inline_keyboard" in markup:
        return markup
    return None


def _with_markup(message: JsonDict, markup: JsonDict | None) -> JsonDict:
    edited = {key: value for key, value in message.items() if key != "reply_markup"}
    if markup is not None:
        edited["reply_markup"] = markup
    return edited


def _command_entities(text: str) -> list[JsonDict]:
    if not text.startswith("/") or len(text) < 2:
        return []
    command = text.split(maxsplit=1)[0]
    return [{"type": "bot_command", "offset": 0, "length": len(command.encode("utf-16-le")) // 2}]


def _user(
    user_id: int, first_name: str, username: str | None, language_code: str | None = None
) -> JsonDict:
    user: JsonDict = {"id": user_id, "is_bot": False, "first_name": first_name}
    if username is not None:
        user["username"] = username
    if language_code is not None:  # the user's Telegram app language, e.g. "fa", "en-GB"
        user["language_code"] = language_code
    return user


# --- HTTP plumbing ----------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like api.telegram.org
    disable_nagle_algorithm = True  # headers and body go out in two writes
    timeout = 60.0  # idle keep-alive connections are dropped after this

    def __init__(self, *args: Any, api: FakeBotApi, **kwargs: Any) -> None:
        self._api = api
        super().__init__(*args, **kwargs)

    def setup(self) -> None:
        super().setup()
        self._api._track(self.connection)

    def finish(self) -> None:
        self._api._untrack(self.connection)
        super().finish()

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: the calls are recorded instead."""

    def _serve(self) -> None:
        url = urlsplit(self.path)
        parts = url.path.split("/")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        if url.path.startswith("/file/bot") and len(parts) > 3:
            self._send_file("/".join(parts[3:]))
        elif len(parts) == 3 and parts[1].startswith("bot") and parts[2]:
            self._send_api_answer(parts[2], self.headers.get("Content-Type", ""), body, url.query)
        else:
            self._send(404, json.dumps(_ApiError(404).body()).encode(), "application/json")

    def _send_api_answer(self, method: str, content_type: str, body: bytes, query: str) -> None:
        try:
            params = _decode_request(content_type, body, query)
        except (_ApiError, ValueError) as exc:
            error = exc if isinstance(exc, _ApiError) else _ApiError(400, f"Bad Request: {exc}")
            self._send(error.status, json.dumps(error.body()).encode(), "application/json")
            return
        status, answer = self._api._handle(method, params)
        self._send(status, json.dumps(answer, ensure_ascii=False).encode(), "application/json")

    def _send_file(self, file_path: str) -> None:
        content = self._api._file_content(file_path)
        self._api._stopping.wait(self._api._round_trip())
        if content is None:
            self._send(404, b"Not Found", "text/plain")
        else:
            self._send(200, content, "application/octet-stream")

    def _send(self, status: int, payload: bytes, content_type: str) -> None:
        with contextlib.suppress(ConnectionError):  # the client may have timed out already
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # server_close() joins every handler thread
    block_on_close = True
    request_queue_size = 128  # a burst of new connections is not dropped (the default is 5)


# --- the stand-in -----------------------------------------------------------------------------


class FakeBotApi:
    """The stand-in server; see the module docstring."""

    def __init__(
        self,
        *,
        bot_username: str = "mesocare_test_bot",
        bot_id: int = 999000,
        enforce_limits: bool = False,
        port: int = 0,
        flavour: str = "telegram",
        latency: float = 0.0,
        jitter: float = 0.0,
        seed: int | None = None,
        limits_clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`limits_clock` is the clock the flood limits are judged by (seconds): a test that
        checks the limits themselves can stop it, so a loaded machine cannot spread a burst
        over more than a second."""
        if flavour not in FLAVOURS:
            raise ValueError(f"flavour must be one of {sorted(FLAVOURS)}, not {flavour!r}")
        if not 0 <= jitter <= latency:
            raise ValueError(f"need 0 <= jitter <= latency, got {jitter=} {latency=}")
        self.flavour = FLAVOURS[flavour]
        self._latency = latency
        self._jitter = jitter
        self._rng = random.Random(seed)
        self._bot: JsonDict = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "Mesocare",
            "username": bot_username,
        }
        self._enforce_limits = enforce_limits
        self._limits_clock = limits_clock
        self._requested_port = port
        self._cond = threading.Condition(threading.RLock())
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()
        self._calls: list[ApiCall] = []
        self._in_flight = 0
        self._last_activity = time.monotonic()
        self._updates: list[JsonDict] = []
        self._next_update_id = 1
        self._next_callback_id = 1
        self._message_ids: dict[ChatKey, int] = {}
        self._messages: dict[tuple[ChatKey, int], JsonDict] = {}
        self._users: dict[int, JsonDict] = {}
        self._chats: dict[ChatKey, JsonDict] = {}
        self._files: dict[str, tuple[JsonDict, bytes]] = {}  # file_id -> (File, content)
        self._commands: dict[str, Any] = {}
        self._member_counts: dict[ChatKey, int] = {}
        self._faults: list[_Fault] = []
        self._delays: dict[str, deque[float]] = {}
        self._blocked: set[ChatKey] = set()
        self._limiter = _RateLimiter()
        self._too_many_requests = 0

    # lifecycle ----------------------------------------------------------------------------

    def start(self) -> None:
        """Start serving in a background thread; does nothing if already serving."""
        if self._server is not None:
            return
        self._stopping.clear()
        handler = functools.partial(_Handler, api=self)
        self._server = _Server(("127.0.0.1", self._requested_port), handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": _SHUTDOWN_POLL_SECONDS},
            name=f"FakeBotApi:{self.port}",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        """Answer pending long polls, close every connection and join all server threads."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        self._stopping.set()
        with self._cond:
            self._cond.notify_all()
            for connection in self._connections:
                _shut_reading(connection)
        server.shutdown()
        server.server_close()
        thread.join()
        self._server = self._thread = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeBotApi is not started")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    def deep_link(self, payload: str) -> str:
        """The link that opens the bot with ``/start <payload>`` on this flavour's messenger."""
        return f"https://{self.flavour.deep_link_host}/{self._bot['username']}?start={payload}"

    # feeding updates ----------------------------------------------------------------------

    def send_text(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        chat_type: str = "private",
        first_name: str = "Test",
        username: str | None = None,
        reply_to: int | None = None,
        language_code: str | None = None,
    ) -> int:
        """Enqueue a Message update from a user; return its update_id. `reply_to`: the id of
        the message in that chat it answers (a Telegram reply). `language_code` is their
        Telegram app's language, as Telegram sends it (absent when not given)."""
        if chat_type not in self.flavour.chat_types:
            known = ", ".join(sorted(self.flavour.chat_types))
            raise ValueError(f"{self.flavour.name} has no {chat_type!r} chats (only {known})")
        chat_key = user_id if chat_id is None else chat_id
        user = _user(user_id, first_name, username, language_code)
        chat: JsonDict = {"id": chat_key, "type": chat_type}
        if chat_type == "private":
            chat |= {key: value for key, value in user.items() if key in ("first_name", "username")}
        else:
            chat["title"] = "Test group"
        with self._cond:
            self._users[user_id] = user
            self._chats[chat_key] = chat
            content: JsonDict = {"text": text}
            if reply_to is not None:
                content["reply_to_message"] = self._message(chat_key, reply_to)
            message = self._new_message(chat_key, user, content)
            entities = _command_entities(text)
            if entities:
                message["entities"] = entities
            return self._enqueue({"message": message})

    def send_media(self, user_id: int, kind: str, *, caption: str | None = None) -> int:
        """Enqueue a photo or a voice note (`kind`) a user sends in their private chat; the
        file is only a file id, as Telegram gives it. Return the update_id."""
        with self._cond:
            user = self._users.setdefault(user_id, _user(user_id, "Test", None))
            self._chats.setdefault(
                user_id, {"id": user_id, "type": "private", "first_name": "Test"}
            )
            number = len(self._files) + 1
            info: JsonDict = {"file_id": f"{kind}-{number}", "file_unique_id": f"u{number}"}
            self._files[info["file_id"]] = ({**info, "file_path": f"{kind}/{number}"}, b"")
            content: JsonDict = (
                {"photo": [{**info, "width": 800, "height": 600}]}
                if kind == "photo"
                else {"voice": {**info, "duration": 3}}
            )
            if caption:
                content["caption"] = caption
            return self._enqueue({"message": self._new_message(user_id, user, content)})

    def set_chat(self, chat_id: int, *, username: str | None = None, members: int = 2) -> None:
        """What getChat and getChatMemberCount answer for a group."""
        with self._cond:
            chat = dict(self._chat(chat_id))
            if username is not None:
                chat["username"] = username
            self._chats[chat_id] = chat
            self._member_counts[chat_id] = members

    def press_button(
        self,
        user_id: int,
        data: str,
        *,
        message_id: int,
        chat_id: int | None = None,
        language_code: str | None = None,
    ) -> int:
        """Enqueue a CallbackQuery update for a button under a message; return its update_id.
        The presser is the user as last seen, with `language_code` if given."""
        chat_key = user_id if chat_id is None else chat_id
        with self._cond:
            user = self._users.get(user_id) or _user(user_id, "Test", None)
            if language_code is not None:
                user = {**user, "language_code": language_code}
            query = {
                "id": str(self._next_callback_id),
                "from": user,
                "message": self._message(chat_key, message_id),
                "chat_instance": str(chat_key),
                "data": data,
            }
            self._next_callback_id += 1
            return self._enqueue({"callback_query": query})

    # inspection ---------------------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[ApiCall]:
        """Recorded calls in order: all but getUpdates, or only those of ``method``."""
        with self._cond:
            if method is None:
                return [call for call in self._calls if call.method != "getUpdates"]
            return [call for call in self._calls if call.method == method]

    def messages_to(self, chat_id: int) -> list[ApiCall]:
        """Successful sendMessage/sendPhoto/sendDocument calls to ``chat_id``, in order."""
        return [
            call
            for call in self.calls()
            if call.method in MESSAGE_METHODS
            and call.status == HTTPStatus.OK
            and call.params.get("chat_id") == chat_id
        ]

    def wait_for(
        self, predicate: Callable[[ApiCall], bool], *, timeout: float = 10.0, count: int = 1
    ) -> list[ApiCall]:
        """Block until ``count`` recorded calls (earlier ones included) match; return them."""
        matches: list[ApiCall] = []

        def enough() -> bool:
            nonlocal matches
            matches = [call for call in self._calls if predicate(call)]
            return len(matches) >= count

        with self._cond:
            if self._cond.wait_for(enough, timeout):
                return matches[:count]
            wanted = f"{count} matching call(s) within {timeout}s, got {len(matches)}"
            raise AssertionError(f"FakeBotApi: expected {wanted}\n{self._report()}")

    def wait_until_idle(self, *, quiet: float = 0.3, timeout: float = 10.0) -> None:
        """Block until no request (getUpdates aside) is running or arrived for ``quiet`` s."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                now = time.monotonic()
                idle_for = now - self._last_activity
                if self._in_flight == 0 and idle_for >= quiet:
                    return
                if now >= deadline:
                    raise AssertionError(f"FakeBotApi: not idle after {timeout}s\n{self._report()}")
                pause = deadline - now if self._in_flight else min(quiet - idle_for, deadline - now)
                self._cond.wait(pause)

    def reset_calls(self) -> None:
        """Forget the recorded calls (state such as messages and limits is kept)."""
        with self._cond:
            self._calls.clear()

    @property
    def too_many_requests(self) -> int:
        """How many 429s the flood limits caused (``fail_next`` ones not counted)."""
        with self._cond:
            return self._too_many_requests

    # answering in this process (tests/driver.py) -------------------------------------------

    def answer_call(self, method: str, params: JsonDict) -> tuple[int, JsonDict]:
        """Answer a call made in this process, without HTTP: recorded, and decided (faults,
        blocked chats, limits) as one that came over the network."""
        return self._handle(method, params)

    def take_updates(self) -> list[JsonDict]:
        """The updates queued for the bot, handed over (getUpdates will not see them)."""
        with self._cond:
            updates, self._updates = self._updates, []
        return updates

    def bot_messages(self, chat_id: ChatKey) -> list[JsonDict]:
        """The bot's messages in ``chat_id`` as they stand now (after edits), oldest first."""
        with self._cond:
            return [
                message
                for (chat, _), message in sorted(self._messages.items(), key=_by_message_id)
                if chat == chat_id and message["from"].get("is_bot")
            ]

    # fault injection ----------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        status: int,
        times: int = 1,
        retry_after: int | None = None,
        chat_id: int | None = None,
        description: str | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (to ``chat_id`` if given) with an error.

        A 429 carries ``parameters.retry_after`` (``retry_after``, default 1).
        """
        fault = _Fault(method, status, times, retry_after or 1, chat_id, description)
        with self._cond:
            self._faults.append(fault)

    def block_chat(self, chat_id: int) -> None:
        """Answer 403 to every send to ``chat_id`` until :meth:`unblock_chat`."""
        with self._cond:
            self._blocked.add(chat_id)

    def unblock_chat(self, chat_id: int) -> None:
        with self._cond:
            self._blocked.discard(chat_id)

    def delay_next(self, method: str, seconds: float, times: int = 1) -> None:
        """Wait ``seconds`` before answering each of the next ``times`` calls of ``method``."""
        with self._cond:
            self._delays.setdefault(method, deque()).extend([seconds] * times)

    # serving (called from the handler threads) -------------------------------------------

    def _track(self, connection: socket.socket) -> None:
        with self._cond:
            if self._stopping.is_set():
                _shut_reading(connection)
            else:
                self._connections.add(connection)

    def _untrack(self, connection: socket.socket) -> None:
        with self._cond:
            self._connections.discard(connection)

    def _handle(self, method: str, params: JsonDict) -> tuple[int, JsonDict]:
        at = time.monotonic()
        busy = method != "getUpdates"
        with self._cond:
            self._in_flight += int(busy)
            delay = self._delays.get(method)
            seconds = delay.popleft() if delay else 0.0
        if seconds:
            self._stopping.wait(seconds)
        status, answer = self._answer(method, params)  # limits are judged now, on arrival
        round_trip = self._round_trip()
        with self._cond:
            call = ApiCall(method, params, at, status, answer.get("result"), round_trip)
            self._calls.append(call)
            self._cond.notify_all()
        if round_trip:
            self._stopping.wait(round_trip)  # this handler thread only; others go on
        with self._cond:
            self._in_flight -= int(busy)
            if busy:
                self._last_activity = time.monotonic()
            self._cond.notify_all()
        return status, answer

    def _round_trip(self) -> float:
        """The artificial network delay for one answer: latency ± jitter, uniformly."""
        if not self._latency:
            return 0.0
        with self._cond:
            return self._rng.uniform(self._latency - self._jitter, self._latency + self._jitter)

    def _answer(self, method: str, params: JsonDict) -> tuple[int, JsonDict]:
        with self._cond:
            try:
                self._check_flavour(method, params)
                self._check_faults(method, params)
                result = self._dispatch(method, params)
            except _ApiError as error:
                return error.status, error.body()
            except (KeyError, TypeError, ValueError) as error:  # missing or malformed params
                return 400, _ApiError(400, f"Bad Request: invalid parameters ({error!r})").body()
        return 200, {"ok": True, "result": result}

    def _check_flavour(self, method: str, params: JsonDict) -> None:
        """Refuse what this flavour's server does not know, the way it refuses it."""
        methods = self.flavour.methods
        if methods is not None and method not in methods:
            raise _ApiError(404)
        parse_mode = params.get("parse_mode")
        if parse_mode is not None and str(parse_mode).lower() not in self.flavour.parse_modes:
            raise _ApiError(400, _UNSUPPORTED_PARSE_MODE)

    def _check_faults(self, method: str, params: JsonDict) -> None:
        fault = next((f for f in self._faults if f.matches(method, params)), None)
        if fault is not None:
            fault.times -= 1
            if fault.times <= 0:
                self._faults.remove(fault)
            description = fault.description
            if description is None and fault.status == HTTPStatus.TOO_MANY_REQUESTS:
                description = self._too_many_requests_text(fault.retry_after)
            raise _ApiError(fault.status, description, fault.retry_after)
        if method not in SEND_METHODS:
            return
        chat_id = params.get("chat_id")
        chat_key = chat_id if isinstance(chat_id, int) else None
        if chat_key in self._blocked:
            kicked = chat_key is not None and chat_key < 0
            raise _ApiError(403, _KICKED if kicked else None)
        if self._enforce_limits:
            wait = self._limiter.acquire(chat_key, self._limits_clock())
            if wait is not None:
                self._too_many_requests += 1
                raise _ApiError(429, self._too_many_requests_text(wait), retry_after=wait)

    def _too_many_requests_text(self, retry_after: int) -> str:
        return self.flavour.too_many_requests.format(retry_after=retry_after)

    def _dispatch(self, method: str, params: JsonDict) -> Any:
        handlers: dict[str, Callable[[JsonDict], Any]] = {
            "getMe": lambda _: self._bot,
            "getUpdates": self._get_updates,
            "deleteWebhook": self._delete_webhook,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_reply_markup,
            "getFile": self._get_file,
            "copyMessage": self._copy_message,
            "getChat": self._get_chat,
            "getChatMemberCount": lambda p: self._member_counts.get(_chat_id(p), 2),
            "getChatMembersCount": lambda p: self._member_counts.get(_chat_id(p), 2),
            "setMyCommands": self._set_my_commands,
            "getMyCommands": lambda p: self._commands.get(_commands_key(p), []),
            "deleteMyCommands": self._delete_my_commands,
        }
        handler = handlers.get(method)
        return True if handler is None else handler(params)

    def _file_content(self, file_path: str) -> bytes | None:
        with self._cond:
            for info, content in self._files.values():
                if info["file_path"] == file_path:
                    return content
        return None

    # method implementations (the lock is held) -------------------------------------------

    def _get_updates(self, params: JsonDict) -> list[JsonDict]:
        offset = params.get("offset")
        if isinstance(offset, int) and offset < 0:
            del self._updates[:offset]
        elif isinstance(offset, int):
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        timeout = float(params.get("timeout") or 0)
        self._cond.wait_for(lambda: bool(self._updates) or self._stopping.is_set(), timeout)
        return self._updates[: int(params.get("limit") or 100)]

    def _delete_webhook(self, params: JsonDict) -> bool:
        if params.get("drop_pending_updates") is True:
            self._updates.clear()
        return True

    def _send_message(self, params: JsonDict) -> JsonDict:
        content: JsonDict = {"text": params.get("text", "")}
        return self._new_message(_chat_id(params), self._bot, content, _inline_markup(params))

    def _send_photo(self, params: JsonDict) -> JsonDict:
        chat_id = _chat_id(params)
        photo = self._store_file(params.get("photo"), "photos", "jpg")
        photo |= {"width": 800, "height": 800}
        content = {"photo": [photo]} | self._caption(params)
        return self._new_message(chat_id, self._bot, content, _inline_markup(params))

    def _send_document(self, params: JsonDict) -> JsonDict:
        chat_id = _chat_id(params)
        upload = params.get("document")
        document = self._store_file(upload, "documents", "bin")
        if isinstance(upload, UploadedFile):
            document |= {"file_name": upload.filename, "mime_type": upload.mime_type}
        content = {"document": document} | self._caption(params)
        return self._new_message(chat_id, self._bot, content, _inline_markup(params))

    def _edit_message_text(self, params: JsonDict) -> JsonDict | bool:
        if "chat_id" not in params:  # an inline message
            return True
        old = self._message(_chat_id(params), int(params["message_id"]))
        edited = _with_markup({**old, "text": params.get("text", "")}, _inline_markup(params))
        return self._save_edit(old, edited)

    def _edit_reply_markup(self, params: JsonDict) -> JsonDict | bool:
        if "chat_id" not in params:
            return True
        old = self._message(_chat_id(params), int(params["message_id"]))
        return self._save_edit(old, _with_markup(old, _inline_markup(params)))

    def _copy_message(self, params: JsonDict) -> JsonDict:
        """A copy of the message (its text, photo, voice or caption) in another chat."""
        original = self._message(int(params["from_chat_id"]), int(params["message_id"]))
        kept = ("text", "photo", "voice", "caption")
        content = {key: original[key] for key in kept if key in original}
        copied = self._new_message(_chat_id(params), self._bot, content, _inline_markup(params))
        return {"message_id": copied["message_id"]}

    def _get_chat(self, params: JsonDict) -> JsonDict:
        gifts = dict.fromkeys(
            ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription"), False
        )
        return {
            **self._chat(_chat_id(params)),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": gifts | {"gifts_from_channels": False},
        }

    def _get_file(self, params: JsonDict) -> JsonDict:
        stored = self._files.get(str(params.get("file_id")))
        if stored is None:
            raise _ApiError(400, "Bad Request: invalid file_id")
        return stored[0]

    def _set_my_commands(self, params: JsonDict) -> bool:
        self._commands[_commands_key(params)] = params.get("commands", [])
        return True

    def _delete_my_commands(self, params: JsonDict) -> bool:
        self._commands.pop(_commands_key(params), None)
        return True

    # helpers (the lock is held) -----------------------------------------------------------

    def _enqueue(self, update: JsonDict) -> int:
        update_id = self._next_update_id
        self._next_update_id += 1
        self._updates.append({"update_id": update_id, **update})
        self._cond.notify_all()
        return update_id

    def _new_message(
        self, chat_id: ChatKey, sender: JsonDict, content: JsonDict, markup: JsonDict | None = None
    ) -> JsonDict:
        message_id = self._message_ids.get(chat_id, 0) + 1
        self._message_ids[chat_id] = message_id
        message = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": self._chat(chat_id),
            "from": sender,
            **content,
        }
        message = _with_markup(message, markup)
        self._messages[(chat_id, message_id)] = message
        return message

    def _message(self, chat_id: ChatKey, message_id: int) -> JsonDict:
        """The message as last seen, or a text-less one from the bot if it is unknown."""
        known = self._messages.get((chat_id, message_id))
        if known is not None:
            return known
        return {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": self._chat(chat_id),
            "from": self._bot,
            "text": "",
        }

    def _save_edit(self, old: JsonDict, edited: JsonDict) -> JsonDict:
        if edited == old:
            raise _ApiError(400, _NOT_MODIFIED)
        edited["edit_date"] = int(time.time())
        self._messages[(edited["chat"]["id"], edited["message_id"])] = edited
        return edited

    def _chat(self, chat_id: ChatKey) -> JsonDict:
        known = self._chats.get(chat_id)
        if known is not None:
            return known
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": "Test"}
        supergroup = str(chat_id).startswith("-100") and "supergroup" in self.flavour.chat_types
        kind = "supergroup" if supergroup else "group"
        return {"id": chat_id, "type": kind, "title": "Test group"}

    def _store_file(self, upload: object, folder: str, extension: str) -> JsonDict:
        """Register an uploaded file (or look up a file_id being re-sent); return its File."""
        if isinstance(upload, str) and upload in self._files:
            return dict(self._files[upload][0])
        content = upload if isinstance(upload, bytes) else b""
        number = len(self._files) + 1
        info: JsonDict = {
            "file_id": f"{folder}-{number}",
            "file_unique_id": f"u{number}",
            "file_size": len(content),
            "file_path": f"{folder}/file_{number}.{extension}",
        }
        self._files[info["file_id"]] = (info, bytes(content))
        return {key: value for key, value in info.items() if key != "file_path"}

    @staticmethod
    def _caption(params: JsonDict) -> JsonDict:
        return {"caption": params["caption"]} if params.get("caption") else {}

    def _report(self) -> str:
        recent = [call for call in self._calls if call.method != "getUpdates"]
        lines = [
            f"  {call.method} -> {call.status} {_short(call.params)}"
            for call in recent[-_HISTORY_IN_REPORTS:]
        ]
        return "last calls:\n" + ("\n".join(lines) or "  (none)")


def _commands_key(params: JsonDict) -> str:
    scope = json.dumps(params.get("scope") or {"type": "default"}, sort_keys=True)
    return f"{scope}|{params.get('language_code') or ''}"


def _short(params: JsonDict, width: int = 200) -> str:
    text = repr(params)
    return text if len(text) <= width else text[: width - 3] + "..."


def _shut_reading(connection: socket.socket) -> None:
    """Make a handler blocked on reading the next keep-alive request see end-of-file."""
    with contextlib.suppress(OSError):
        connection.shutdown(socket.SHUT_RD)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve a fake Bot API on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=8081, help="0 picks a free port")
    parser.add_argument("--enforce-limits", action="store_true", help="apply flood limits")
    parser.add_argument("--bot-username", default="mesocare_test_bot")
    parser.add_argument("--flavour", choices=sorted(FLAVOURS), default="telegram")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to each answer")
    parser.add_argument("--jitter", type=float, default=0.0, help="± seconds around --latency")
    args = parser.parse_args(argv)
    # Ctrl-C (SIGINT) stops it even when started from a shell that ignores SIGINT for its
    # background jobs: Python leaves an inherited "ignore" in place otherwise.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    api = FakeBotApi(
        bot_username=args.bot_username,
        enforce_limits=args.enforce_limits,
        port=args.port,
        flavour=args.flavour,
        latency=args.latency,
        jitter=args.jitter,
    )
    with api:
        root = api.base_url.removesuffix("/bot")
        print(
            f"base_url={api.base_url} base_file_url={api.base_file_url}"
            f" (for the bot: TELEGRAM_API_BASE_URL={root})",
            flush=True,
        )
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
