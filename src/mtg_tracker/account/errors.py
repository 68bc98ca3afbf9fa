"""Expected failures of the account domain. Credential errors share one message so that responses never
tell whether an email has an account."""

from __future__ import annotations

from mtg_tracker.kit.errors import BadRequest, Conflict, Forbidden, NotFound, RateLimited, Unauthorized

_BEARER = {"WWW-Authenticate": 'Bearer realm="mtg-tracker"'}


class NotAuthenticated(Unauthorized):
    default_message = "Authentication is required: send `Authorization: Bearer <access token>` or `X-API-Key`."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message, headers=_BEARER)


class InvalidCredentials(Unauthorized):
    default_message = "Incorrect email or password."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message, headers=_BEARER)


class InvalidAccessToken(Unauthorized):
    default_message = "The access token is invalid or has expired; log in again or refresh it."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message, headers={"WWW-Authenticate": 'Bearer realm="mtg-tracker", error="invalid_token"'})


class InvalidApiKey(Unauthorized):
    default_message = "The API key is invalid, expired or revoked."


class InvalidRefreshToken(Unauthorized):
    default_message = "The refresh token is invalid, expired or revoked; log in again."


class AccountDisabled(Forbidden):
    default_message = "This account is disabled; contact the administrator."


class InsufficientScope(Forbidden):
    default_message = "This credential does not have the scope needed here."


class AdminRequired(Forbidden):
    default_message = "This needs an administrator."


class LoginLocked(RateLimited):
    default_message = "Too many failed logins; try again later."

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"Too many failed logins; try again in {retry_after} seconds.", headers={"Retry-After": str(retry_after)}
        )


class WeakPassword(BadRequest):
    default_message = "The password does not meet the policy."


class InvalidEmail(BadRequest):
    default_message = "This is not a valid email address."


class EmailTaken(Conflict):
    default_message = "An account with this email already exists."


class RegistrationClosed(Forbidden):
    default_message = "Registration is closed on this server; ask an administrator for an account."


class UserNotFound(NotFound):
    default_message = "No user found with this id."


class ApiKeyNotFound(NotFound):
    default_message = "No API key found with this id."


class LastAdmin(Conflict):
    default_message = "This is the last active administrator; promote another user first."
