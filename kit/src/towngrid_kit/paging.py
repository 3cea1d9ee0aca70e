"""Lists a page at a time, the same way in every service: ask the store for ``limit + 1`` items
in ``_id`` order after the ``after`` the client passed; the extra item only says that there is
a next page, whose ``after`` is the id of the last item shown."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")
X = TypeVar("X")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_after: str | None = Field(default=None,
                                   description="Pass as `after` to get the next page; null on the last page.")


def page_of(found: Sequence[X], limit: int, id_of: Callable[[X], str],
            shown: Callable[[X], T] = lambda x: x) -> Page[T]:  # type: ignore[assignment,return-value]
    """The first ``limit`` of ``found`` (fetched with ``limit + 1``) as shown, and where the next page starts."""
    kept = found[:limit]
    return Page[T](items=[shown(x) for x in kept], next_after=id_of(kept[-1]) if len(found) > limit else None)
