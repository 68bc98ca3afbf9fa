"""OpenTelemetry tracing, opt-in: ``MTG_OTEL__ENDPOINT`` (an OTLP/HTTP collector, e.g. ``http://otel:4318``).

Spans: each HTTP request (FastAPI), each SQL statement (SQLAlchemy), each Redis command, each upstream
(Scryfall) attempt and each outgoing httpx request, each job run. With no endpoint configured nothing
is imported from OpenTelemetry and :func:`span` is an empty context manager: tracing off costs one
``None`` check per span site.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

    from mtg_tracker.config import Settings
    from mtg_tracker.kit.db import Database

_tracer: Any = None
_provider: Any = None
_global_instrumentors: list[Any] = []


def enabled() -> bool:
    return _tracer is not None


@contextlib.contextmanager
def span(name: str, attributes: Mapping[str, str | int | float | bool] | None = None) -> Iterator[None]:
    """A span around the block (an exception is recorded on it and re-raised); nothing when tracing is off."""
    if _tracer is None:
        yield
        return
    with _tracer.start_as_current_span(name, attributes=dict(attributes or {})):
        yield


def traces_url(endpoint: str) -> str:
    """The collector's base URL, or its full traces URL, as the OTLP/HTTP exporter wants it."""
    endpoint = endpoint.rstrip("/")
    return endpoint if endpoint.endswith("/v1/traces") else f"{endpoint}/v1/traces"


def setup(settings: Settings, *, exporter: Any = None) -> bool:
    """Start tracing when configured (or when a test hands an exporter); True when it is on.

    Idempotent per process: the instrumentations that patch libraries (httpx, Redis) exist once.
    """
    global _tracer, _provider
    if _tracer is not None:
        return True
    if exporter is None and not settings.otel.endpoint:
        return False
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
    from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased

    from mtg_tracker import __version__

    resource = Resource.create(
        {
            "service.name": settings.otel.service_name,
            "service.version": __version__,
            "deployment.environment": settings.environment.value,
        }
    )
    provider = TracerProvider(resource=resource, sampler=ParentBased(TraceIdRatioBased(settings.otel.sample_ratio)))
    if exporter is not None:
        # Tests read spans as soon as they end.
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        assert settings.otel.endpoint is not None
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=traces_url(settings.otel.endpoint))))
    for instrumentor in (HTTPXClientInstrumentor(), RedisInstrumentor()):
        instrumentor.instrument(tracer_provider=provider)
        _global_instrumentors.append(instrumentor)
    _provider = provider
    _tracer = provider.get_tracer("mtg_tracker")
    return True


def instrument_app(app: FastAPI) -> None:
    if _provider is None:
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    # /metrics and the probes are polled every few seconds: spans for them would drown the rest.
    FastAPIInstrumentor.instrument_app(
        app, tracer_provider=_provider, excluded_urls="/metrics,/health,/healthz,/ready,/readyz"
    )


def instrument_database(db: Database) -> None:
    """A span per SQL statement, through SQLAlchemy's engine events (the OpenTelemetry SQLAlchemy
    instrumentation does not support SQLAlchemy 2.1)."""
    if _tracer is None:
        return
    for engine in {id(e.sync_engine): e.sync_engine for e in (db.engine, db.read_engine)}.values():
        _trace_engine(engine, _tracer)


def _trace_engine(engine: Any, tracer: Any) -> None:
    from sqlalchemy import event

    system = engine.dialect.name

    def before(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        verb = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else "SQL"
        context._mtg_span = tracer.start_span(
            verb,
            kind=_client_kind(),
            # The statement's text only: values travel as bound parameters and are never recorded.
            attributes={"db.system": system, "db.statement": statement[:2000]},
        )

    def after(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        span_ = getattr(context, "_mtg_span", None)
        if span_ is not None:
            span_.end()

    def failed(exception_context: Any) -> None:
        context = exception_context.execution_context
        span_ = getattr(context, "_mtg_span", None) if context is not None else None
        if span_ is not None:
            from opentelemetry.trace import Status, StatusCode

            span_.record_exception(exception_context.original_exception)
            span_.set_status(Status(StatusCode.ERROR))
            span_.end()

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    event.listen(engine, "handle_error", failed)


def _client_kind() -> Any:
    from opentelemetry.trace import SpanKind

    return SpanKind.CLIENT


def shutdown() -> None:
    """Flush and stop (process exit; tests that turned tracing on)."""
    global _tracer, _provider
    if _provider is None:
        return
    for instrumentor in _global_instrumentors:
        instrumentor.uninstrument()
    _global_instrumentors.clear()
    _provider.shutdown()
    _tracer = _provider = None
