"""What operators see: JSON log lines carrying the correlation id, and Prometheus metrics.

The correlation id of the request (``X-Correlation-Id``, or a new one) or of the event being
handled is kept in a context variable: every log line carries it, and the events a command
causes carry it too (with the handled event as their ``causation_id``), so one flow can be
followed across services.
"""

from __future__ import annotations

import json
import logging
import sys
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

from prometheus_client import Counter, Gauge, Histogram

correlation: ContextVar[uuid.UUID | None] = ContextVar("correlation", default=None)
causation: ContextVar[uuid.UUID | None] = ContextVar("causation", default=None)

HTTP_REQUESTS = Counter("towngrid_http_requests_total", "HTTP requests answered",
                        ["service", "method", "route", "status"])
HTTP_LATENCY = Histogram("towngrid_http_request_duration_seconds", "HTTP request latency",
                         ["service", "method", "route"],
                         buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
EVENTS_CONSUMED = Counter("towngrid_events_consumed_total", "Messages a consumer finished with, by outcome",
                          ["service", "topic", "outcome"])
EVENTS_PUBLISHED = Counter("towngrid_events_published_total", "Events the outbox relay published",
                           ["service", "topic"])
OUTBOX_BACKLOG = Gauge("towngrid_outbox_backlog_commits", "Stored commits whose events are not yet published",
                       ["service"])
OUTBOX_OLDEST_AGE = Gauge("towngrid_outbox_oldest_age_seconds", "Age of the oldest unpublished commit",
                          ["service"])
DATABASE_COMMANDS = Counter("towngrid_database_commands_total", "Commands sent to the database, by command name",
                            ["command"])
CONSUMER_LAG = Gauge("towngrid_consumer_lag_messages", "Messages behind the end of the partition",
                     ["service", "topic", "partition"])


class JsonLines(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "service": self._service,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if (cid := correlation.get()) is not None:
            line["correlation_id"] = str(cid)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def configure_logging(service: str, level: int = logging.INFO) -> None:
    """One JSON object per line on stderr, for every logger (uvicorn's and FastStream's too)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLines(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "faststream", "faststream.access.kafka"):
        named = logging.getLogger(name)
        named.handlers[:] = []
        named.propagate = True


def parse_correlation(value: str | None) -> uuid.UUID:
    try:
        return uuid.UUID(value) if value else uuid.uuid4()
    except ValueError:
        return uuid.uuid4()
