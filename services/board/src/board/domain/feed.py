"""Which changed states the api still has to read. Plain Python, no I/O.

The worker numbers every event it handles (``seq``, 1, 2, 3, …) after it has stored the event's
state, and then notes "seq n changed state k". So when the api finds the note of ``n``, the state
it names is already stored; reading it then is never too early. Notes can land out of order (two
events handled at once): the api takes every note up to the first one missing (``next``) and
also those past it, and looks again from ``next`` next time. A note that stays missing for long
belongs to an event whose handler died between numbering and noting: that event was not
committed, so it comes again under a new number, and the missing one is passed over.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Feed:
    next: int = 1  # the lowest seq not taken yet
    taken: set[int] = field(default_factory=set)  # seqs past ``next`` already taken
    missing_since: float | None = None  # when ``next`` was first found missing (monotonic s)

    def restart(self, upto: int) -> None:
        """Every state up to ``upto`` was read at once (a full load)."""
        self.next, self.taken, self.missing_since = upto + 1, set(), None

    def take(self, notes: dict[int, str], upto: int, now: float, give_up_after_s: float) -> set[str]:
        """``notes``: seq -> state key, as found from ``next`` to ``upto``. The keys to read now."""
        keys = {key for seq, key in notes.items() if seq >= self.next and seq not in self.taken}
        self.taken.update(seq for seq in notes if seq >= self.next)
        while self.next <= upto:
            if self.next in self.taken:
                self.taken.discard(self.next)
            elif self.missing_since is None:
                self.missing_since = now
                break
            elif now - self.missing_since < give_up_after_s:
                break
            self.next += 1
            self.missing_since = None
        return keys
