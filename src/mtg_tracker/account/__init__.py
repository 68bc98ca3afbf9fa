"""Accounts and access: users, JWT sessions with key rotation, API keys, roles, brute-force guard, audit."""
