"""When to try a message again after a failed attempt."""

from __future__ import annotations

import random

BASE_SECONDS = 2.0
CAP_SECONDS = 600.0
MAX_ATTEMPTS = 12  # about 40 minutes of retries before staff are told


def backoff_seconds(attempt: int, rng: random.Random) -> float:
    """Capped exponential backoff with jitter: about 2, 4, 8 ... 600 s, each between half and
    all of that, so many failed messages do not all come back in the same second."""
    ceiling: float = min(CAP_SECONDS, BASE_SECONDS * 2.0 ** max(attempt - 1, 0))
    return ceiling / 2 + rng.random() * ceiling / 2
