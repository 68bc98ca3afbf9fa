"""Account routes (API.md: Accounts): registration, tokens, the caller's profile and API keys, administration."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.security import OAuth2PasswordRequestForm
from sqlalchemy.ext.asyncio import AsyncSession

from mtg_tracker.account import errors
from mtg_tracker.account import service as account_service
from mtg_tracker.account.deps import AdminUser, CurrentPrincipal, CurrentUser, OptionalPrincipal, WritePrincipal
from mtg_tracker.account.models import ApiKey, AuditEvent, User
from mtg_tracker.account.schemas import (
    AdminUserUpdate,
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyList,
    ApiKeyRead,
    AuditEventList,
    AuditEventRead,
    LogoutRequest,
    PasswordChange,
    RefreshRequest,
    RegisterRequest,
    Role,
    TokenResponse,
    UserList,
    UserRead,
    UserUpdate,
)
from mtg_tracker.account.service import Outcome
from mtg_tracker.config import AuthSettings
from mtg_tracker.kit.deps import ReadSessionDep, SessionDep, SettingsDep
from mtg_tracker.kit.errors import ValidationFailed
from mtg_tracker.kit.middleware import client_ip_var
from mtg_tracker.kit.schemas import MAX_ROW_ID, control_character, error_responses

auth_router = APIRouter(tags=["auth"])
users_router = APIRouter(tags=["users"])
admin_router = APIRouter(tags=["admin"])

_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def user_read(user: User) -> UserRead:
    return UserRead(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        role=user.role,
        is_active=user.is_active,
        created_at=user.created_at,
        last_login_at=user.last_login_at,
    )


def key_read(key: ApiKey) -> dict[str, object]:
    return {
        "id": key.id,
        "name": key.name,
        "prefix": key.prefix,
        "scopes": key.scopes.split(),
        "created_at": key.created_at,
        "expires_at": key.expires_at,
        "last_used_at": key.last_used_at,
        "revoked_at": key.revoked_at,
    }


async def _finish(session: AsyncSession, outcome: Outcome, response: Response) -> TokenResponse:
    """Commit what the outcome recorded (a failed attempt counts even though the request fails), then
    answer or raise."""
    await session.commit()
    if outcome.error is not None:
        raise outcome.error
    assert outcome.pair is not None
    response.headers.update(_NO_STORE)
    return TokenResponse(
        access_token=outcome.pair.access_token,
        refresh_token=outcome.pair.refresh_token,
        expires_in=outcome.pair.expires_in,
    )


# -- auth ------------------------------------------------------------------------------------------------


@auth_router.post(
    "/auth/register",
    status_code=201,
    response_model=UserRead,
    responses=error_responses(400, 403, 409, 429),
    summary="Register a user",
)
async def register(
    data: RegisterRequest, session: SessionDep, settings: SettingsDep, principal: OptionalPrincipal
) -> UserRead:
    """Create an account. The email is normalised (trimmed, lower-case) and must be unused; the password
    must have at least `MTG_AUTH__PASSWORD_MIN_LENGTH` (12) characters and not be a common one. When
    `MTG_AUTH__REGISTRATION_OPEN=false`, only an administrator can register users."""
    if not settings.auth.registration_open and (principal is None or not principal.is_admin):
        raise errors.RegistrationClosed()
    user = await account_service.create_user(
        session,
        email=data.email,
        password=data.password,
        display_name=data.display_name,
        auth=settings.auth,
        actor_id=principal.user_id if principal else None,
        address=client_ip_var.get(),
    )
    return user_read(user)


@auth_router.post(
    "/auth/token",
    response_model=TokenResponse,
    responses=error_responses(400, 401, 403, 429),
    summary="Log in (OAuth2 password form)",
)
async def token(
    request: Request,
    response: Response,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
    settings: SettingsDep,
) -> TokenResponse:
    """`application/x-www-form-urlencoded` with `username` (the email) and `password`. Answers an access
    token (a JWT, `expires_in` seconds) and a refresh token. A wrong email and a wrong password get the
    same 401. Within the window, after `MTG_AUTH__LOGIN_MAX_FAILURES` (5) failures for an account from one
    client address, `MTG_AUTH__LOGIN_MAX_FAILURES_PER_ACCOUNT` (100) for an account from all addresses, or
    `MTG_AUTH__LOGIN_MAX_FAILURES_PER_ADDRESS` (20) from one address, attempts get 429 with `Retry-After`;
    a stranger's failures lock only their own address out of an account, not its owner."""
    problems = [
        {"field": f"body.{name}", "message": f"must not contain control characters ({found} found)"}
        for name, value in (("username", form.username), ("password", form.password))
        if (found := control_character(value)) is not None
    ]
    if problems:  # PostgreSQL refuses NUL in text: stop it here as a 400, before the lockout bookkeeping
        raise ValidationFailed("The login form contains control characters.", errors=problems)
    outcome = await account_service.login(
        session,
        email=form.username,
        password=form.password,
        address=client_ip_var.get(),
        user_agent=request.headers.get("user-agent"),
        ring=request.app.state.key_ring,
        auth=settings.auth,
    )
    return await _finish(session, outcome, response)


@auth_router.post(
    "/auth/refresh",
    response_model=TokenResponse,
    responses=error_responses(400, 401, 403, 429),
    summary="Rotate a refresh token",
)
async def refresh(
    request: Request, response: Response, data: RefreshRequest, session: SessionDep, settings: SettingsDep
) -> TokenResponse:
    """Exchange a refresh token for a new access token and a new refresh token; the old one stops working.
    Presenting an already-used refresh token revokes its whole session (every token of that login)."""
    outcome = await account_service.refresh(
        session,
        token=data.refresh_token,
        address=client_ip_var.get(),
        ring=request.app.state.key_ring,
        auth=settings.auth,
    )
    return await _finish(session, outcome, response)


@auth_router.post("/auth/logout", status_code=204, responses=error_responses(400, 401), summary="Log out")
async def logout(session: SessionDep, principal: OptionalPrincipal, data: LogoutRequest | None = None) -> Response:
    """Revoke the session of the access token sent (or of the refresh token in the body): its refresh
    tokens and access tokens stop working at once. Idempotent: a token of a session that is already
    logged out (or rotated, or expired) is still 204. A refresh token this server never issued is 401,
    so a client with a corrupted token is not told its session ended while it is still alive."""
    if principal is None and (data is None or not data.refresh_token):
        raise errors.NotAuthenticated("Send the access token or the refresh token to log out.")
    await account_service.logout(
        session, principal=principal, refresh_token=data.refresh_token if data else None, address=client_ip_var.get()
    )
    return Response(status_code=204)


# -- the caller ------------------------------------------------------------------------------------------


@users_router.get("/users/me", response_model=UserRead, responses=error_responses(401, 403), summary="Who am I")
async def read_me(user: CurrentUser) -> UserRead:
    """The authenticated user (by access token or API key)."""
    return user_read(user)


@users_router.patch(
    "/users/me", response_model=UserRead, responses=error_responses(400, 401, 403, 409), summary="Update me"
)
async def update_me(data: UserUpdate, user: CurrentUser, _: WritePrincipal, session: SessionDep) -> UserRead:
    """Change the display name, or the email (needs `current_password`)."""
    return user_read(await account_service.update_me(session, user=user, data=data, address=client_ip_var.get()))


@users_router.post(
    "/users/me/password", status_code=204, responses=error_responses(400, 401, 403), summary="Change my password"
)
async def change_password(
    data: PasswordChange, user: CurrentUser, principal: WritePrincipal, session: SessionDep, settings: SettingsDep
) -> Response:
    """Set a new password; every other session is logged out (this one stays)."""
    await account_service.change_password(
        session,
        user=user,
        current=data.current_password,
        new=data.new_password,
        keep_session=principal.session_id,
        auth=settings.auth,
        address=client_ip_var.get(),
    )
    return Response(status_code=204)


@users_router.get(
    "/users/me/api-keys", response_model=ApiKeyList, responses=error_responses(401, 403), summary="My API keys"
)
async def list_keys(principal: CurrentPrincipal, session: ReadSessionDep) -> ApiKeyList:
    """Every key of the caller (never the secret), revoked ones included."""
    keys = await account_service.list_api_keys(session, principal.user_id)
    return ApiKeyList(total=len(keys), data=[ApiKeyRead(**key_read(k)) for k in keys])


@users_router.post(
    "/users/me/api-keys",
    status_code=201,
    response_model=ApiKeyCreated,
    responses=error_responses(400, 401, 403),
    summary="Create an API key",
)
async def create_key(
    data: ApiKeyCreate, principal: WritePrincipal, session: SessionDep, response: Response
) -> ApiKeyCreated:
    """A key for `X-API-Key`, with scopes `read` and/or `write` and an optional expiry. The `key` is in
    this response only; the server keeps a hash."""
    api_key, secret = await account_service.create_api_key(
        session, user_id=principal.user_id, data=data, address=client_ip_var.get()
    )
    response.headers.update(_NO_STORE)
    return ApiKeyCreated(**key_read(api_key), key=secret)


@users_router.delete(
    "/users/me/api-keys/{key_id}",
    status_code=204,
    responses=error_responses(401, 403, 404),
    summary="Revoke an API key",
)
async def revoke_key(
    key_id: Annotated[uuid.UUID, Path(description="The key's id.")], principal: WritePrincipal, session: SessionDep
) -> Response:
    """The key stops working at once. Another user's key is 404."""
    await account_service.revoke_api_key(session, user_id=principal.user_id, key_id=key_id, address=client_ip_var.get())
    return Response(status_code=204)


# -- administration --------------------------------------------------------------------------------------


@admin_router.get("/admin/users", response_model=UserList, responses=error_responses(401, 403), summary="List users")
async def admin_list_users(
    request: Request,
    _: AdminUser,
    session: ReadSessionDep,
    q: Annotated[str | None, Query(max_length=320, description="Part of the email.")] = None,
    role: Annotated[Role | None, Query(description="Only this role.")] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 100,
) -> UserList:
    """Users, oldest first (admin only)."""
    users, total = await account_service.list_users(
        session, q=q, role=role, offset=(page - 1) * page_size, limit=page_size
    )
    has_more = page * page_size < total
    return UserList(
        total=total,
        has_more=has_more,
        next_page=str(request.url.include_query_params(page=page + 1)) if has_more else None,
        data=[user_read(u) for u in users],
    )


UserId = Annotated[uuid.UUID, Path(description="The user's id.")]


@admin_router.get(
    "/admin/users/{user_id}", response_model=UserRead, responses=error_responses(401, 403, 404), summary="One user"
)
async def admin_get_user(user_id: UserId, _: AdminUser, session: ReadSessionDep) -> UserRead:
    """One user (admin only)."""
    return user_read(await account_service.get_user(session, user_id))


@admin_router.patch(
    "/admin/users/{user_id}",
    response_model=UserRead,
    responses=error_responses(400, 401, 403, 404, 409),
    summary="Change a user",
)
async def admin_update_user(
    user_id: UserId, data: AdminUserUpdate, admin: AdminUser, _: WritePrincipal, session: SessionDep
) -> UserRead:
    """Change a user's role (`user`, `admin`, `api_client`) or disable them: a disabled user's sessions
    are revoked and their tokens and API keys are refused from the next request. The last active admin
    cannot be demoted or disabled (409)."""
    user = await account_service.admin_update_user(
        session, actor=admin, user_id=user_id, data=data, address=client_ip_var.get()
    )
    return user_read(user)


def audit_read(event: AuditEvent) -> AuditEventRead:
    import json

    return AuditEventRead(
        id=event.id,
        at=event.at,
        action=event.action,
        actor_id=event.actor_id,
        target_type=event.target_type,
        target=event.target,
        address=event.address,
        details=json.loads(event.details) if event.details else None,
    )


@admin_router.get(
    "/admin/audit", response_model=AuditEventList, responses=error_responses(400, 401, 403), summary="Audit log"
)
async def admin_audit(
    request: Request,
    _: AdminUser,
    session: ReadSessionDep,
    action: Annotated[
        str | None, Query(max_length=40, description="An action (`login.failure`) or a family (`login`).")
    ] = None,
    actor_id: Annotated[uuid.UUID | None, Query(description="Only events by this user.")] = None,
    target: Annotated[
        str | None, Query(max_length=320, description="Only events on this target (user id, email, key id).")
    ] = None,
    before: Annotated[int | None, Query(ge=1, le=MAX_ROW_ID, description="Cursor: events older than this id.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> AuditEventList:
    """Security events, newest first (admin only): logins, refresh-token re-use, API keys, role and status
    changes, with actor, target, client address and time. Never a secret."""
    events, has_more = await account_service.list_audit(
        session, action=action, actor_id=actor_id, target=target, before=before, limit=limit
    )
    return AuditEventList(
        has_more=has_more,
        next_page=str(request.url.include_query_params(before=events[-1].id)) if has_more and events else None,
        data=[audit_read(e) for e in events],
    )


def document_password_policy(schema: dict[str, Any], auth: AuthSettings) -> None:
    """The OpenAPI's password lengths are the configured policy's, not the schema's loose bounds (the
    schema only stops absurd bodies; the policy check gives the precise message, as a 400)."""
    components = schema.get("components", {}).get("schemas", {})
    for model, field in (("RegisterRequest", "password"), ("PasswordChange", "new_password")):
        prop = components.get(model, {}).get("properties", {}).get(field)
        if prop is not None:
            prop["minLength"] = auth.password_min_length
            prop["maxLength"] = auth.password_max_length
