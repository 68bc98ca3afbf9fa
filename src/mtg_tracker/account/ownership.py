"""The one way domains load "my" resource: another user's private resource is 404, never 403, so ids
cannot be probed for existence."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from mtg_tracker.account.service import Principal
from mtg_tracker.kit.errors import NotFound

T = TypeVar("T")


async def get_owned(
    session: AsyncSession,
    model: type[T],
    resource_id: uuid.UUID | Any,
    principal: Principal | None,
    *,
    not_found: type[NotFound] = NotFound,
    public_attr: str | None = None,
    for_update: bool = False,
) -> T:
    """The row with this id when ``principal`` owns it (``owner_id``), or — for reads, when
    ``public_attr`` names a true column — whoever asks, anonymous included. Anything else: ``not_found``."""
    row = await session.get(model, resource_id, with_for_update=for_update or None)
    if row is None:
        raise not_found()
    if principal is not None and getattr(row, "owner_id") == principal.user_id:  # noqa: B009 - generic model
        return row
    if public_attr is not None and getattr(row, public_attr, False):
        return row
    raise not_found()


def owns(principal: Principal | None, row: Any) -> bool:
    return principal is not None and getattr(row, "owner_id", None) == principal.user_id
