"""Errors a use case raises; the HTTP layer maps each to a status and a problem document."""

from __future__ import annotations


class DomainError(Exception):
    status = 400
    title = "Bad request"

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class InvalidInput(DomainError):
    status = 422
    title = "Invalid input"


class NotFound(DomainError):
    status = 404
    title = "Not found"


class Conflict(DomainError):
    """The request is valid but the entity's state refuses it (an illegal transition)."""

    status = 409
    title = "Conflict"


class ConcurrentModification(Conflict):
    title = "Concurrent modification"
