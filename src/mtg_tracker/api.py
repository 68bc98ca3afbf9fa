"""Every domain router, and each domain's process start-up/shut-down, listed explicitly."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

router = APIRouter()


async def startup(app: FastAPI) -> None:
    """Process-wide resources of the domains (HTTP clients, …), created once per worker."""


async def shutdown(app: FastAPI) -> None:
    """Release what ``startup`` created."""
