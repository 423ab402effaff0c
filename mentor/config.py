"""Settings, read from one place.

This module is the only reader of ``MENTOR_*`` environment variables and of the
``mentor.json`` files. :func:`load_settings` merges, lowest precedence first:

1. the defaults of :class:`Settings`,
2. the user file ``$MENTOR_HOME/mentor.json`` (``~/.mentor/mentor.json``),
3. the project file ``./mentor.json``,
4. environment variables (``MENTOR_DB_URL``, ``MENTOR_HOST``, ``MENTOR_PORT``, ...,
   and ``MENTOR_CONFIG_OVERRIDES`` holding a JSON object),
5. the recipe's ``config`` (passed as ``recipe_config``),
6. CLI flags (passed as ``overrides``).

Keys that mentor does not know (UI settings a custom recipe reads, say) are kept
as extra fields, as ``prodigy.json`` users expect.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict, List, Literal, Mapping, Optional, Tuple

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import ConfigError

CONFIG_FILE_NAME = "mentor.json"
DB_FILE_NAME = "mentor.db"


class Settings(BaseModel):
    """Every setting mentor reads, with its default."""

    model_config = ConfigDict(extra="allow", validate_assignment=True)

    home: Path = Field(default_factory=lambda: Path.home() / ".mentor", description="Mentor home folder")
    db_url: Optional[str] = Field(None, description="SQLAlchemy URL; default: SQLite file in home")
    host: str = Field("127.0.0.1", description="Address the server binds to")
    port: int = Field(8080, ge=0, le=65535, description="Port the server listens on")
    batch_size: int = Field(10, ge=1, description="Tasks per batch, and answers per model update")
    history_size: int = Field(10, ge=0, description="Answers the app keeps for undo")
    instant_submit: bool = Field(False, description="Send each answer at once (no undo)")
    show_stats: bool = Field(False, description="Show accept/reject/ignore counts in the sidebar")
    feed_overlap: bool = Field(False, description="Every session sees every task")
    annotations_per_task: Optional[int] = Field(None, ge=1, description="Annotators per task")
    exclude_by: Literal["task", "input"] = Field("task", description="Hash that decides 'seen'")
    auto_exclude_current: bool = Field(True, description="Skip tasks already in the dataset")
    allowed_sessions: Optional[List[str]] = Field(None, description="Session names allowed")
    basic_auth: Optional[Dict[str, str]] = Field(None, description="user -> password for basic auth")
    user_sessions: Optional[Dict[str, List[str]]] = Field(
        None,
        description="basic-auth user -> the session names it may read and answer (the first is its default); "
        "once this or 'admins' is set, every other user is bound to the session of its own name",
    )
    admins: List[str] = Field(default_factory=list, description="basic-auth users who may use any session")
    task_timeout: float = Field(
        300.0, gt=0, description="Seconds before an unanswered task is served again, even to a tab still answering"
    )
    session_hold_seconds: float = Field(
        60.0,
        gt=0,
        description="Seconds a tab may go without asking, answering or pinging before the tasks it holds "
        "are handed to another tab or session",
    )
    max_request_bytes: int = Field(
        10_000_000, ge=1024, description="Largest request body the server reads; bigger ones get 413 unread"
    )
    max_import_bytes: int = Field(
        1_000_000_000,
        ge=1024,
        description="Largest body POST /api/v1/datasets/{name}/import reads (spooled to a temporary file, "
        "not memory); bigger ones get 413",
    )
    max_sessions: int = Field(
        200, ge=1, description="Session names one server run accepts; a new name past it gets 403"
    )
    max_answers_per_request: int = Field(
        1000, ge=100, description="Answers one give_answers request may hold (the app sends at most 100); more get 413"
    )
    max_new_sessions_per_minute: int = Field(
        60, ge=1, description="New session names the server takes in any minute; more get 429 (unless allowed_sessions)"
    )
    strict_sources: bool = Field(
        False,
        description="Stop a recipe at start when its source has a bad line (after reading it all), "
        "instead of skipping bad lines with a warning",
    )
    allowed_hosts: List[str] = Field(
        default_factory=list,
        description="Host names the server answers to besides localhost and its bind address ('*': any)",
    )
    llm_base_url: Optional[str] = Field(
        None, description="Base URL of an OpenAI-compatible API for the *.llm.* recipes (…/v1)"
    )
    llm_model: Optional[str] = Field(None, description="Model name sent to the LLM endpoint")
    llm_api_key: Optional[str] = Field(None, description="API key sent as a Bearer token to the LLM endpoint")
    llm_concurrency: int = Field(4, ge=1, le=64, description="LLM requests in flight at once")
    llm_timeout: float = Field(60.0, gt=0, description="Seconds to wait for one LLM response")
    llm_retries: int = Field(
        3, ge=0, le=10, description="Retries of an LLM request after a timeout, refused connection, 429 or 5xx"
    )
    llm_json_mode: bool = Field(
        True, description="Ask the LLM endpoint for a JSON object (response_format); off for servers that refuse it"
    )
    labels: Optional[List[str]] = None
    log_level: str = "WARNING"

    @field_validator("allowed_sessions", "allowed_hosts", "admins", mode="before")
    @classmethod
    def _split_sessions(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
        return value

    @field_validator("user_sessions", mode="before")
    @classmethod
    def _user_sessions(cls, value: Any) -> Any:
        """``"alex:alex,bea:bea,bea:review"`` (the env's form) or ``{"alex": "alex"}`` -> user -> names."""
        if isinstance(value, str):
            pairs: Dict[str, List[str]] = {}
            for item in value.split(","):
                if not item.strip():
                    continue
                user, sep, name = (part.strip() for part in item.partition(":"))
                if not (sep and user and name):
                    raise ValueError("expected user:session pairs separated by commas")
                pairs.setdefault(user, []).append(name)
            return pairs
        if isinstance(value, dict):
            return {user: [names] if isinstance(names, str) else names for user, names in value.items()}
        return value

    @property
    def embeddings_cache(self) -> Path:
        """The SQLite file that keeps every sentence vector the teach loop computed."""
        return self.home / "cache" / "embeddings.sqlite"

    @property
    def llm_cache(self) -> Path:
        """The SQLite file that keeps every LLM response, so no text is sent twice with the same prompt."""
        return self.home / "cache" / "llm.sqlite"

    @property
    def server_key_file(self) -> Path:
        """The secret the server signs the tasks it sends with, so answers can prove where they came from."""
        return self.home / "server.key"

    @property
    def database_url(self) -> str:
        """The URL to connect to: the configured one, or SQLite in the home folder."""
        return self.db_url or f"sqlite:///{self.home / DB_FILE_NAME}"


def _read_json_file(path: Path) -> Dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf8"))
    except json.JSONDecodeError as err:
        raise ConfigError(f"{path}: not valid JSON (line {err.lineno}): {err.msg}") from None
    except OSError as err:
        raise ConfigError(f"{path}: can't read the file: {err.strerror}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a JSON object of settings")
    return data


def _env_settings(environ: Mapping[str, str]) -> Tuple[Dict[str, Any], Dict[str, str]]:
    """Settings from the environment, and the variable each came from."""
    values: Dict[str, Any] = {}
    sources: Dict[str, str] = {}
    simple = {
        "MENTOR_HOME": "home",
        "MENTOR_DB_URL": "db_url",
        "MENTOR_HOST": "host",
        "MENTOR_PORT": "port",
        "MENTOR_ALLOWED_SESSIONS": "allowed_sessions",
        "MENTOR_BATCH_SIZE": "batch_size",
        "MENTOR_LOG_LEVEL": "log_level",
        "MENTOR_MAX_REQUEST_BYTES": "max_request_bytes",
        "MENTOR_MAX_IMPORT_BYTES": "max_import_bytes",
        "MENTOR_MAX_SESSIONS": "max_sessions",
        "MENTOR_ALLOWED_HOSTS": "allowed_hosts",
        "MENTOR_STRICT_SOURCES": "strict_sources",
        "MENTOR_MAX_ANSWERS_PER_REQUEST": "max_answers_per_request",
        "MENTOR_MAX_NEW_SESSIONS_PER_MINUTE": "max_new_sessions_per_minute",
        "MENTOR_USER_SESSIONS": "user_sessions",
        "MENTOR_ADMINS": "admins",
        "MENTOR_LLM_BASE_URL": "llm_base_url",
        "MENTOR_LLM_MODEL": "llm_model",
        "MENTOR_LLM_API_KEY": "llm_api_key",
        "MENTOR_LLM_CONCURRENCY": "llm_concurrency",
    }
    for var, key in simple.items():
        if environ.get(var):
            values[key] = environ[var]
            sources[key] = var
    users = environ.get("MENTOR_BASIC_AUTH_USER")
    passwords = environ.get("MENTOR_BASIC_AUTH_PASS")
    if users or passwords:
        if not (users and passwords):
            raise ConfigError("MENTOR_BASIC_AUTH_USER and MENTOR_BASIC_AUTH_PASS must be set together")
        names, secrets = users.split(","), passwords.split(",")
        if len(names) != len(secrets):
            raise ConfigError(
                "MENTOR_BASIC_AUTH_USER and MENTOR_BASIC_AUTH_PASS must list as many "
                f"entries each (comma-separated), got {len(names)} and {len(secrets)}"
            )
        values["basic_auth"] = {n.strip(): p for n, p in zip(names, secrets)}
        sources["basic_auth"] = "MENTOR_BASIC_AUTH_USER"
    overrides = environ.get("MENTOR_CONFIG_OVERRIDES")
    if overrides:
        try:
            extra = json.loads(overrides)
        except json.JSONDecodeError as err:
            raise ConfigError(f"MENTOR_CONFIG_OVERRIDES: not valid JSON: {err.msg}") from None
        if not isinstance(extra, dict):
            raise ConfigError("MENTOR_CONFIG_OVERRIDES: expected a JSON object")
        values.update(extra)
        sources.update({k: "MENTOR_CONFIG_OVERRIDES" for k in extra})
    return values, sources


def load_settings(
    overrides: Optional[Mapping[str, Any]] = None,
    *,
    recipe_config: Optional[Mapping[str, Any]] = None,
    environ: Optional[Mapping[str, str]] = None,
    cwd: Optional[Path] = None,
) -> Settings:
    """Build the settings: defaults < user file < project file < env < recipe < CLI.

    Raises ConfigError naming the file or variable and the key when a value is bad.
    """
    environ = os.environ if environ is None else environ
    cwd = Path.cwd() if cwd is None else cwd
    env_values, env_sources = _env_settings(environ)
    home = Path(env_values.get("home") or Path.home() / ".mentor").expanduser()
    layers: List[Tuple[str, Dict[str, Any]]] = []
    for path in (home / CONFIG_FILE_NAME, cwd / CONFIG_FILE_NAME):
        if path.is_file():
            layers.append((str(path), _read_json_file(path)))
    layers.append(("environment", env_values))
    if recipe_config:
        layers.append(("recipe config", dict(recipe_config)))
    if overrides:
        layers.append(("command line", {k: v for k, v in overrides.items() if v is not None}))
    merged: Dict[str, Any] = {"home": home}
    origin: Dict[str, str] = {}
    for source, values in layers:
        for key, value in values.items():
            merged[key] = value
            origin[key] = env_sources.get(key, source) if source == "environment" else source
    try:
        settings = Settings(**merged)
    except ValidationError as err:
        first = err.errors()[0]
        key = ".".join(str(p) for p in first["loc"]) or "?"
        where = origin.get(str(first["loc"][0]) if first["loc"] else "", "settings")
        raise ConfigError(
            f"{where}: '{key}' {first['msg'].lower()}, got {first.get('input')!r}"
        ) from None
    settings.home = Path(settings.home).expanduser()
    return settings
