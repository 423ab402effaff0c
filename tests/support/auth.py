"""Three basic-auth users for server tests: alex and bea bound to their own sessions, carol an admin."""
from __future__ import annotations

from typing import Dict

USERS: Dict[str, str] = {"alex": "pw-a", "bea": "pw-b", "carol": "pw-c"}

# the environment a server reads them from (MENTOR_BASIC_AUTH_*, MENTOR_USER_SESSIONS, MENTOR_ADMINS)
BOUND_USERS_ENV: Dict[str, str] = {
    "MENTOR_BASIC_AUTH_USER": ",".join(USERS),
    "MENTOR_BASIC_AUTH_PASS": ",".join(USERS.values()),
    "MENTOR_USER_SESSIONS": "alex:alex,bea:bea",
    "MENTOR_ADMINS": "carol",
}
