"""Accounts: registration, login with a brute-force guard, sessions with rotating refresh tokens, API keys,
roles, and the audit log. Services flush; the request or CLI boundary commits.

Some failures must be remembered although the request fails (a failed login, a refresh token re-used):
those functions return an outcome instead of raising, so the boundary can commit before answering.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from mtg_tracker.account import errors
from mtg_tracker.account.models import ApiKey, AuditEvent, LoginFailure, RefreshToken, Session, User
from mtg_tracker.account.passwords import hash_password, policy_problems, verify_password
from mtg_tracker.account.schemas import AdminUserUpdate, ApiKeyCreate, UserUpdate
from mtg_tracker.account.tokens import (
    AccessClaims,
    InvalidToken,
    KeyRing,
    digest,
    issue_access_token,
    new_secret_token,
    verify_access_token,
)
from mtg_tracker.config import AuthSettings
from mtg_tracker.kit import metrics
from mtg_tracker.kit.db import utcnow
from mtg_tracker.kit.errors import AppError, BadRequest
from mtg_tracker.kit.logging import get_logger

log = get_logger("mtg_tracker.account")

API_KEY_PREFIX = "mtg"
REFRESH_PREFIX = "mtgr"
_EMAIL = re.compile(r"^[^@\s\x00-\x1f\x7f]{1,64}@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]{2,}$")
_LAST_USED_EVERY = timedelta(seconds=60)  # last_used_at is a hint, not a log: at most one write a minute


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: a user through a JWT session or through one of their API keys."""

    user_id: uuid.UUID
    role: str
    scopes: frozenset[str]
    via: str  # "jwt" | "api_key"
    key_id: uuid.UUID | None = None
    session_id: uuid.UUID | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@dataclass(frozen=True, slots=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int


@dataclass(slots=True)
class Outcome:
    """A result the boundary commits before it raises ``error`` (if any)."""

    pair: TokenPair | None = None
    user: User | None = None
    error: AppError | None = None


# -- users ---------------------------------------------------------------------------------------------


def normalise_email(email: str) -> str:
    value = email.strip().lower()
    if len(value) > 320 or not _EMAIL.match(value):
        raise errors.InvalidEmail()
    return value


def check_password(password: str, *, email: str | None, auth: AuthSettings) -> None:
    problems = policy_problems(
        password, email=email, min_length=auth.password_min_length, max_length=auth.password_max_length
    )
    if problems:
        raise errors.WeakPassword(
            "The password " + "; ".join(problems) + ".",
            errors=[{"field": "password", "message": p} for p in problems],
        )


def active_user_ids() -> Select[uuid.UUID]:
    """Ids of users who may act (not disabled), as a subquery for other domains' background work: a
    disabled account's alerts stop firing just as its tokens and keys stop working."""
    return select(User.id).where(User.is_active.is_(True))


async def get_user_by_email(session: AsyncSession, email: str) -> User | None:
    try:
        normalised = normalise_email(email)
    except errors.InvalidEmail:
        return None
    return (await session.execute(select(User).where(User.email == normalised))).scalar_one_or_none()


async def get_user(session: AsyncSession, user_id: uuid.UUID) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise errors.UserNotFound()
    return user


async def create_user(
    session: AsyncSession,
    *,
    email: str,
    password: str,
    auth: AuthSettings,
    role: str = "user",
    display_name: str | None = None,
    actor_id: uuid.UUID | None = None,
    address: str | None = None,
) -> User:
    normalised = normalise_email(email)
    check_password(password, email=normalised, auth=auth)
    if await get_user_by_email(session, normalised) is not None:
        raise errors.EmailTaken()
    now = utcnow()
    user = User(
        email=normalised,
        display_name=display_name,
        password_hash=await hash_password(password),
        role=role,
        is_active=True,
        created_at=now,
        updated_at=now,
        password_changed_at=now,
    )
    session.add(user)
    await session.flush()
    await audit(session, "user.created", actor_id=actor_id or user.id, target=user, address=address, role=role)
    return user


async def update_me(session: AsyncSession, *, user: User, data: UserUpdate, address: str | None) -> User:
    if data.email is not None:
        new_email = normalise_email(data.email)
        if new_email != user.email:
            if data.current_password is None or not await verify_password(data.current_password, user.password_hash):
                raise errors.InvalidCredentials("Changing the email needs the current password.")
            if await get_user_by_email(session, new_email) is not None:
                raise errors.EmailTaken()
            await audit(session, "user.email_changed", actor_id=user.id, target=user, address=address)
            user.email = new_email
    if "display_name" in data.model_fields_set:
        user.display_name = data.display_name
    user.updated_at = utcnow()
    await session.flush()
    return user


async def change_password(
    session: AsyncSession,
    *,
    user: User,
    current: str,
    new: str,
    keep_session: uuid.UUID | None,
    auth: AuthSettings,
    address: str | None,
) -> None:
    """New password; every other session is revoked (the caller's own stays logged in)."""
    if not await verify_password(current, user.password_hash):
        raise errors.InvalidCredentials("The current password is not correct.")
    check_password(new, email=user.email, auth=auth)
    now = utcnow()
    user.password_hash = await hash_password(new)
    user.password_changed_at = now
    user.updated_at = now
    revoked = await _revoke_sessions(session, user.id, reason="password_changed", keep=keep_session)
    await audit(
        session, "user.password_changed", actor_id=user.id, target=user, address=address, sessions_revoked=revoked
    )
    await session.flush()


# -- login, brute force --------------------------------------------------------------------------------


async def _lockout(session: AsyncSession, *, email: str, address: str, auth: AuthSettings, now: datetime) -> int | None:
    """Seconds until another attempt is allowed, or None. Counted by the typed email whether or not it
    has an account, so a locked answer says nothing about existence.

    The tight limit is per (account, client address): someone who only knows an email can lock it from
    their own address but not from the owner's. The account-wide ceiling is far higher and only stops a
    password guess spread over many addresses; the per-address limit stops one address spraying emails.
    """
    since = now - timedelta(seconds=auth.login_window_seconds)
    for condition, limit in (
        ((LoginFailure.email == email) & (LoginFailure.address == address), auth.login_max_failures),
        (LoginFailure.email == email, auth.login_max_failures_per_account),
        (LoginFailure.address == address, auth.login_max_failures_per_address),
    ):
        count, oldest = (
            await session.execute(
                select(func.count(), func.min(LoginFailure.at)).where(condition, LoginFailure.at > since)
            )
        ).one()
        if count >= limit and oldest is not None:
            if oldest.tzinfo is None:  # SQLite aggregates return the stored text, not the typed value
                from datetime import UTC

                oldest = oldest.replace(tzinfo=UTC)
            return max(1, int((oldest + timedelta(seconds=auth.login_window_seconds) - now).total_seconds()) + 1)
    return None


async def login(
    session: AsyncSession,
    *,
    email: str,
    password: str,
    address: str | None,
    user_agent: str | None,
    ring: KeyRing,
    auth: AuthSettings,
) -> Outcome:
    """Password login. Unknown email and wrong password give the same answer after the same work."""
    now = utcnow()
    typed = email.strip().lower()[:320]
    addr = (address or "unknown")[:64]
    retry = await _lockout(session, email=typed, address=addr, auth=auth, now=now)
    if retry is not None:
        metrics.AUTH_FAILURES.labels("locked").inc()
        await audit(session, "login.locked", target_type="email", target=typed, address=addr)
        return Outcome(error=errors.LoginLocked(retry))
    user = (await session.execute(select(User).where(User.email == typed))).scalar_one_or_none()
    ok = await verify_password(password, user.password_hash if user is not None else None)
    if not ok or user is None:
        session.add(LoginFailure(email=typed, address=addr, at=now))
        metrics.AUTH_FAILURES.labels("bad_credentials").inc()
        await audit(
            session,
            "login.failure",
            actor_id=user.id if user else None,
            target_type="email",
            target=typed,
            address=addr,
        )
        await _prune_failures(session, now, auth)
        await session.flush()
        return Outcome(error=errors.InvalidCredentials())
    if not user.is_active:
        metrics.AUTH_FAILURES.labels("disabled").inc()
        await audit(session, "login.disabled", actor_id=user.id, target=user, address=addr)
        return Outcome(error=errors.AccountDisabled())
    # Only this address's failures are forgiven: the owner logging in elsewhere must not reset an
    # attacker's count towards the account-wide ceiling.
    await session.execute(delete(LoginFailure).where(LoginFailure.email == typed, LoginFailure.address == addr))
    user.last_login_at = now
    pair = await _start_session(session, user=user, address=addr, user_agent=user_agent, ring=ring, auth=auth, now=now)
    await audit(session, "login.success", actor_id=user.id, target=user, address=addr)
    await session.flush()
    return Outcome(pair=pair, user=user)


async def _prune_failures(session: AsyncSession, now: datetime, auth: AuthSettings) -> None:
    # Rows older than the window count for nothing; pruning on the failure path keeps the table small
    # without a job (the delete uses the indexes and touches only expired rows).
    cutoff = now - timedelta(seconds=auth.login_window_seconds * 2)
    await session.execute(delete(LoginFailure).where(LoginFailure.at < cutoff))


# -- sessions and refresh tokens -------------------------------------------------------------------------


async def _start_session(
    session: AsyncSession,
    *,
    user: User,
    address: str | None,
    user_agent: str | None,
    ring: KeyRing,
    auth: AuthSettings,
    now: datetime,
) -> TokenPair:
    family = Session(
        id=uuid.uuid4(),
        user_id=user.id,
        created_at=now,
        last_used_at=now,
        expires_at=now + timedelta(days=auth.refresh_token_days),
        address=address,
        user_agent=(user_agent or "")[:300] or None,
    )
    session.add(family)
    await session.flush()
    return await _issue(session, user=user, family=family, ring=ring, auth=auth, now=now)


async def _issue(
    session: AsyncSession, *, user: User, family: Session, ring: KeyRing, auth: AuthSettings, now: datetime
) -> TokenPair:
    refresh = new_secret_token(REFRESH_PREFIX)
    session.add(RefreshToken(session_id=family.id, token_hash=digest(refresh), created_at=now))
    access, _ = issue_access_token(ring, auth, user_id=user.id, session_id=family.id, role=user.role, now=now)
    metrics.JWT_ISSUED.inc()
    await session.flush()
    return TokenPair(access, refresh, auth.access_token_seconds)


async def refresh(
    session: AsyncSession, *, token: str, address: str | None, ring: KeyRing, auth: AuthSettings
) -> Outcome:
    """Rotate: the presented token dies and a new one of the same family is issued. A token that was
    already rotated away is proof that it leaked, so its whole family is revoked."""
    now = utcnow()
    row = (
        await session.execute(select(RefreshToken).where(RefreshToken.token_hash == digest(token)))
    ).scalar_one_or_none()
    if row is None:
        metrics.AUTH_FAILURES.labels("refresh_invalid").inc()
        return Outcome(error=errors.InvalidRefreshToken())
    family = await session.get(Session, row.session_id)
    assert family is not None  # the foreign key cascades
    # Compare-and-set: of two concurrent uses of one token, exactly one rotates; the other is re-use.
    claimed = await session.execute(
        update(RefreshToken).where(RefreshToken.id == row.id, RefreshToken.used_at.is_(None)).values(used_at=now)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        if family.revoked_at is None:
            family.revoked_at = now
            family.revoked_reason = "refresh_reuse"
        metrics.AUTH_FAILURES.labels("refresh_reuse").inc()
        await audit(
            session,
            "refresh.reuse",
            actor_id=family.user_id,
            target_type="session",
            target=str(family.id),
            address=address,
        )
        await session.flush()
        log.warning("refresh_token_reuse", user_id=str(family.user_id), session_id=str(family.id))
        return Outcome(error=errors.InvalidRefreshToken())
    user = await session.get(User, family.user_id)
    if family.revoked_at is not None or _expired(family.expires_at, now) or user is None:
        metrics.AUTH_FAILURES.labels("refresh_invalid").inc()
        return Outcome(error=errors.InvalidRefreshToken())
    if not user.is_active:
        metrics.AUTH_FAILURES.labels("disabled").inc()
        return Outcome(error=errors.AccountDisabled())
    family.last_used_at = now
    pair = await _issue(session, user=user, family=family, ring=ring, auth=auth, now=now)
    return Outcome(pair=pair, user=user)


async def logout(
    session: AsyncSession, *, principal: Principal | None, refresh_token: str | None, address: str | None
) -> bool:
    """Revoke the caller's session (by access token) or the session of the given refresh token.

    A refresh token this server never issued raises ``InvalidRefreshToken`` (401): answering "logged out"
    to garbage would tell a client with a corrupted token that its real session is gone while it lives on.
    A token that was issued but whose session is already revoked (or rotated away, or expired) is a
    success that changes nothing (False): logging out twice, or after a logout elsewhere, is idempotent.
    """
    family_id = principal.session_id if principal is not None else None
    if family_id is None and refresh_token:
        row = (
            await session.execute(select(RefreshToken).where(RefreshToken.token_hash == digest(refresh_token)))
        ).scalar_one_or_none()
        if row is None:
            metrics.AUTH_FAILURES.labels("refresh_invalid").inc()
            raise errors.InvalidRefreshToken()
        family_id = row.session_id
    if family_id is None:
        return False
    family = await session.get(Session, family_id)
    if family is None or family.revoked_at is not None:
        return False
    family.revoked_at = utcnow()
    family.revoked_reason = "logout"
    await audit(
        session, "logout", actor_id=family.user_id, target_type="session", target=str(family.id), address=address
    )
    await session.flush()
    return True


async def _revoke_sessions(
    session: AsyncSession, user_id: uuid.UUID, *, reason: str, keep: uuid.UUID | None = None
) -> int:
    stmt = update(Session).where(Session.user_id == user_id, Session.revoked_at.is_(None))
    if keep is not None:
        stmt = stmt.where(Session.id != keep)
    result = await session.execute(stmt.values(revoked_at=utcnow(), revoked_reason=reason))
    return int(result.rowcount)  # type: ignore[attr-defined]


def _expired(moment: datetime | None, now: datetime) -> bool:
    return moment is not None and moment <= now


# -- authentication of requests ------------------------------------------------------------------------


async def principal_from_access_token(
    session: AsyncSession, *, token: str, ring: KeyRing, auth: AuthSettings
) -> Principal:
    now = utcnow()
    try:
        claims: AccessClaims = verify_access_token(ring, auth, token, now=now)
    except InvalidToken as exc:
        metrics.AUTH_FAILURES.labels(f"token_{exc.reason}").inc()
        raise errors.InvalidAccessToken() from None
    # One query: the user (role and status from the database, so changes apply at once) and the
    # session the token belongs to (so logout and revocation end access tokens too).
    row = (
        await session.execute(
            select(User.role, User.is_active, Session.revoked_at, Session.expires_at)
            .join(Session, Session.user_id == User.id)
            .where(User.id == claims.user_id, Session.id == claims.session_id)
        )
    ).one_or_none()
    if row is None or row.revoked_at is not None or _expired(row.expires_at, now):
        metrics.AUTH_FAILURES.labels("session_revoked").inc()
        raise errors.InvalidAccessToken()
    if not row.is_active:
        metrics.AUTH_FAILURES.labels("disabled").inc()
        raise errors.AccountDisabled()
    return Principal(claims.user_id, row.role, frozenset({"read", "write"}), "jwt", session_id=claims.session_id)


async def principal_from_api_key(session: AsyncSession, *, key: str) -> tuple[Principal, bool]:
    """The key's principal, and whether its ``last_used_at`` is stale enough to be written."""
    now = utcnow()
    row = (
        await session.execute(
            select(ApiKey, User.role, User.is_active)
            .join(User, User.id == ApiKey.user_id)
            .where(ApiKey.key_hash == digest(key))
        )
    ).one_or_none()
    if row is None:
        metrics.AUTH_FAILURES.labels("api_key_invalid").inc()
        raise errors.InvalidApiKey()
    api_key, role, active = row
    if api_key.revoked_at is not None or _expired(api_key.expires_at, now):
        metrics.AUTH_FAILURES.labels("api_key_revoked").inc()
        raise errors.InvalidApiKey()
    if not active:
        metrics.AUTH_FAILURES.labels("disabled").inc()
        raise errors.AccountDisabled()
    stale = api_key.last_used_at is None or now - api_key.last_used_at > _LAST_USED_EVERY
    principal = Principal(api_key.user_id, role, frozenset(api_key.scopes.split()), "api_key", key_id=api_key.id)
    return principal, stale


async def touch_api_key(session: AsyncSession, key_id: uuid.UUID) -> None:
    await session.execute(update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=utcnow()))


async def api_key_owner(session: AsyncSession, key: str) -> uuid.UUID | None:
    """For the rate limiter: the key's id when it is valid now, else None (counted by address)."""
    row = (
        await session.execute(
            select(ApiKey.id, ApiKey.revoked_at, ApiKey.expires_at).where(ApiKey.key_hash == digest(key))
        )
    ).one_or_none()
    if row is None or row.revoked_at is not None or _expired(row.expires_at, utcnow()):
        return None
    return row.id  # type: ignore[no-any-return]


# -- API keys ------------------------------------------------------------------------------------------


async def create_api_key(
    session: AsyncSession, *, user_id: uuid.UUID, data: ApiKeyCreate, address: str | None
) -> tuple[ApiKey, str]:
    now = utcnow()
    if data.expires_at is not None:
        if data.expires_at.tzinfo is None:
            raise BadRequest("expires_at needs a time zone (for example 2027-01-01T00:00:00Z).")
        if data.expires_at <= now:
            raise BadRequest("expires_at is in the past.")
    secret = new_secret_token(API_KEY_PREFIX)
    scopes = sorted(set(data.scopes))
    api_key = ApiKey(
        user_id=user_id,
        name=data.name.strip() or "key",
        prefix=secret[:12],
        key_hash=digest(secret),
        scopes=" ".join(scopes),
        created_at=now,
        expires_at=data.expires_at,
    )
    session.add(api_key)
    await session.flush()
    await audit(
        session,
        "api_key.created",
        actor_id=user_id,
        target_type="api_key",
        target=str(api_key.id),
        address=address,
        scopes=scopes,
        prefix=api_key.prefix,
    )
    return api_key, secret


async def list_api_keys(session: AsyncSession, user_id: uuid.UUID) -> list[ApiKey]:
    rows = await session.execute(select(ApiKey).where(ApiKey.user_id == user_id).order_by(ApiKey.created_at))
    return list(rows.scalars())


async def revoke_api_key(session: AsyncSession, *, user_id: uuid.UUID, key_id: uuid.UUID, address: str | None) -> None:
    api_key = await session.get(ApiKey, key_id)
    if api_key is None or api_key.user_id != user_id:
        raise errors.ApiKeyNotFound()
    if api_key.revoked_at is None:
        api_key.revoked_at = utcnow()
        await audit(
            session, "api_key.revoked", actor_id=user_id, target_type="api_key", target=str(key_id), address=address
        )
    await session.flush()


# -- administration --------------------------------------------------------------------------------------


async def list_users(
    session: AsyncSession, *, q: str | None, role: str | None, offset: int, limit: int
) -> tuple[list[User], int]:
    stmt = select(User)
    if q:
        stmt = stmt.where(User.email.contains(q.strip().lower(), autoescape=True))
    if role:
        stmt = stmt.where(User.role == role)
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    rows = await session.execute(stmt.order_by(User.created_at, User.id).offset(offset).limit(limit))
    return list(rows.scalars()), int(total)


async def admin_update_user(
    session: AsyncSession, *, actor: Principal, user_id: uuid.UUID, data: AdminUserUpdate, address: str | None
) -> User:
    user = await get_user(session, user_id)
    demoting = data.role is not None and data.role != "admin" and user.role == "admin"
    disabling = data.is_active is False and user.is_active and user.role == "admin"
    if demoting or disabling:
        others = (
            await session.execute(
                select(func.count()).where(User.role == "admin", User.is_active.is_(True), User.id != user.id)
            )
        ).scalar_one()
        if others == 0:
            raise errors.LastAdmin()
    if data.role is not None and data.role != user.role:
        await audit(
            session,
            "user.role_changed",
            actor_id=actor.user_id,
            target=user,
            address=address,
            old=user.role,
            new=data.role,
        )
        user.role = data.role
    if data.is_active is not None and data.is_active != user.is_active:
        user.is_active = data.is_active
        revoked = 0
        if not data.is_active:
            revoked = await _revoke_sessions(session, user.id, reason="disabled")
        await audit(
            session,
            "user.disabled" if not data.is_active else "user.enabled",
            actor_id=actor.user_id,
            target=user,
            address=address,
            sessions_revoked=revoked,
        )
    user.updated_at = utcnow()
    await session.flush()
    return user


async def bootstrap_admin(
    session: AsyncSession, *, email: str, password: str | None, auth: AuthSettings
) -> tuple[User, bool]:
    """Create the first admin, or promote an existing user; returns (user, created)."""
    existing = await get_user_by_email(session, email)
    if existing is not None:
        if existing.role != "admin":
            await audit(session, "user.role_changed", target=existing, old=existing.role, new="admin", via="cli")
            existing.role = "admin"
        existing.is_active = True
        await session.flush()
        return existing, False
    if password is None:
        raise errors.WeakPassword("A password is needed to create a new user.")
    user = await create_user(session, email=email, password=password, auth=auth, role="admin")
    return user, True


# -- audit -----------------------------------------------------------------------------------------------


async def audit(
    session: AsyncSession,
    action: str,
    *,
    actor_id: uuid.UUID | None = None,
    target: User | str | None = None,
    target_type: str | None = None,
    address: str | None = None,
    **details: Any,
) -> None:
    """Append an audit event; ``details`` must never carry a secret (tokens, keys, passwords)."""
    if isinstance(target, User):
        target_type, target = "user", str(target.id)
    session.add(
        AuditEvent(
            at=utcnow(),
            action=action,
            actor_id=actor_id,
            target_type=target_type,
            target=target,
            address=address,
            details=json.dumps(details, default=str, sort_keys=True) if details else None,
        )
    )
    log.info("audit", action=action, actor_id=str(actor_id) if actor_id else None, target=target, client_ip=address)


async def list_audit(
    session: AsyncSession,
    *,
    action: str | None,
    actor_id: uuid.UUID | None,
    target: str | None,
    before: int | None,
    limit: int,
) -> tuple[list[AuditEvent], bool]:
    stmt = select(AuditEvent)
    if action:
        stmt = stmt.where(or_(AuditEvent.action == action, AuditEvent.action.startswith(action + ".")))
    if actor_id:
        stmt = stmt.where(AuditEvent.actor_id == actor_id)
    if target:
        stmt = stmt.where(AuditEvent.target == target)
    if before:
        stmt = stmt.where(AuditEvent.id < before)
    rows = list((await session.execute(stmt.order_by(AuditEvent.id.desc()).limit(limit + 1))).scalars())
    return rows[:limit], len(rows) > limit
