"""Administration pages (admins only): users and the audit log, read-only views of the account service."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from mtg_tracker.account import errors as account_errors
from mtg_tracker.account import service as account_service
from mtg_tracker.account.service import Principal
from mtg_tracker.kit.deps import ReadSessionDep
from mtg_tracker.web.pages import WebRoute, render, require_login

router = APIRouter(route_class=WebRoute, include_in_schema=False)


async def require_admin(request: Request) -> Principal:
    principal = await require_login(request)
    if not principal.is_admin:
        raise account_errors.AdminRequired()
    return principal


@router.get("/admin")
async def admin_page(
    request: Request,
    session: ReadSessionDep,
    q: Annotated[str, Query(max_length=320)] = "",
    action: Annotated[str, Query(max_length=40)] = "",
    before: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    await require_admin(request)
    users, total = await account_service.list_users(session, q=q or None, role=None, offset=0, limit=200)
    events, has_more = await account_service.list_audit(
        session, action=action or None, actor_id=None, target=None, before=before, limit=100
    )
    return await render(
        request,
        "admin.html",
        {"users": users, "total_users": total, "events": events, "has_more": has_more, "q": q, "action": action},
    )
