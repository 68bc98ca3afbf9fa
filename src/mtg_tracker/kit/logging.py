"""structlog set-up: one JSON object per line, request context merged from contextvars.

The standard library's loggers (uvicorn, alembic, sqlalchemy) are routed through the same renderer, so
an operator's log pipeline sees one format only. ``auto`` (the default) renders for a person when stderr
is a terminal and JSON otherwise, so a developer reads the console and a log pipeline gets JSON without
anyone configuring either.
"""

from __future__ import annotations

import logging
import sys
from typing import Any, TextIO

import structlog

_configured: tuple[str, str] | None = None

# Loggers whose INFO lines are start-up chatter, not events: Alembic announces each of its plugins when
# the migration code is imported (seven lines before every `serve`).
_QUIET_LOGGERS = ("alembic.runtime.plugins",)


def resolve_format(fmt: str, stream: TextIO) -> str:
    """``json`` or ``console``; ``auto`` picks console for a terminal and JSON for anything else."""
    if fmt != "auto":
        return fmt
    isatty = getattr(stream, "isatty", None)
    return "console" if isatty is not None and isatty() else "json"


def configure_logging(level: str = "INFO", fmt: str = "auto") -> None:
    global _configured
    fmt = resolve_format(fmt, sys.stderr)
    if _configured == (level, fmt):
        return
    _configured = (level, fmt)

    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: Any
    if fmt == "json":
        renderer = structlog.processors.JSONRenderer()
        # Without locals: a frame's locals can hold passwords, tokens and SQL parameters, and they made
        # one failed statement a hundred-kilobyte log line.
        shared_tail: list[Any] = [
            structlog.processors.ExceptionRenderer(structlog.tracebacks.ExceptionDictTransformer(show_locals=False))
        ]
    else:
        renderer = structlog.dev.ConsoleRenderer(
            colors=sys.stderr.isatty(),
            exception_formatter=structlog.dev.RichTracebackFormatter(show_locals=False),
        )
        shared_tail = []

    structlog.configure(
        processors=[
            *shared,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )

    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            *shared_tail,
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # uvicorn installs its own handlers; make its loggers propagate to ours instead, and silence its
    # access log because our middleware writes a richer one (route template, request id, duration).
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "alembic", "sqlalchemy", "httpx"):
        lg = logging.getLogger(name)
        lg.handlers[:] = []
        lg.propagate = True
    logging.getLogger("uvicorn.access").disabled = True
    logging.getLogger("httpx").setLevel(max(logging.WARNING, root.level))
    logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    for name in _QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.stdlib.get_logger(name)
