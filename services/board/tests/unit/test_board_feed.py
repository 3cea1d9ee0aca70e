"""Which changed states the api reads (domain.feed): every note once, in spite of notes landing
out of order, and past a note that never lands."""

from __future__ import annotations

from board.domain.feed import Feed


def test_every_note_is_taken_once_and_next_moves_past_them() -> None:
    feed = Feed()
    feed.restart(3)
    assert feed.take({4: "resident:a", 5: "permit:b"}, upto=5, now=0, give_up_after_s=60) == {"resident:a", "permit:b"}
    assert feed.next == 6 and not feed.taken
    assert feed.take({}, upto=5, now=1, give_up_after_s=60) == set()


def test_a_note_landing_late_is_taken_when_it_lands_and_nothing_twice() -> None:
    feed = Feed()
    feed.restart(0)
    # seq 2's handler noted before seq 1's did
    assert feed.take({2: "order:x"}, upto=2, now=0, give_up_after_s=60) == {"order:x"}
    assert feed.next == 1
    assert feed.take({2: "order:x"}, upto=2, now=1, give_up_after_s=60) == set()
    assert feed.take({1: "order:y", 2: "order:x", 3: "tip:z"}, upto=3, now=2, give_up_after_s=60) == {"order:y", "tip:z"}
    assert feed.next == 4 and not feed.taken


def test_a_note_that_never_lands_is_passed_over_only_after_the_wait() -> None:
    feed = Feed()
    feed.restart(0)
    assert feed.take({2: "tip:a"}, upto=2, now=100, give_up_after_s=60) == {"tip:a"}
    assert feed.take({2: "tip:a"}, upto=2, now=159, give_up_after_s=60) == set()
    assert feed.next == 1
    assert feed.take({2: "tip:a"}, upto=2, now=161, give_up_after_s=60) == set()
    assert feed.next == 3


class NotedProjections:
    """The board's database as the api reads it: the events numbered so far, the notes, the states."""

    def __init__(self) -> None:
        self.seq, self.notes_found, self.states = 0, {}, {}

    async def changes(self):  # noqa: ANN201
        return self.seq, None

    async def all_states(self):  # noqa: ANN201
        return dict(self.states)

    async def notes(self, first: int, last: int):  # noqa: ANN201
        return {s: k for s, k in self.notes_found.items() if first <= s <= last}

    async def states_of(self, keys):  # noqa: ANN001, ANN201
        return {k: self.states[k] for k in keys if k in self.states}


async def test_a_late_note_is_counted_when_it_lands_though_no_new_event_came() -> None:
    from datetime import timedelta, timezone

    from board.service.board import Board

    async def no_lag() -> int:
        return 0

    db = NotedProjections()
    board = Board(db, no_lag, timezone(timedelta(hours=8)))
    await board.refresh()  # the first load: nothing yet
    db.states = {"tip:a": ("tip", {"_id": "a"}), "tip:b": ("tip", {"_id": "b"})}
    db.seq, db.notes_found = 2, {2: "tip:b"}  # event 1's handler has not noted yet
    await board.refresh()
    assert board.snapshot.tally("town").figures["tips_received"] == 1
    db.notes_found[1] = "tip:a"  # it notes now; no event after it
    assert await board.refresh()
    assert board.snapshot.tally("town").figures["tips_received"] == 2
