"""The FastAPI app factory every service's api uses.

It gives ``/healthz`` (the process answers), ``/readyz`` (Kafka and MongoDB reachable),
OpenAPI at ``/openapi.json`` and ``/docs``, problem+json errors, the token verifier and
the idempotency store; the service adds its routers and builds its use cases in ``setup``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated, Any

import uvicorn
from aiokafka import AIOKafkaClient
from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from towngrid_kit import observability
from towngrid_kit.auth import TokenVerifier
from towngrid_kit.observability import configure_logging
from towngrid_kit.faults import FaultPoints
from towngrid_kit.idempotency import KEYS_COLLECTION, IdempotencyStore
from towngrid_kit.mongo import connect
from towngrid_kit.problems import error_responses, problem, install_problem_handlers
from towngrid_kit.ratelimit import FixedWindowLimiter
from towngrid_kit.request_limits import BodySizeLimit, PublicRoute
from towngrid_kit.json_input import StrictJsonBodies
from towngrid_kit.settings import ServiceSettings


def from_state(name: str) -> Any:  # noqa: ANN401 (a FastAPI dependency marker)
    """A route dependency on what the service's ``setup`` put on ``app.state.<name>``:
    ``Residents = Annotated[ResidentService, from_state("residents")]``."""

    def on_state(request: Request) -> Any:  # noqa: ANN401
        return getattr(request.app.state, name)

    return Depends(on_state)


# Query parameters of every paged list: ``limit`` items after the id ``after``.
Limit = Annotated[int, Query(ge=1, le=200)]
After = Annotated[str | None, Query(description="The last id of the previous page.")]


@dataclass
class ApiResources:
    settings: ServiceSettings
    mongo: AsyncMongoClient
    db: AsyncDatabase


class KafkaProbe:
    """Answers whether the Kafka cluster answers a metadata request."""

    def __init__(self, bootstrap: str, options: dict | None = None) -> None:
        self._bootstrap = bootstrap
        self._options = options or {}
        self._client: AIOKafkaClient | None = None

    async def check(self) -> None:
        if self._client is None:
            client = AIOKafkaClient(bootstrap_servers=self._bootstrap, request_timeout_ms=3000, **self._options)
            await client.bootstrap()
            self._client = client
        await self._client.fetch_all_metadata()

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()


Setup = Callable[[FastAPI, ApiResources], Awaitable[None]]


def create_app(
    *,
    service: str,
    settings: ServiceSettings,
    routers: Sequence[APIRouter],
    setup: Setup | None = None,
    description: str = "",
    public_routes: Sequence[PublicRoute] = (),
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        client, db = connect(settings.mongo_url, settings.mongo_db)
        probe = KafkaProbe(settings.kafka_bootstrap, settings.kafka_options())
        app.state.db = db
        app.state.kafka_probe = probe
        app.state.rate_limiter = FixedWindowLimiter(db["rate_limits"])
        app.state.idempotency = IdempotencyStore(
            db[KEYS_COLLECTION], lease_s=settings.idempotency_lease_s, faults=FaultPoints(settings.fault_point)
        )
        if setup is not None:
            await setup(app, ApiResources(settings=settings, mongo=client, db=db))
        try:
            yield
        finally:
            await probe.close()
            await client.close()

    app = FastAPI(title=f"towngrid {service}", version="1", description=description, lifespan=lifespan)
    app.state.settings = settings
    app.state.token_verifier = TokenVerifier(
        issuer=settings.auth_issuer,
        audience=settings.auth_audience,
        secret=settings.auth_jwt_secret.get_secret_value() if settings.auth_jwt_secret else None,
        public_key=settings.auth_public_key,
        jwks_url=settings.auth_jwks_url,
        max_lifetime_s=settings.auth_max_token_lifetime_s,
        clock_skew_s=settings.auth_clock_skew_s,
    )
    install_problem_handlers(app)
    app.add_middleware(StrictJsonBodies)  # inside BodySizeLimit: reads only bodies already capped
    app.add_middleware(BodySizeLimit, max_body_bytes=settings.max_body_bytes, public_routes=public_routes,
                       window_s=settings.public_rate_window_s, trusted_proxies=settings.trusted_proxies)
    app.add_middleware(ObservedRequests, service=service)
    app.state.service = service
    app.include_router(_health_router(service), responses=error_responses())
    for router in routers:
        app.include_router(router, responses=error_responses())
    return app


def _health_router(service: str) -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/healthz", summary="The process answers")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": service}

    @router.get("/metrics", summary="Prometheus metrics", response_class=PlainTextResponse)
    async def metrics() -> PlainTextResponse:
        return PlainTextResponse(generate_latest().decode(), media_type=CONTENT_TYPE_LATEST)

    @router.get("/readyz", summary="Kafka and MongoDB are reachable", response_model=None)
    async def readyz(request: Request) -> Any:  # noqa: ANN401
        return await _readiness(request.app)

    return router


async def _readiness(app: FastAPI) -> Any:  # noqa: ANN401
    checks: dict[str, str] = {}
    for name, check in (("mongo", lambda: app.state.db.command("ping")), ("kafka", app.state.kafka_probe.check)):
        try:
            await asyncio.wait_for(check(), timeout=3)
            checks[name] = "ok"
        except Exception as error:  # noqa: BLE001 - any failure means not ready
            checks[name] = f"unavailable: {type(error).__name__}"
    if all(v == "ok" for v in checks.values()):
        return {"status": "ready", **checks}
    return problem(503, "Not ready", "a dependency is unreachable", checks=checks)


access_log = logging.getLogger("towngrid.access")


class ObservedRequests:
    """ASGI middleware: the request's correlation id (``X-Correlation-Id`` in and out) for the
    logs and the events it causes, and the HTTP metrics per route template."""

    def __init__(self, app: Any, service: str) -> None:  # noqa: ANN401
        self._app = app
        self._service = service

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:  # noqa: ANN401
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        cid = observability.parse_correlation(headers.get(b"x-correlation-id", b"").decode("latin-1") or None)
        token = observability.correlation.set(cid)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: dict) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", []).append((b"x-correlation-id", str(cid).encode()))
            await send(message)

        try:
            await self._app(scope, receive, send_with_id)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            method = scope.get("method", "")
            elapsed_ms = (time.perf_counter() - started) * 1000
            access_log.info("%s %s %s %.1fms", method, route, status, elapsed_ms)
            observability.HTTP_REQUESTS.labels(self._service, method, route, str(status)).inc()
            observability.HTTP_LATENCY.labels(self._service, method, route).observe(elapsed_ms / 1000)
            observability.correlation.reset(token)


def serve(app: FastAPI, settings: ServiceSettings) -> None:
    if settings.log_format == "json":
        configure_logging(f"{app.state.service}-api")
        log_config = None
    else:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        log_config = uvicorn.config.LOGGING_CONFIG
    # uvicorn believes X-Forwarded-For from 127.0.0.1 by default: a client on the same host (or
    # behind a local proxy that passes the header on) could name any address and escape every
    # per-client limit. The header counts only from TRUSTED_PROXIES (none by default), as in
    # ratelimit.client_address.
    trusted = [cidr.strip() for cidr in settings.trusted_proxies if cidr.strip()]
    uvicorn.run(app, host=settings.http_host, port=settings.http_port, log_level="info", access_log=False,
                log_config=log_config, proxy_headers=bool(trusted), forwarded_allow_ips=trusted or None)
