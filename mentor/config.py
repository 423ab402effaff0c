"""Settings, read from one place.

This module is the only reader of ``MENTOR_*`` and ``PRODIGY_*`` environment
variables and of the ``mentor.json`` and ``prodigy.json`` files (what each
Prodigy key means to mentor is in ``prodigy_settings.py``). :func:`load_settings`
merges, lowest precedence first, mentor's own winning over Prodigy's at each level:

1. the defaults of :class:`Settings`,
2. the Prodigy user file (``$PRODIGY_CONFIG``, else ``$PRODIGY_HOME/prodigy.json``,
   ``~/.prodigy/prodigy.json``), then the user file ``$MENTOR_HOME/mentor.json``
   (``~/.mentor/mentor.json``),
3. the project files ``./prodigy.json``, then ``./mentor.json``,
4. environment variables: ``PRODIGY_HOST``, ``PRODIGY_PORT``, ``PRODIGY_BASIC_AUTH_*``,
   ... then ``MENTOR_DB_URL``, ``MENTOR_HOST``, ``MENTOR_PORT``, ..., and
   ``MENTOR_CONFIG_OVERRIDES`` holding a JSON object,
5. the recipe's ``config`` (passed as ``recipe_config``),
6. ``PRODIGY_CONFIG_OVERRIDES`` (above the recipe's config, as in Prodigy); for a
   key a ``MENTOR_*`` variable sets too, that variable's value,
7. CLI flags (passed as ``overrides``).

Keys that mentor does not know (UI settings a custom recipe reads, say) are kept
as extra fields, as ``prodigy.json`` users expect. The first time a process reads
its settings from files, one line on stderr says which files were read, and one
warning names the Prodigy keys and variables that have no effect in mentor.
"""
from __future__ import annotations

import html
import json
import os
import re
import sys
from pathlib import Path
from typing import Any, Dict, List, Literal, Mapping, Optional, Set, Tuple

import nh3
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from wasabi.util import ICONS, locale_escape

from . import prodigy_settings as prodigy
from .errors import ConfigError, ConfigFileNotFound, UIFileError

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
    claim_lease_seconds: Optional[float] = Field(
        None,
        gt=0,
        description="Seconds a server process's claim on a task lasts unless renewed (several servers on one "
        "database share a dataset through claims); default: session_hold_seconds",
    )
    claim_owner: Optional[str] = Field(
        None, max_length=255, description="This server's name in the claims table; default: host:port"
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
    total_examples_target: Optional[int] = Field(
        None, ge=0, description="Answers to aim for: progress is answered / this (0 or none: the source's length)"
    )
    ui_overrides: Dict[str, Any] = Field(
        default_factory=dict,
        description="UI settings from PRODIGY_CONFIG_OVERRIDES, which beat the recipe's config as in Prodigy",
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


# instructions, CSS and scripts are read whole into the page: a bound keeps a wrong path from costing memory
MAX_UI_FILE_BYTES = 1_000_000
HTML_SUFFIXES = (".html", ".htm")
TEXT_SUFFIXES = (".txt", ".md", ".text")
LOOKS_LIKE_HTML = re.compile(r"<[A-Za-z!/]")
# nh3's default tags and attributes (no script, style, event handlers or javascript: links), plus class and title
INSTRUCTION_ATTRIBUTES = {tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()}
INSTRUCTION_ATTRIBUTES["*"] = {"class", "title"}
# what this process has already said on stderr (load_settings runs several times a command)
_ANNOUNCED: Set[str] = set()

Layer = Tuple[str, Dict[str, Any], Mapping[str, str]]


def _read_ui_file(path: Path, *, where: str, key: str) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_UI_FILE_BYTES:
            raise UIFileError(where, key, f"file '{path}' is {size:,} bytes, more than {MAX_UI_FILE_BYTES:,}")
        return path.read_text(encoding="utf8")
    except UnicodeDecodeError:
        raise UIFileError(where, key, f"file '{path}' is not UTF-8 text") from None
    except OSError as err:
        raise UIFileError(where, key, f"can't read '{path}': {err.strerror}") from None


def _find(value: str, bases: List[Path]) -> Optional[Path]:
    try:
        path = Path(value).expanduser()
        candidates = [path] if path.is_absolute() else [base / path for base in bases]
        return next((c for c in candidates if c.exists()), None)
    except (OSError, RuntimeError):  # a name too long for a path, or ~user unknown: not a file
        return None


def instructions_html(value: str, *, bases: List[Path], where: str = "settings") -> str:
    """``instructions`` as safe HTML: the file it names (HTML, or text made into paragraphs), sanitized.

    Prodigy takes a path to an HTML or text file; mentor reads it here, on the
    server, so the browser never asks for a file by name, and cleans it with
    nh3 so instructions can't run a script in the annotators' pages (custom
    scripts belong in ``javascript``, set on purpose). A value with markup in
    it is taken as the instructions themselves.
    """
    path = _find(value, bases) if "\n" not in value and "<" not in value else None
    if path is not None and path.is_dir():
        raise UIFileError(where, "instructions", f"'{path}' is a folder: name an HTML or text file")
    if path is not None:
        text = _read_ui_file(path, where=where, key="instructions")
        suffix = path.suffix.lower()
        is_html = suffix in HTML_SUFFIXES or (suffix not in TEXT_SUFFIXES and bool(LOOKS_LIKE_HTML.search(text)))
    elif "\n" in value or LOOKS_LIKE_HTML.search(value):
        text, is_html = value, bool(LOOKS_LIKE_HTML.search(value))
    else:
        looked = ", ".join(str(b) for b in bases)
        raise UIFileError(where, "instructions", f"names no file '{value}' (looked in {looked})")
    if not is_html:
        paragraphs = (html.escape(p.strip()).replace("\n", "<br>") for p in re.split(r"\n\s*\n", text))
        text = "".join(f"<p>{p}</p>" for p in paragraphs if p)
    return nh3.clean(text, attributes=INSTRUCTION_ATTRIBUTES)


def _folder_text(value: Any, *, key: str, suffix: str, bases: List[Path], where: str) -> str:
    """``global_css_dir``/``javascript_dir``: the folder's files of that kind, in name order, one after another."""
    folder = _find(str(value), bases)
    if folder is None or not folder.is_dir():
        raise UIFileError(where, key, f"names no folder '{value}'")
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() == suffix and p.is_file())
    return "\n".join(_read_ui_file(p, where=where, key=key) for p in files)


def resolve_ui_files(
    values: Mapping[str, Any], *, cwd: Path, origin: Optional[Mapping[str, str]] = None
) -> Dict[str, Any]:
    """The UI settings in ``values`` that name files, with the files' content in their place.

    ``instructions`` becomes sanitized HTML; ``global_css_dir`` and
    ``javascript_dir`` are appended to ``global_css`` and ``javascript``; a
    ``javascript`` that isn't a non-empty string is dropped, so the app runs a
    script only when one was set explicitly. Relative paths are looked up in the
    working folder (as Prodigy does), then beside the config file that named them.
    """
    origin = origin or {}
    resolved: Dict[str, Any] = {}

    def bases(key: str) -> List[Path]:
        source = Path(origin.get(key, ""))  # a config file's path, or a variable's name
        return [cwd] + ([source.parent] if source.is_absolute() and source.is_file() else [])

    instructions = values.get("instructions")
    if isinstance(instructions, str) and instructions.strip():
        where = origin.get("instructions", "settings")
        resolved["instructions"] = instructions_html(instructions, bases=bases("instructions"), where=where)
    elif "instructions" in values and not instructions:
        resolved["instructions"] = None
    for key, (target, suffix) in prodigy.FOLDER_KEYS.items():
        if values.get(key):
            where = origin.get(key, "settings")
            text = _folder_text(values[key], key=key, suffix=suffix, bases=bases(key), where=where)
            resolved[target] = "\n".join(t for t in (values.get(target) or "", text) if t)
            resolved[key] = None
    script = resolved.get("javascript", values.get("javascript"))
    if "javascript" in values or "javascript" in resolved:
        resolved["javascript"] = script if isinstance(script, str) and script.strip() else None
    return resolved


def _announce(kind: str, text: str) -> None:
    """Print a config line on stderr once a process: several commands read the settings more than once."""
    line = str(locale_escape(f"{ICONS[kind]} {text}"))
    if line in _ANNOUNCED:
        return
    _ANNOUNCED.add(line)
    print(line, file=sys.stderr, flush=True)


def _prodigy_user_file(environ: Mapping[str, str], cwd: Path, prodigy_home: Path) -> Optional[Path]:
    """``$PRODIGY_CONFIG`` (which must exist), else ``prodigy.json`` in Prodigy's home, if there."""
    named = environ.get("PRODIGY_CONFIG")
    if named:
        path = Path(os.path.abspath(cwd / Path(named).expanduser()))
        if not path.is_file():
            raise ConfigFileNotFound("PRODIGY_CONFIG", path)
        return path
    path = prodigy_home / prodigy.PRODIGY_FILE_NAME
    return path if path.is_file() else None


def _file_layers(
    environ: Mapping[str, str], cwd: Path, home: Path, prodigy_home: Path
) -> Tuple[List[Layer], List[Tuple[str, List[str]]]]:
    """The config files' layers, Prodigy's before mentor's at each level, and the Prodigy keys each ignores."""
    layers: List[Layer] = []
    ignored: List[Tuple[str, List[str]]] = []
    seen: Set[Path] = set()
    candidates = [
        ("prodigy", _prodigy_user_file(environ, cwd, prodigy_home)),
        ("mentor", home / CONFIG_FILE_NAME),
        ("prodigy", cwd / prodigy.PRODIGY_FILE_NAME),
        ("mentor", cwd / CONFIG_FILE_NAME),
    ]
    for kind, path in candidates:
        if path is None or not path.is_file() or path.resolve() in seen:
            continue
        seen.add(path.resolve())
        data = _read_json_file(path)
        if kind == "prodigy":
            translation = prodigy.translate(
                data, where=str(path), prodigy_home=prodigy_home, mentor_keys=Settings.model_fields.keys()
            )
            data = translation.values
            if translation.ignored:
                ignored.append((str(path), translation.ignored))
        layers.append((str(path), data, {}))
    return layers, ignored


def _no_effect_warning(source: str, names: List[str], what: str = "key") -> str:
    plural = len(names) > 1
    return (
        f"{source}: {what}{'s' if plural else ''} {', '.join(names)} {'have' if plural else 'has'} no effect "
        "in mentor (see docs/migrating-from-prodigy-config.md)"
    )


def load_settings(
    overrides: Optional[Mapping[str, Any]] = None,
    *,
    recipe_config: Optional[Mapping[str, Any]] = None,
    environ: Optional[Mapping[str, str]] = None,
    cwd: Optional[Path] = None,
) -> Settings:
    """Build the settings: defaults < user files < project files < env < recipe < PRODIGY_CONFIG_OVERRIDES < CLI.

    Raises ConfigError naming the file or variable and the key when a value is bad.
    """
    environ = os.environ if environ is None else environ
    cwd = Path.cwd() if cwd is None else cwd
    env_values, env_sources = _env_settings(environ)
    home = Path(env_values.get("home") or Path.home() / ".mentor").expanduser()
    prodigy_home = Path(os.path.abspath(cwd / Path(environ.get("PRODIGY_HOME") or prodigy.DEFAULT_PRODIGY_HOME).expanduser()))
    layers, ignored = _file_layers(environ, cwd, home, prodigy_home)
    files_read = [source for source, _, _ in layers]
    prodigy_env = prodigy.translate_environment(environ)
    override_keys: List[str] = []
    layers.append(("environment", prodigy_env.values, prodigy_env.sources))
    layers.append(("environment", env_values, env_sources))
    if recipe_config:
        layers.append(("recipe config", dict(recipe_config), {}))
    if environ.get("PRODIGY_CONFIG_OVERRIDES"):
        source = "PRODIGY_CONFIG_OVERRIDES"
        translation = prodigy.translate(
            prodigy.parse_overrides(environ[source]),
            where=source,
            prodigy_home=prodigy_home,
            mentor_keys=Settings.model_fields.keys(),
        )
        # where a MENTOR_* variable sets the key too, its value stands at this level instead
        values = {k: env_values.get(k, v) for k, v in translation.values.items()}
        layers.append((source, values, {k: env_sources[k] for k in values if k in env_values}))
        override_keys = [k for k in values if k not in Settings.model_fields]
        if translation.ignored:
            ignored.append((source, translation.ignored))
    if overrides:
        layers.append(("command line", {k: v for k, v in overrides.items() if v is not None}, {}))
    merged: Dict[str, Any] = {"home": home}
    origin: Dict[str, str] = {}
    for source, values, sources in layers:
        for key, value in values.items():
            merged[key] = value
            origin[key] = sources.get(key, source)
    merged.update(resolve_ui_files(merged, cwd=cwd, origin=origin))
    merged["ui_overrides"] = {k: merged[k] for k in override_keys}
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
    if files_read:  # none: nothing to say, and an error stays the one line on stderr
        _announce("info", f"Config files read: {', '.join(files_read)}")
    for source, names in ignored:
        _announce("warn", _no_effect_warning(source, names))
    if prodigy_env.ignored:
        _announce("warn", _no_effect_warning("environment", prodigy_env.ignored, "variable"))
    return settings
