"""Sampling a stream whose length is not known beforehand."""

import numpy as np


class UniformSample:
    """A uniform random sample of at most `size` of the items offered, in one pass (reservoir
    sampling, Algorithm R; the draws of a chunk at once)."""

    def __init__(self, size: int, seed: int = 0) -> None:
        self.size = size
        self.items: list = []
        self.offered = 0
        self._rng = np.random.default_rng(seed)

    @property
    def left_out(self) -> bool:
        return self.offered > len(self.items)

    def offer(self, chunk: list) -> None:
        room = max(0, self.size - len(self.items))
        self.items.extend(chunk[:room])
        rest, first = chunk[room:], self.offered + room
        self.offered += len(chunk)
        if rest:
            # The item numbered i (from 0) takes the place j, drawn from 0 to i, if j < size.
            slots = self._rng.integers(0, np.arange(first + 1, first + len(rest) + 1))
            for at in np.flatnonzero(slots < self.size):
                self.items[slots[at]] = rest[at]
