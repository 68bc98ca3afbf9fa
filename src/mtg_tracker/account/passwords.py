"""Password policy (pure) and argon2id hashing (off the event loop: one hash costs ~100-200 ms of CPU)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from anyio import to_thread
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

_HASHER = PasswordHash((Argon2Hasher(),))
# Verified against when the email is unknown, so a wrong email costs as much time as a wrong password.
_DUMMY_HASH = _HASHER.hash("not a password anyone has: timing equaliser")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    text = resources.files("mtg_tracker.account").joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def policy_problems(password: str, *, email: str | None, min_length: int, max_length: int) -> list[str]:
    """Why a password is refused (empty = accepted). Length first, as NIST SP 800-63B recommends, then a
    block list of common and trivially guessable passwords; no composition rules."""
    problems: list[str] = []
    if len(password) < min_length:
        problems.append(f"must be at least {min_length} characters")
    if len(password) > max_length:
        problems.append(f"must be at most {max_length} characters")
    if problems:
        return problems
    lowered = password.lower()
    if lowered in common_passwords() or _stripped(lowered) in common_passwords():
        problems.append("is too common: it appears in lists of leaked passwords")
    elif len(set(lowered)) <= 2 or _is_sequence(lowered):
        problems.append("is too easy to guess: repeated or sequential characters")
    elif email:
        local = email.split("@", 1)[0].lower()
        if len(local) >= 4 and (
            lowered == email.lower() or (lowered.startswith(local) and len(lowered) - len(local) < 6)
        ):
            problems.append("is too close to the email address")
    return problems


def _stripped(lowered: str) -> str:
    """'password123456!' → 'password': common words padded with digits and punctuation are still common."""
    return lowered.rstrip("0123456789!@#$%^&*.?_- ")


def _is_sequence(lowered: str) -> bool:
    for alphabet in (
        "0123456789012345678901234567890",
        "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz",
        "qwertyuiopasdfghjklzxcvbnm",
    ):
        if lowered in alphabet or lowered in alphabet[::-1]:
            return True
    return False


async def hash_password(password: str) -> str:
    return await to_thread.run_sync(_HASHER.hash, password)


async def verify_password(password: str, password_hash: str | None) -> bool:
    """Constant-work check: with no hash (unknown user) the dummy hash is verified and False returned."""
    if password_hash is None:
        await to_thread.run_sync(_HASHER.verify, password, _DUMMY_HASH)
        return False
    return await to_thread.run_sync(_HASHER.verify, password, password_hash)
