"""Prodigy's configuration in mentor's terms.

A team moving from Prodigy brings a ``prodigy.json`` and ``PRODIGY_*``
variables in its scripts and Dockerfiles. Ignoring them without a word would
leave a server open that the team believes asks for a password, so
:func:`config.load_settings` reads them beside mentor's own, and this module
says what each Prodigy key and variable means to mentor: the same setting, a
translated one (``db``/``db_settings`` become a database URL), a UI setting
the web app renders with, something mentor always does, or nothing (named in a
warning). It reads no files and no environment itself: ``config.py`` does.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import AbstractSet, Any, Dict, List, Mapping, Optional, Tuple

from sqlalchemy.engine import URL

from .errors import ProdigyDatabaseError, ProdigyVariableError

PRODIGY_FILE_NAME = "prodigy.json"
DEFAULT_PRODIGY_HOME = Path("~/.prodigy")

# Prodigy keys that mentor's Settings has under the same name and meaning.
SAME_KEYS = frozenset(
    {
        "host", "port", "batch_size", "history_size", "instant_submit", "show_stats", "feed_overlap",
        "annotations_per_task", "exclude_by", "auto_exclude_current", "allowed_sessions", "labels",
        "total_examples_target",
    }
)
# UI settings: sent to the web app in /project's ``config``, which renders with them.
UI_KEYS = frozenset(
    {
        "custom_theme", "global_css", "card_css", "javascript", "instructions", "buttons", "show_flag",
        "hide_meta", "choice_style", "choice_auto_accept", "ner_manual_highlight_chars",
        "darken_image", "keymap_by_label", "blocks", "html_template", "field_id", "audio_autoplay",
    }
)
# Read here into the UI settings above: the files' content goes to the app, not the folder.
FOLDER_KEYS = {"global_css_dir": ("global_css", ".css"), "javascript_dir": ("javascript", ".js")}
# What mentor always does: a file asking for it is honoured, one asking otherwise is warned about.
BUILT_IN: Dict[str, Any] = {
    "force_stream_order": True, "validate": True, "allow_work_stealing": True, "theme": "basic", "ui_lang": "en",
    "writing_dir": "ltr", "cors": False,
}
DATABASE_KEYS = frozenset({"db", "db_settings"})

# PRODIGY_* variables and the mentor setting each sets.
SAME_VARIABLES = {"PRODIGY_HOST": "host", "PRODIGY_PORT": "port", "PRODIGY_ALLOWED_SESSIONS": "allowed_sessions"}
LOG_LEVELS = {"basic": "INFO", "verbose": "DEBUG"}
# read by config.py itself (where the files are, and the overrides layer)
LOCATION_VARIABLES = frozenset({"PRODIGY_HOME", "PRODIGY_CONFIG", "PRODIGY_CONFIG_OVERRIDES"})
AUTH_VARIABLES = ("PRODIGY_BASIC_AUTH_USER", "PRODIGY_BASIC_AUTH_PASS")


@dataclass
class Translation:
    """Prodigy settings as mentor settings, and the keys that have no effect in mentor."""

    values: Dict[str, Any] = field(default_factory=dict)
    ignored: List[str] = field(default_factory=list)


def translate(
    data: Mapping[str, Any], *, where: str, prodigy_home: Path, mentor_keys: AbstractSet[str] = frozenset()
) -> Translation:
    """The mentor settings a ``prodigy.json`` object (or PRODIGY_CONFIG_OVERRIDES) means.

    Keys that mentor doesn't act on are listed in ``ignored`` and kept as extra
    settings all the same (a custom ``html_template`` may read them), as
    mentor keeps unknown keys of ``mentor.json``. ``mentor_keys``, mentor's own
    setting names, are taken as they are: a team may put them in prodigy.json.
    """
    result = Translation()
    for key, value in data.items():
        if key in SAME_KEYS or key in UI_KEYS or key in FOLDER_KEYS or key in mentor_keys:
            result.values[key] = value
        elif key in BUILT_IN:
            if value != BUILT_IN[key]:
                result.ignored.append(f"{key}={json.dumps(value)}")
        elif key not in DATABASE_KEYS:
            result.values[key] = value
            result.ignored.append(key)
    if "db" in data or "db_settings" in data:
        url = database_url(data.get("db"), data.get("db_settings"), where=where, prodigy_home=prodigy_home)
        if url is not None:
            result.values["db_url"] = url
    return result


def database_url(db: Any, db_settings: Any, *, where: str, prodigy_home: Path) -> Optional[str]:
    """Prodigy's ``db`` and ``db_settings`` as a SQLAlchemy URL (None: mentor's own SQLite file).

    A SQLite setting without a ``name`` gets ``mentor.db`` in its folder, not
    Prodigy's ``prodigy.db``: mentor's tables have columns Prodigy's lack, so
    mentor must not open Prodigy's own database (import it with ``db-in``).
    PostgreSQL settings may be empty, as in Prodigy: libpq reads ``PGHOST``,
    ``PGUSER`` & co.
    """
    kind = "sqlite" if db in (None, False) else db
    if db_settings is None:
        db_settings = {}
    if not isinstance(db_settings, dict):
        raise ProdigyDatabaseError(where, "db_settings", "must be an object of settings per database")
    options = db_settings.get(kind, {})
    if not isinstance(options, dict):
        raise ProdigyDatabaseError(where, f"db_settings.{kind}", "must be an object")
    if kind == "sqlite":
        return _sqlite_url(options, where=where, prodigy_home=prodigy_home)
    if kind == "postgresql":
        return _server_url("postgresql+psycopg", options, ("dbname", "database", "db"), ("password", "passwd"))
    if kind == "mysql":
        return _server_url("mysql+pymysql", options, ("db", "database", "dbname"), ("passwd", "password"))
    raise ProdigyDatabaseError(where, "db", f"must be 'sqlite', 'postgresql' or 'mysql', got {db!r}")


def _sqlite_url(options: Mapping[str, Any], *, where: str, prodigy_home: Path) -> Optional[str]:
    name, folder = options.get("name"), options.get("path")
    if name is None and folder is None:
        return None
    if name == ":memory:":
        raise ProdigyDatabaseError(
            where, "db_settings.sqlite.name",
            "is ':memory:', which mentor can't use: its server works from several threads, each of which "
            "would see its own empty database; name a file",
        )
    base = Path(str(folder)).expanduser() if folder is not None else prodigy_home
    return f"sqlite:///{base / str(name or 'mentor.db')}"


def _server_url(driver: str, options: Mapping[str, Any], db_keys: Tuple[str, ...], password_keys: Tuple[str, ...]) -> str:
    rest = dict(options)
    database = next((rest.pop(k) for k in db_keys if k in rest), None)
    password = next((rest.pop(k) for k in password_keys if k in rest), None)
    for key in (*db_keys, *password_keys):
        rest.pop(key, None)
    user, host, port = rest.pop("user", None), rest.pop("host", None), rest.pop("port", None)
    url = URL.create(
        driver,
        username=None if user is None else str(user),
        password=None if password is None else str(password),
        host=None if host is None else str(host),
        port=None if port is None else int(port),
        database=None if database is None else str(database),
        query={str(k): str(v) for k, v in rest.items()},
    )
    return url.render_as_string(hide_password=False)


@dataclass
class EnvTranslation:
    """Settings from PRODIGY_* variables, the variable each came from, and the variables with no effect."""

    values: Dict[str, Any] = field(default_factory=dict)
    sources: Dict[str, str] = field(default_factory=dict)
    ignored: List[str] = field(default_factory=list)


def translate_environment(environ: Mapping[str, str]) -> EnvTranslation:
    """The settings the PRODIGY_* variables set (the file locations and overrides aside).

    Prodigy takes one basic-auth user, so the password is taken whole, commas
    and all (MENTOR_BASIC_AUTH_* lists several users).
    """
    result = EnvTranslation()
    for var, key in SAME_VARIABLES.items():
        if environ.get(var):
            result.values[key] = environ[var]
            result.sources[key] = var
    logging = environ.get("PRODIGY_LOGGING")
    if logging:
        if logging.lower() not in LOG_LEVELS:
            raise ProdigyVariableError("PRODIGY_LOGGING", f"must be 'basic' or 'verbose', got {logging!r}")
        result.values["log_level"] = LOG_LEVELS[logging.lower()]
        result.sources["log_level"] = "PRODIGY_LOGGING"
    user, password = (environ.get(var) for var in AUTH_VARIABLES)
    if user or password:
        if not (user and password):
            raise ProdigyVariableError(
                "PRODIGY_BASIC_AUTH_USER", "and PRODIGY_BASIC_AUTH_PASS must be set together"
            )
        result.values["basic_auth"] = {user.strip(): password}
        result.sources["basic_auth"] = "PRODIGY_BASIC_AUTH_USER"
    known = set(SAME_VARIABLES) | LOCATION_VARIABLES | set(AUTH_VARIABLES) | {"PRODIGY_LOGGING"}
    result.ignored = sorted(var for var in environ if var.startswith("PRODIGY_") and var not in known)
    return result


def parse_overrides(text: str) -> Dict[str, Any]:
    """``PRODIGY_CONFIG_OVERRIDES``: a JSON object of prodigy.json keys."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise ProdigyVariableError("PRODIGY_CONFIG_OVERRIDES", f"is not valid JSON: {err.msg}") from None
    if not isinstance(data, dict):
        raise ProdigyVariableError("PRODIGY_CONFIG_OVERRIDES", "must be a JSON object")
    return data
