"""The registry of feature flags (every flag has an owner and a sunset date) and their admin API.

A flag is temporary by design: at its sunset date it must be gone (the code it guards made permanent
or removed) — tests/ops/test_features.py fails for any flag past its sunset. Extend a sunset only with
the owner's reason in the commit.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, Field, field_validator

from mtg_tracker.account.deps import AdminUser, WritePrincipal
from mtg_tracker.kit.features import FeatureFlags, Flag, parse_value, register_flag
from mtg_tracker.kit.schemas import error_responses

# Wired when the forecasts and marketplace work merges: their routers depend on require_feature(name).
FORECASTS = register_flag(
    Flag(
        name="forecasts",
        owner="forecasts team",
        sunset=date(2027, 6, 30),
        description="Price forecasts (routes and jobs of the forecasts domain).",
        default="on",
    )
)
MARKETPLACE = register_flag(
    Flag(
        name="marketplace",
        owner="marketplace team",
        sunset=date(2027, 6, 30),
        description="The marketplace: listings, orders, shops, the ledger and its integrity checks.",
        default="on",
    )
)


class FeatureFlagRead(BaseModel):
    object: Literal["feature_flag"] = "feature_flag"
    name: str
    owner: str
    sunset: date
    description: str
    default: str
    environment: str | None = Field(description="MTG_FEATURES__<NAME> at start, normalised; null = unset.")
    override: str | None = Field(description="The run-time value set through this API; null = none.")
    effective: str = Field(description="What callers get now: on, off or a percentage of callers.")


class FeatureFlagList(BaseModel):
    object: Literal["list"] = "list"
    data: list[FeatureFlagRead]


class FeatureFlagUpdate(BaseModel):
    value: str = Field(description="on, off, or a percentage 0-100 of callers (stable per client address).")

    @field_validator("value")
    @classmethod
    def _valid(cls, value: str) -> str:
        parse_value(value)
        return value


FlagName = Annotated[str, Path(max_length=64)]

router = APIRouter(prefix="/admin/features", tags=["admin"])


def _flags(request: Request) -> FeatureFlags:
    flags: FeatureFlags = request.app.state.features
    return flags


async def _read(request: Request, name: str) -> FeatureFlagRead:
    for item in await _flags(request).describe():
        if item["name"] == name:
            return FeatureFlagRead(**item)
    raise AssertionError(name)  # set_override/clear_override already refused unknown names


@router.get("", response_model=FeatureFlagList, responses=error_responses(401, 403), summary="List feature flags")
async def list_flags(request: Request, _: AdminUser) -> FeatureFlagList:
    """Every registered flag with its owner, sunset, and where its current value comes from."""
    return FeatureFlagList(data=[FeatureFlagRead(**item) for item in await _flags(request).describe()])


@router.put(
    "/{name}",
    response_model=FeatureFlagRead,
    responses=error_responses(400, 401, 403, 404),
    summary="Set a feature flag at run time",
)
async def set_flag(
    name: FlagName, data: FeatureFlagUpdate, request: Request, admin: AdminUser, _: WritePrincipal
) -> FeatureFlagRead:
    """Overrides the environment for every instance (each follows within 10 seconds)."""
    await _flags(request).set_override(name, data.value, actor=str(admin.user_id))
    return await _read(request, name)


@router.delete(
    "/{name}",
    response_model=FeatureFlagRead,
    responses=error_responses(401, 403, 404),
    summary="Remove a run-time override",
)
async def clear_flag(name: FlagName, request: Request, _: AdminUser, __: WritePrincipal) -> FeatureFlagRead:
    """The flag goes back to MTG_FEATURES__<NAME>, or its default."""
    await _flags(request).clear_override(name)
    return await _read(request, name)
