"""The seam between the sender and the messengers: a `Channel` is one way to reach people.

Telegram and Bale are channels (jobs/channels/telegram.py, bale.py); another one (an SMS
gateway, say) is one more module that builds a `Channel`: the sender (jobs/delivery.py) only
routes each message to a channel by name and never looks inside. What a channel is made of:

- `transport`: sends one care message to a chat and names the outcome;
- `pacer`: its own pace and limits (jobs/pacing.py), so a slow channel never slows another;
- `health`: whether it can be reached now (jobs/channels/health.py), kept apart per channel;
- `deep_link`: the link that opens the bot there with `/start <payload>` (None while unknown);
- `command_menus`: whether it has command menus (Bale has none).

Updates (what people send to the bot) are not part of the seam: for a Bot API channel they
come through its python-telegram-bot application (bot/channels.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from jobs.channels.health import ChannelHealth
from jobs.pacing import Pacer
from jobs.transport import Transport

DeepLink = Callable[[str], str | None]


def _no_link(_payload: str) -> str | None:
    return None


@dataclass(frozen=True)
class Channel:
    name: str  # as stored with a patient's chat and a delivery: "telegram", "bale"
    transport: Transport
    pacer: Pacer
    health: ChannelHealth
    deep_link: DeepLink = field(default=_no_link)
    command_menus: bool = True


class Channels:
    """The channels the bot serves, in the order they are tried when a patient has no
    preference that can be met (the first is the main one)."""

    def __init__(self, channels: Sequence[Channel]) -> None:
        if not channels:
            raise ValueError("at least one channel is needed")
        self._by_name = {channel.name: channel for channel in channels}
        if len(self._by_name) != len(channels):
            raise ValueError("channel names must differ")

    def __iter__(self) -> Iterator[Channel]:
        return iter(self._by_name.values())

    def __len__(self) -> int:
        return len(self._by_name)

    def get(self, name: str) -> Channel | None:
        return self._by_name.get(name)

    @property
    def main(self) -> Channel:
        return next(iter(self._by_name.values()))
