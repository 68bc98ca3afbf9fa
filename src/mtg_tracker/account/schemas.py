"""Request and response shapes of the account routes (API.md: Accounts)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from mtg_tracker.kit.schemas import Flag, RequestBody

Role = Literal["user", "admin", "api_client"]
Scope = Literal["read", "write"]


class RegisterRequest(RequestBody):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=320, examples=["jace@example.com"])
    # The upper bound here only stops absurd bodies; the configured policy gives the precise message.
    password: str = Field(min_length=1, max_length=4096)
    display_name: str | None = Field(None, max_length=100)


class UserRead(BaseModel):
    object: Literal["user"] = "user"
    id: uuid.UUID
    email: str
    display_name: str | None
    role: Role
    is_active: bool
    created_at: datetime
    last_login_at: datetime | None


class UserList(BaseModel):
    object: Literal["list"] = "list"
    total: int
    has_more: bool
    next_page: str | None
    data: list[UserRead]


class UserUpdate(RequestBody):
    """All optional; changing the email needs the current password."""

    model_config = ConfigDict(extra="forbid")

    display_name: str | None = Field(None, max_length=100)
    email: str | None = Field(None, min_length=3, max_length=320)
    current_password: str | None = Field(None, max_length=4096)


class PasswordChange(RequestBody):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(max_length=4096)
    new_password: str = Field(min_length=1, max_length=4096)


class TokenResponse(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int = Field(description="Seconds until the access token expires.")


class RefreshRequest(RequestBody):
    model_config = ConfigDict(extra="forbid")

    refresh_token: str = Field(min_length=1, max_length=200)


class LogoutRequest(RequestBody):
    model_config = ConfigDict(extra="forbid")

    refresh_token: str | None = Field(None, max_length=200)


class ApiKeyCreate(RequestBody):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    scopes: list[Scope] = Field(default_factory=lambda: list[Scope](["read"]), min_length=1, max_length=2)
    expires_at: datetime | None = Field(None, description="Optional expiry (ISO 8601 with a time zone).")


class ApiKeyRead(BaseModel):
    object: Literal["api_key"] = "api_key"
    id: uuid.UUID
    name: str
    prefix: str = Field(description="The key's first characters, to recognise it; the key itself is never shown again.")
    scopes: list[Scope]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyRead):
    key: str = Field(description="The secret key. Shown once: only its hash is stored.")


class ApiKeyList(BaseModel):
    object: Literal["list"] = "list"
    total: int
    data: list[ApiKeyRead]


class AdminUserUpdate(RequestBody):
    model_config = ConfigDict(extra="forbid")

    role: Role | None = None
    is_active: Flag | None = Field(None, description="false disables the user: their tokens and keys stop at once.")


class AuditEventRead(BaseModel):
    object: Literal["audit_event"] = "audit_event"
    id: int
    at: datetime
    action: str
    actor_id: uuid.UUID | None
    target_type: str | None
    target: str | None
    address: str | None
    details: dict[str, Any] | None


class AuditEventList(BaseModel):
    object: Literal["list"] = "list"
    has_more: bool
    next_page: str | None
    data: list[AuditEventRead]
