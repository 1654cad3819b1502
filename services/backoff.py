"""How long to wait after a failure: one policy, written as data, for every loop that retries."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    """Exponential back-off: ``initial`` seconds after the first failure in a row, ``factor``
    times longer after each further one, never more than ``ceiling``."""

    initial: float
    factor: float
    ceiling: float

    def delay(self, failures: int) -> float:
        """Seconds to wait after ``failures`` failures in a row (1 for the first)."""
        try:
            return min(self.initial * float(self.factor) ** max(failures - 1, 0), self.ceiling)
        except OverflowError:  # an outage of days: the exponent outgrew a float long ago
            return self.ceiling
