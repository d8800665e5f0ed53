"""Logs and metrics for the operator: structured records, a request id, job events.

Logging (``configure_logging``, done by every app not made for tests): one handler on
the ``kleroterion`` and ``huey`` loggers, writing to standard error either plain lines or
one JSON object per line, as ``KLEROTERION_LOG_FORMAT`` says (``plain``, the default,
or ``json``); ``KLEROTERION_LOG_LEVEL`` sets the level (``INFO``). Every record carries
the id of the request or job it belongs to (``request_id``, ``-`` outside both).

No personal value reaches a record: kleroterion's own messages hold record ids,
routes and states only; a request is logged by its route pattern (``/admin/members/
<int:member_id>``), never its query string; and an exception is logged by its type
and its traceback's frames, never its message, which may quote the failing row (a
database driver's error does). Werkzeug's access log, which prints the query string,
is replaced by kleroterion's own.

Request ids: a request keeps the ``X-Request-ID`` its proxy gave it when it is a
short token (letters, digits, ``-_.``), else gets a new one; the answer carries it.

Metrics (``init_app``): requests by route, method and status, their latency, and jobs
queued, running and failed, in Prometheus' text format at ``/metrics``, through
``prometheus_client``. Under gunicorn set ``PROMETHEUS_MULTIPROC_DIR`` (an empty folder
per start) so that every worker's counts are summed (deploy/gunicorn.conf.py does).
``/metrics`` answers a client on the loopback, or anyone presenting
``Authorization: Bearer <KLEROTERION_METRICS_TOKEN>`` when that setting is set;
``KLEROTERION_METRICS=false`` turns it off (404).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import hmac
import json
import logging
import os
import re
import sys
import time
import traceback
import uuid
from collections.abc import Iterator
from types import TracebackType
from typing import Any

from flask import Flask, Response, abort, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import REGISTRY, Collector

FORMAT_SETTING = "KLEROTERION_LOG_FORMAT"
LEVEL_SETTING = "KLEROTERION_LOG_LEVEL"
METRICS_SETTING = "KLEROTERION_METRICS"
METRICS_TOKEN_SETTING = "KLEROTERION_METRICS_TOKEN"
REQUEST_ID_HEADER = "X-Request-ID"
_ACCEPTED_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
#: The loggers whose records kleroterion's handler writes.
LOGGERS = ("kleroterion", "huey")

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

# prometheus_client writes a multiprocess folder's files as metrics are first used: the
# folder must exist in every process (a worker may start before the web app makes it).
if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)

REQUESTS = Counter("kleroterion_http_requests", "HTTP requests answered",
                   ("method", "route", "status"))
LATENCY = Histogram("kleroterion_http_request_duration_seconds",
                    "Time to answer an HTTP request", ("route",),
                    buckets=(.005, .01, .025, .05, .1, .15, .25, .5, 1, 2.5, 5, 10))
JOBS_RUNNING = Gauge("kleroterion_jobs_running", "Jobs being run now", ("job",),
                     multiprocess_mode="livesum")
JOBS_ENDED = Counter("kleroterion_jobs_ended", "Jobs that ended, by outcome",
                     ("job", "outcome"))


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def _exception_text(exc_info: ExcInfo | tuple[None, None, None]) -> str:
    """The traceback's frames and exception types, each message withheld."""
    kind, error, _tb = exc_info
    if kind is None or error is None:
        return ""
    lines: list[str] = []
    current: BaseException | None = error
    chain: list[BaseException] = []
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    for index, failure in enumerate(reversed(chain)):
        if index:
            lines.append("During the handling of the above, another exception occurred:")
        lines.append("Traceback (most recent call last):")
        lines.extend(line.rstrip("\n") for line in
                     traceback.format_list(traceback.extract_tb(failure.__traceback__)))
        name = f"{type(failure).__module__}.{type(failure).__qualname__}"
        lines.append(f"{name}: (message withheld: it may quote personal data)")
    return "\n".join(lines)


class PlainFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def formatException(self, ei: Any) -> str:
        return _exception_text(ei)

    def format(self, record: logging.LogRecord) -> str:
        # logging caches the exception text on the record: another handler's (with the
        # message) must not be reused, nor ours left for the next handler. A record
        # kleroterion.logsafe made carries no exc_info but its own safe text: keep that.
        if record.exc_info is None and record.exc_text:
            return super().format(record)
        cached, record.exc_text = record.exc_text, None
        try:
            return super().format(record)
        finally:
            record.exc_text = cached


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, request id, message, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(),
            "level": record.levelname, "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        for key in ("method", "route", "status", "duration_ms", "job", "job_id", "event"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exception"] = _exception_text(record.exc_info)
        elif record.exc_text:  # made safe by kleroterion.logsafe, which kept no exc_info
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


_HANDLER = "kleroterion.observability.handler"


def make_handler(fmt: str | None = None) -> logging.Handler:
    chosen = (fmt or os.environ.get(FORMAT_SETTING) or "plain").lower()
    if chosen not in ("plain", "json"):
        raise ValueError(f"{FORMAT_SETTING} {chosen!r} is not a log format; "
                         "expected plain or json")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if chosen == "json" else PlainFormatter())
    handler.addFilter(_RequestIdFilter())
    handler.set_name(_HANDLER)
    return handler


def configure_logging(fmt: str | None = None, level: str | None = None, *,
                      propagate: bool = True) -> None:
    """Send kleroterion's and huey's records to standard error, once (idempotent).

    The records still propagate to the root logger: it has no handler under gunicorn
    or the CLI (so nothing is written twice), and a test's or an embedding
    application's handlers there see every record.
    """
    chosen_level = (level or os.environ.get(LEVEL_SETTING) or "INFO").upper()
    handler = make_handler(fmt)
    for name in LOGGERS:
        logger = logging.getLogger(name)
        for old in [h for h in logger.handlers if h.get_name() == _HANDLER]:
            logger.removeHandler(old)
        logger.addHandler(handler)
        logger.setLevel(chosen_level)
        logger.propagate = propagate
    # Werkzeug's access lines print the query string; kleroterion logs requests itself.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


# ----------------------------------------------------------------------------- requests

log = logging.getLogger("kleroterion.web")


def _route() -> str:
    rule = request.url_rule
    return rule.rule if rule is not None else "(no route)"


def _begin() -> None:
    offered = request.headers.get(REQUEST_ID_HEADER, "")
    ident = offered if _ACCEPTED_ID.fullmatch(offered) else uuid.uuid4().hex
    g.kleroterion_request_id = ident
    g.kleroterion_token = request_id.set(ident)
    g.kleroterion_started = time.perf_counter()


def _end(response: Response) -> Response:
    ident = g.get("kleroterion_request_id")
    if ident is None:
        return response
    response.headers[REQUEST_ID_HEADER] = ident
    elapsed = time.perf_counter() - g.kleroterion_started
    route = _route()
    REQUESTS.labels(request.method, route, str(response.status_code)).inc()
    LATENCY.labels(route).observe(elapsed)
    log.info("%s %s %s %.1f ms", request.method, route, response.status_code,
             elapsed * 1000, extra={"method": request.method, "route": route,
                                    "status": response.status_code,
                                    "duration_ms": round(elapsed * 1000, 1)})
    return response


def _teardown(_error: BaseException | None) -> None:
    token = g.pop("kleroterion_token", None)
    if token is not None:
        request_id.reset(token)


# ----------------------------------------------------------------------------- jobs

job_log = logging.getLogger("kleroterion.jobs")


def job_event(signal: str, name: str, ident: str, error: BaseException | None) -> None:
    """Log a job's event and count it (huey's signals call this)."""
    from kleroterion.jobs.tasks import ENDED

    extra = {"job": name, "job_id": ident, "event": signal}
    if signal == "executing":
        JOBS_RUNNING.labels(name).inc()
    elif signal in ENDED:
        JOBS_RUNNING.labels(name).dec()
        JOBS_ENDED.labels(name, "failed" if signal != "complete" else "done").inc()
    if error is not None:
        job_log.error("job %s %s: %s", name, ident, signal, extra=extra,
                      exc_info=(type(error), error, error.__traceback__))
    else:
        job_log.info("job %s %s: %s", name, ident, signal, extra=extra)


class _QueueCollector(Collector):
    """The jobs waiting in the app's queue, read from the broker when scraped."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from kleroterion.jobs import queue_of

        family = GaugeMetricFamily("kleroterion_jobs_queued", "Jobs waiting for a worker")
        try:
            family.add_metric([], float(queue_of(self.app).pending_count()))
        except Exception:  # a broker that does not answer: say nothing rather than fail
            return
        yield family


def _registry(app: Flask) -> CollectorRegistry:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        for collector in (REQUESTS, LATENCY, JOBS_RUNNING, JOBS_ENDED):
            registry.register(collector)
    registry.register(_QueueCollector(app))
    return registry


def _allowed(app: Flask) -> bool:
    token = app.config.get(METRICS_TOKEN_SETTING) or os.environ.get(METRICS_TOKEN_SETTING)
    if token:
        offered = request.headers.get("Authorization", "")
        return hmac.compare_digest(offered.encode(), f"Bearer {token}".encode())
    return request.remote_addr in ("127.0.0.1", "::1")


def init_app(app: Flask) -> None:
    """Request ids and request logging on every answer, and the ``/metrics`` page."""
    if not app.testing:
        configure_logging(app.config.get(FORMAT_SETTING), app.config.get(LEVEL_SETTING))
    app.before_request(_begin)
    app.after_request(_end)
    app.teardown_request(_teardown)
    enabled = app.config.get(METRICS_SETTING, os.environ.get(METRICS_SETTING, "true"))
    if str(enabled).lower() in ("0", "false", "no", "off"):
        return

    @app.route("/metrics")
    def metrics() -> Response:
        if not _allowed(app):
            abort(404)
        return Response(generate_latest(_registry(app)), mimetype=CONTENT_TYPE_LATEST)

    del metrics


__all__ = ["REGISTRY", "configure_logging", "init_app", "job_event", "request_id"]
