"""Errors as ``application/problem+json`` (RFC 9457), naming each bad field."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from towngrid_kit.errors import DomainError
from pymongo.errors import OperationFailure

from towngrid_kit.mongo import UNAVAILABLE_ERRORS, is_busy

log = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def field_errors(error: RequestValidationError) -> list[dict[str, str]]:
    out = []
    for item in error.errors():
        loc = [str(p) for p in item.get("loc", ())]
        if item.get("type") in ("union_tag_invalid", "union_tag_not_found"):
            # A missing or unknown discriminator (e.g. permit_type) is reported at its parent: name it.
            loc.append(str(item.get("ctx", {}).get("discriminator", "")).strip("'"))
        out.append({"field": ".".join(loc), "message": item.get("msg", "invalid"), "type": item.get("type", "")})
    return out


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, error: RequestValidationError) -> JSONResponse:
        errors = field_errors(error)
        names = ", ".join(e["field"] for e in errors)
        return problem(422, "Invalid input", f"invalid or missing: {names}", errors=errors)

    @app.exception_handler(DomainError)
    async def _domain(_: Request, error: DomainError) -> JSONResponse:
        extra = {"errors": [{"field": error.field, "message": error.detail}]} if error.field else {}
        return problem(error.status, error.title, error.detail, **extra)

    @app.exception_handler(HTTPException)
    async def _http(_: Request, error: HTTPException) -> JSONResponse:
        response = problem(error.status_code, _title(error.status_code), str(error.detail))
        for name, value in (error.headers or {}).items():
            response.headers[name] = value
        return response

    for error_type in UNAVAILABLE_ERRORS:
        app.add_exception_handler(error_type, _unavailable)

    @app.exception_handler(OperationFailure)
    async def _operation_failure(request: Request, error: OperationFailure) -> JSONResponse:
        if is_busy(error):
            return await _unavailable(request, error)
        log.error("database operation failed: %s", error)
        return problem(500, "Internal Server Error", "a database operation failed; nothing was changed")


async def _unavailable(_: Request, error: Exception) -> JSONResponse:
    log.warning("database unavailable: %s", error)
    response = problem(503, "Service unavailable", "the database is unreachable; nothing was changed, retry later")
    response.headers["Retry-After"] = "5"
    return response


def _title(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


# The problem document every error answer carries, declared once for every route (create_app)
# so that clients and schema-driven tests know each error status and its body.
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "One entry per bad field of the request.",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": ["string", "null"]}, "message": {"type": "string"},
                               "type": {"type": "string"}},
            },
        },
    },
    "additionalProperties": True,
}

_ERROR_MEANINGS = {
    400: "The request is malformed",
    401: "No valid bearer token",
    403: "The token's role or scope does not allow this",
    404: "No such entity",
    409: "The entity's state refuses this change, or a concurrent change won",
    413: "The request body is too large",
    415: "The request body's content type is not accepted",
    422: "Invalid input: `errors` names each bad field",
    429: "Too many requests: retry after `Retry-After` seconds",
    503: "A dependency (the database) is unavailable: nothing was changed, retry later",
}


def error_responses() -> dict[int | str, dict[str, Any]]:
    """The ``responses`` of every route: each error status with its problem document."""
    return {status: {"description": meaning, "content": {PROBLEM_JSON: {"schema": PROBLEM_SCHEMA}}}
            for status, meaning in _ERROR_MEANINGS.items()}
