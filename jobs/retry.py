"""When to try a message again after a failed attempt, and when to give up."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    """Capped exponential backoff with jitter.

    The defaults wait about 2, 4, 8 ... 600 s, each between half and all of that, so many
    failed messages do not all come back in the same second; after `max_attempts` sends
    (about 20 to 40 minutes of trying) the message is failed and staff are told. A message
    is also failed early when its next try would come after it stops being useful.
    """

    base_seconds: float = 2.0
    cap_seconds: float = 600.0
    max_attempts: int = 12

    def backoff_seconds(self, attempt: int, rng: random.Random) -> float:
        """How long to wait after the `attempt`-th send failed."""
        ceiling = min(self.cap_seconds, self.base_seconds * 2.0 ** max(attempt - 1, 0))
        return ceiling / 2 + rng.random() * ceiling / 2
