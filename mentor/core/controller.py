"""Serve a recipe's stream to annotator sessions and store what comes back.

The :class:`Controller` sits between what a recipe returns
(:class:`~mentor.core.components.Components`) and the HTTP server. It pulls
tasks lazily from the stream, skips those already answered (so a restarted
recipe carries on where it stopped), hands them out in batches through a feed
(:mod:`mentor.core.feed`), and stores each answered batch durably before it
says so. It never imports FastAPI: the server calls its methods. Tasks and
answers are told apart by their hash and their input (:mod:`mentor.core.keys`),
never by a 32-bit hash alone.

Threads: the server calls it from a thread pool. ``_state`` guards sessions,
feed and counters (short sections, never around I/O); ``_recipe`` makes one
thread at a time pull from the stream or call ``update``, since both may run
the same model; each session's own lock makes its batches of answers go in one
at a time, which is what turns a retried batch into a no-op.
"""
from __future__ import annotations

import copy
import logging
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Set, Tuple, Union

from sqlalchemy.exc import DBAPIError

from ..config import Settings, resolve_ui_files
from ..db import Database
from ..errors import (
    AnswerNotServed,
    AnswerRejected,
    ConfigError,
    InvalidTask,
    MentorError,
    TooManyAnswers,
    TooManySessions,
)
from ..tasks import Task, input_digest, set_hashes
from .answers import check_answer
from .claims import TaskClaims, default_owner
from .components import Components
from .feed import OverlapFeed, SharedFeed
from .keys import (
    DIGEST_FIELD,
    DIGEST_MASK,
    KeySet,
    format_digest,
    keys_of,
    own_key_of,
    read_stored_keys,
    stored_keys_of,
)
from .progress import LossTracker, ProgressKind, answered_fraction
from .sessions import NewSessionRate, Session, StorageUnavailable, check_allowed, session_id_for
from .signing import SIGNATURE_KEY, TaskSigner, load_key
from .writer import GroupWriter

logger = logging.getLogger(__name__)

# skipped lines named one by one in /project (the count says how many more)
SKIPS_SHOWN = 5

# seconds between two reads of the claims of tasks other processes hold, for a tab that ran out
REFRESH_PARKED = 2.0
# batches a process pulls and claims at once when processes share a dataset and no model is in the loop
# (at most CLAIM_BLOCK_MAX tasks): fewer claims, and another process walking the same stream skips the block with one claim
# instead of fighting over it task by task. At the end of a stream, the tasks a server claimed and none
# of its annotators took reach the other servers when the claim's lease runs out.
CLAIM_BLOCK_BATCHES = 5
CLAIM_BLOCK_MAX = 50

# keys of the settings the web app reads; anything else it needs comes from the recipe's config
UI_SETTINGS = ("batch_size", "history_size", "instant_submit", "show_stats")
# never sent to the browser, whatever layer they were set in
PRIVATE_SETTINGS = frozenset(
    ("home", "db_url", "db", "db_settings", "basic_auth", "user_sessions", "admins", "allowed_sessions",
     "allowed_hosts", "host", "port", "log_level")
)
UI_DEFAULTS: Dict[str, Any] = {
    "choice_style": "single",
    "choice_auto_accept": False,
    "blocks": None,
    "ner_manual_highlight_chars": False,
    "darken_image": 0,
    "hide_meta": False,
    "keymap_by_label": {},
}


@dataclass
class Questions:
    tasks: List[Task]
    session_id: str
    total: Optional[int]
    progress: Optional[float]
    progress_kind: Optional[ProgressKind]
    held_elsewhere: int = 0  # tasks this tab could answer that another tab or session holds now
    progress_after: Optional[int] = None  # answers the server still needs before teach's progress is known


@dataclass
class Receipt:
    session_id: str
    saved: int
    total: Optional[int]
    progress: Optional[float]
    progress_kind: Optional[ProgressKind]
    stats: Dict[str, int] = field(default_factory=dict)
    progress_after: Optional[int] = None


class Controller:
    """Serve ``components`` to sessions, storing answers in ``db``.

    The recipe's ``config`` fills in the settings nobody set explicitly (the
    CLI already merges it with the right precedence). Raises ConfigError for
    contradictory settings and DatasetNotFound for a missing ``exclude`` dataset.
    ``signer`` signs the tasks sent out (default: with the key in the mentor home).
    """

    def __init__(
        self,
        components: Components,
        db: Optional[Database],
        settings: Settings,
        *,
        signer: Optional[TaskSigner] = None,
    ) -> None:
        self.components = components
        self.db = db
        self.settings = _with_recipe_config(settings, components.config)
        if self.settings.strict_sources:
            # before anything is stored or served: a strict recipe serves all of its source or nothing
            for source in components.sources:
                source.validate()
        self.dataset: Union[str, bool] = components.dataset
        self.view_id = components.view_id
        if self.settings.feed_overlap and (self.settings.annotations_per_task or 1) > 1:
            raise ConfigError("'feed_overlap' and 'annotations_per_task' can't be used together: pick one")
        if self.dataset and db is None:
            raise ConfigError("The recipe names a dataset but no database was given to store it in")
        self.batch_size = self.settings.batch_size
        self.per_task = self.settings.annotations_per_task or 1
        self.overlap = self.settings.feed_overlap
        self._by = "input" if self.settings.exclude_by == "input" else "task"
        self._state = threading.RLock()
        self._recipe = threading.Lock()
        self._session_init = threading.Lock()
        # one commit for all the batches waiting: see writer.py
        self._writer = GroupWriter(db) if db is not None else None
        self.sessions: Dict[str, Session] = {}
        self._new_sessions = NewSessionRate(self.settings.max_new_sessions_per_minute)
        self._iterator: Optional[Iterator[Task]] = None
        self._exhausted = False
        self._total: Optional[int] = None
        self._total_known = False
        self._losses = LossTracker()
        self._last_update: Any = None
        self._answers_seen = 0
        self._started = False
        self._closed = False
        self._dataset_keys = KeySet()
        self._dataset_total = 0
        self._signer = signer if signer is not None else TaskSigner(load_key(self.settings.server_key_file))
        # the session of annotators who open the app without ?session= (Prodigy's get_session_id)
        named = components.get_session_id() if components.get_session_id is not None else None
        self._default_session: Optional[str] = str(named) if named else None
        if self.dataset:
            assert db is not None
            db.add_dataset(str(self.dataset))
        self._feed = self._make_feed()
        self._claims = self._make_claims()
        self._parked_checked = 0.0
        # per_task > 1: session id -> (when its last slot claim was made, tasks it named), to size the next
        self._slot_pace: Dict[str, Tuple[float, int]] = {}
        # A recipe with a model in the loop (an ``update``) gets its questions pulled one batch at a time,
        # claims or not: a block pulled ahead would be chosen and scored by the model of several
        # batches ago (textcat.teach's first 50 questions all scored by the cold model).
        # With slots (annotations_per_task > 1) tasks are claimed as they go out, not as they are pulled: no
        # block then, but a claim of a session's batch reserves slots of its next ones (_slots_ahead).
        blocks = self._claims is not None and self.components.update is None
        block = min(CLAIM_BLOCK_MAX, CLAIM_BLOCK_BATCHES * self.batch_size) if blocks else 0
        self._block = block if self.per_task <= 1 else 0
        self._slot_block = block if self.per_task > 1 else 0

    # -- set-up -------------------------------------------------------------

    def _stored_keys(self, *names: str) -> KeySet:
        """The exclusion keys of the answers stored in some datasets (see mentor.core.keys)."""
        assert self.db is not None
        if not names:
            return KeySet()
        return read_stored_keys(self.db.iter_hashes_and_content(*names), self._by)

    def _make_feed(self) -> Union[SharedFeed, OverlapFeed]:
        excluded = [name for name in self.components.exclude if name != self.dataset]
        done = self._stored_keys(*excluded) if self.db is not None else KeySet()
        timeout = self.settings.task_timeout
        hold = self.settings.session_hold_seconds
        prior: Dict[int, Set[str]] = {}
        prior_bare: Dict[int, Set[str]] = {}
        if self.dataset and self.db is not None:
            name = str(self.dataset)
            self._dataset_total = self.db.count_dataset(name)
            if self.overlap:
                pass  # each session reads its own answers when it connects
            elif self.per_task > 1:
                for task in self.db.get_dataset_examples(name):
                    key, bare = stored_keys_of(task, self._by)
                    self._dataset_keys.add_record(task, self._by)
                    sessions = prior.setdefault(key, set()) if key is not None else prior_bare.setdefault(bare, set())
                    sessions.add(str(task.get("_session_id") or ""))
                    own = own_key_of(task, self._by)  # an import Prodigy hashed otherwise: mentor's key too
                    if own is not None:
                        prior.setdefault(own, set()).add(str(task.get("_session_id") or ""))
            else:
                self._dataset_keys = self._stored_keys(name)
        if self.overlap:
            return OverlapFeed(timeout=timeout, hold=hold, done=done)
        if self.settings.auto_exclude_current:
            if self.per_task <= 1:
                done.update(self._dataset_keys)
            else:
                return SharedFeed(
                    timeout=timeout, hold=hold, per_task=self.per_task, done=done, prior=prior, prior_bare=prior_bare
                )
        return SharedFeed(timeout=timeout, hold=hold, per_task=self.per_task, done=done)

    def _make_claims(self) -> Optional[TaskClaims]:
        """Claims shared with other server processes on the database: of tasks, or of their slots with ``annotations_per_task`` > 1.

        None with ``feed_overlap`` (every session sees every task, so there is
        nothing to share out) and without a dataset.
        """
        if not self.dataset or self.db is None or self.overlap:
            return None
        lease = self.settings.claim_lease_seconds or self.settings.session_hold_seconds
        owner = self.settings.claim_owner or default_owner(self.settings.port)
        return TaskClaims(self.db, str(self.dataset), by=self._by, lease=lease, owner=owner)

    def sharing_notice(self) -> Optional[str]:
        """A line to print at start when other server processes hold tasks of this dataset now, else None."""
        if self._claims is None:
            return None
        others = self._claims.others(time.time())
        if not others:
            return None
        held = ", ".join(f"{owner} ({count} tasks)" for owner, count in sorted(others.items()))
        shared = (
            "each task is answered once" if self.per_task <= 1
            else f"each task is answered by up to {self.per_task} sessions, never twice by one"
        )
        return (
            f"Another server serves dataset '{self.dataset}' on {self.db.location if self.db else 'this database'} "
            f"now: {held}. The servers share its tasks through the database ({shared}); "
            "a task another server holds comes here once its lease runs out"
        )

    def start(self) -> None:
        """Run the recipe's ``on_load`` once (the server calls this at start-up)."""
        with self._state:
            if self._started:
                return
            self._started = True
        if self.components.on_load is not None:
            self.components.on_load(self)
            if self.dataset and self.db is not None and str(self.dataset) in self.db:
                # on_load may store examples (terms.teach stores its seeds): recount
                total = self.db.count_dataset(str(self.dataset))
                with self._state:
                    self._dataset_total = total

    def close(self) -> None:
        """Run the recipe's ``on_exit`` once (at shutdown); the database stays open."""
        with self._state:
            if self._closed:
                return
            self._closed = True
        if self._claims is not None:
            self._claims.stop()
        try:
            if self.components.on_exit is not None:
                self.components.on_exit(self)
        finally:
            if self._writer is not None:
                self._writer.close()

    # -- sessions -----------------------------------------------------------

    def session_id(self, name: Optional[str]) -> str:
        """The full id (``DATASET-NAME``) for a bare name, checking it is allowed.

        No name: the recipe's ``get_session_id`` names the session, when it has one.
        """
        if not name and self._default_session is not None:
            name = self._default_session
        check_allowed(self.dataset, name, self.settings.allowed_sessions)
        return session_id_for(self.dataset, name)

    def get_session(self, name: Optional[str]) -> Session:
        """The session for a name, reading what it stored before on first use.

        Raises TooManySessions for a new name past ``max_sessions``, and
        SessionsTooFast past ``max_new_sessions_per_minute`` (neither when
        ``allowed_sessions`` bounds the names already).
        """
        sid = self.session_id(name)
        with self._state:
            session = self.sessions.get(sid)
        if session is not None:
            return session
        with self._session_init:
            with self._state:
                session = self.sessions.get(sid)
            if session is not None:
                return session
            if not self.settings.allowed_sessions:
                # a listed team is bounded already; anyone else may be a script cycling names
                if len(self.sessions) >= self.settings.max_sessions:
                    raise TooManySessions(sid, self.settings.max_sessions)
                self._new_sessions.admit(sid)
            session = Session(sid)
            if self.dataset and self.db is not None:
                with self._database_errors(sid):
                    self._load_session(session)
            with self._state:
                self.sessions[sid] = session
            return session

    @contextmanager
    def _database_errors(self, session_id: str) -> Iterator[None]:
        """Turn a failing connection into StorageUnavailable (503: the app retries)."""
        try:
            yield
        except DBAPIError as err:
            logger.warning("Can't reach the database for session %s: %s", session_id, err)
            location = self.db.location if self.db is not None else "the database"
            raise StorageUnavailable(
                f"Can't reach the database at {location} right now: try again in a moment"
            ) from None

    def _load_session(self, session: Session) -> None:
        """Read what the session already stored (after a restart).

        Its session dataset is created with its first answer (see ``_store``),
        so names that never answer leave nothing in the database.
        """
        assert self.db is not None
        for task in self.db.get_dataset_examples(str(self.dataset), session=session.id):
            session.answered.add_stored(*stored_keys_of(task, "task"))
            if self.settings.auto_exclude_current:
                session.answered_keys.add_stored(*stored_keys_of(task, self._by))
            session.counts[task.get("answer")] += 1
        session.stored = bool(session.answered)  # its session dataset exists: no create on the next answer

    def reopen(self, name: Optional[str], tab: Optional[str] = None) -> str:
        """Mark a fresh page load of one tab: the open tasks sent to that tab are served to it again first.

        Tasks other tabs of the session hold stay theirs (a second tab gets
        different tasks); a client that sends no tab id is the tab ``""``.
        """
        session = self.get_session(name)
        tab = tab or ""
        with self._state:
            session.resend[tab] = [ident for ident in session.open if session.holder.get(ident, "") == tab]
            session.seen[tab] = time.time()
        return session.id

    # -- questions ----------------------------------------------------------

    def get_questions(self, name: Optional[str], tab: Optional[str] = None) -> Questions:
        """The next batch for a session's tab: its re-served open tasks first, then new ones.

        An empty list with ``held_elsewhere`` 0 means the stream is exhausted
        and nothing is open anywhere this tab could answer; with
        ``held_elsewhere`` > 0 other tabs or sessions hold that many tasks,
        which come back to whoever asks once their holder is silent for
        ``session_hold_seconds``. Errors the stream raises (a bad line in the
        source) propagate.
        """
        session = self.get_session(name)
        tab = tab or ""
        wanted = self.batch_size
        now = time.time()
        if self._claims is not None:
            self._recheck_parked(session, now)
        with self._state:
            tasks = self._feed.take(session, wanted, now, self.sessions, tab)
        tasks = self._claimed(session, tasks, now)
        while len(tasks) < wanted:
            if self._claims is not None:
                with self._state:
                    more = self._feed.take(session, wanted - len(tasks), now, self.sessions, tab)
                if more:
                    tasks += self._claimed(session, more, now)
                    continue
                if self._exhausted and self._refresh_parked(session, now):
                    continue
            if self._exhausted:
                break
            with self._recipe:
                # with claims, a block at once: the other processes skip it in one claim
                pulled = self._pull(max(wanted - len(tasks), self._block))
            self._admit(session, pulled, now)
            with self._state:
                more = self._feed.take(session, wanted - len(tasks), now, self.sessions, tab)
            tasks += self._claimed(session, more, now)
        if not tasks and self._exhausted and self._claims is not None and self.per_task > 1:
            self._learn_waited(session, now)
        with self._state:
            held = self._feed.held_elsewhere(session, now, self.sessions, tab)
        progress, kind = self.progress(session)
        # the low 64 bits of a task's key are its input digest: signing needs no second one
        signed = [self._signer.sign(task, ident & DIGEST_MASK) for ident, task in tasks]
        return Questions(signed, session.id, self.total, progress, kind, held, self.answers_until_estimate())

    def _admit(self, session: Session, pulled: List[Tuple[Task, int, int]], now: float) -> None:
        """Add tasks pulled from the stream to the feed, claiming them first when processes share the dataset.

        A task another process claimed waits parked until its lease ends; one
        the dataset has an answer for is left out.
        """
        if self._claims is None or self.per_task > 1:  # slots are claimed when a task goes out (_claimed_slots)
            with self._state:
                for task, ident, key in pulled:
                    self._feed.admit(task, ident, key)
            return
        try:
            with self._database_errors(session.id):
                verdict = self._claims.claim([(ident, key) for _, ident, key in pulled], now)
        except StorageUnavailable:
            with self._state:  # admitted unclaimed: they are claimed when sent, once the database is back
                for task, ident, key in pulled:
                    self._feed.admit(task, ident, key)
            raise
        self._claims.start_renewing(self._renew_claims)
        granted = set(verdict.granted)
        answered = set(verdict.answered)
        assert isinstance(self._feed, SharedFeed)
        with self._state:
            for task, ident, key in pulled:
                if ident in granted:
                    self._feed.admit(task, ident, key, claimed_until=now + self._claims.lease)
                elif ident in answered:
                    self._feed.done.add(key)
                    self._dataset_keys.add(key)
                else:
                    self._feed.admit(task, ident, key, parked=verdict.held.get(ident, now + self._claims.lease))

    def _claimed(self, session: Session, tasks: List[Tuple[int, Task]], now: float) -> List[Tuple[int, Task]]:
        """The tasks this process may send: those it holds a claim on with time left, claimed again if not.

        A claim that would run out within half a lease is renewed here, and
        the tasks another process has taken or answered meanwhile go back to
        the feed (parked, or dropped for good).
        """
        if self._claims is None or not tasks:
            return tasks
        if self.per_task > 1:
            return self._claimed_slots(session, tasks, now)
        assert isinstance(self._feed, SharedFeed)
        lease = self._claims.lease
        with self._state:
            stale = set(self._feed.unclaimed([ident for ident, _ in tasks], now + lease / 2))
        if not stale:
            return tasks
        candidates = [(ident, self._answer_key(task, ident)) for ident, task in tasks if ident in stale]
        with self._sent_or_released(session, tasks):
            verdict = self._claims.claim(candidates, now)
        self._claims.start_renewing(self._renew_claims)
        with self._state:
            self._feed.set_claimed(verdict.granted, now + lease)
            for ident, until in verdict.held.items():
                self._feed.hold_elsewhere(session, ident, until)
            self._forget_answered(session, verdict.answered)
        refused = set(verdict.held) | set(verdict.answered)
        return [(ident, task) for ident, task in tasks if ident not in refused]

    @contextmanager
    def _sent_or_released(self, session: Session, tasks: List[Tuple[int, Task]]) -> Iterator[None]:
        """Around a claim of tasks taken for ``session``: if the database fails, they are not sent after all.

        They go back to the feed, free for the next ask, and the failure
        becomes StorageUnavailable (the app retries).
        """
        try:
            with self._database_errors(session.id):
                yield
        except StorageUnavailable:
            with self._state:
                for ident, _ in tasks:
                    self._feed.release(session, ident)
            raise

    def _claimed_slots(self, session: Session, tasks: List[Tuple[int, Task]], now: float) -> List[Tuple[int, Task]]:
        """The tasks this process may send ``session`` with ``annotations_per_task`` > 1: those it holds a slot of for it.

        A slot is claimed (or renewed, within half a lease of its end) in one
        transaction that reads which sessions answered each task. A task the
        session answered elsewhere, or that enough sessions answered, leaves
        its view; one whose places other processes' sessions fill waits until
        a slot may come free, counted in ``held_elsewhere``. The same
        transaction reserves slots of the tasks the session would take next
        (:meth:`_slots_ahead`), so that its next batches go out without one.
        Which sessions of this process hold each task is read inside it, after
        the row locks: claims of several threads need no lock of their own.
        """
        assert self._claims is not None and isinstance(self._feed, SharedFeed)
        lease = self._claims.lease
        with self._state:
            stale = set(self._feed.unclaimed_slots(session, [ident for ident, _ in tasks], now + lease / 2))
        if not stale:
            return tasks
        candidates = [(ident, self._answer_key(task, ident)) for ident, task in tasks if ident in stale]
        ahead = self._slots_ahead(session, tasks, now)
        named = [ident for ident, _ in candidates] + [ident for ident, _ in ahead]

        def holding() -> Dict[int, Set[str]]:
            with self._state:
                return self._feed.places_for(named, now, self.sessions)

        reserved = [ident for ident, _ in ahead]
        with self._state:
            self._feed.pend(session, reserved)  # unsent: places_for counts them until reserve() below
        try:
            with self._sent_or_released(session, tasks):
                verdict = self._claims.claim_slots(session.id, candidates + ahead, self.per_task, now, holding)
        except BaseException:
            with self._state:
                self._feed.unpend(session, reserved)
            raise
        self._claims.start_renewing(self._renew_claims)
        granted = set(verdict.granted)
        with self._state:
            self._slot_pace[session.id] = (now, len(named))
            self._feed.set_slots(((ident, session.id) for ident in granted - set(reserved)), now + lease)
            self._feed.reserve(session, [ident for ident in reserved if ident in granted], now + lease)
            self._feed.unpend(session, reserved)
            for ident, until in verdict.held.items():
                self._feed.wait_for_slot(session, ident, until)
            for ident, until in verdict.full.items():
                self._feed.held_by_others(ident, until)
            for ident, answered in verdict.answered.items():
                key = self._feed.learn_answers(ident, answered, self.sessions)
                if key is not None:
                    self._dataset_keys.add(key)
            for ident in set(named) - granted - set(verdict.held):
                # answered by this session (through another process, maybe) or by enough sessions: not again
                if ident in stale:
                    self._feed.release(session, ident)
                self._feed.learn_answers(ident, {session.id}, self.sessions)
        return [(ident, task) for ident, task in tasks if ident not in stale or ident in granted]

    def _slots_ahead(self, session: Session, tasks: List[Tuple[int, Task]], now: float) -> List[Tuple[int, int]]:
        """``(ident, key)`` of the tasks ``session`` would take after ``tasks``, to reserve their slots in the same claim.

        As many as the session answers in a quarter of a lease at the pace of
        its last claim (a reserved slot is not renewed until its task is
        sent), at most five batches with ``tasks`` (CLAIM_BLOCK_BATCHES, as
        claims of ``annotations_per_task`` 1) and twice as many tasks as its
        last claim named (a session that stops after a batch or two holds few
        places it won't use), none on its first claim and none with a model
        in the loop. Pulls from the stream when the feed has too few.
        """
        if not self._slot_block:
            return []
        assert self._claims is not None and isinstance(self._feed, SharedFeed)
        room = self._slot_block - len(tasks)
        with self._state:
            last = self._slot_pace.get(session.id)
            if last is None or room <= 0:
                return []
            elapsed = now - last[0]
            paced = room if elapsed <= 0 else int(last[1] / elapsed * self._claims.lease / 4) - len(tasks)
            want = min(room, paced, 2 * last[1] - len(tasks)) - self._feed.reserved(session, now)
            if want <= 0:
                return []
            skip = {ident for ident, _ in tasks}
            upcoming = self._feed.upcoming(session, want, now, self.sessions, skip)
        if len(upcoming) < want and not self._exhausted:
            with self._recipe:
                pulled = self._pull(self._slot_block)
            self._admit(session, pulled, now)
            with self._state:
                upcoming = self._feed.upcoming(session, want, now, self.sessions, skip)
        return [(ident, self._answer_key(task, ident)) for ident, task in upcoming]

    def _learn_waited(self, session: Session, now: float) -> None:
        """For a tab left with nothing: read the answers of the tasks it waits for a slot of (read only).

        Other servers' sessions that hold their places mostly answer them
        before their leases end; the tasks they finished leave the feed now,
        so the tab is told it is done instead of waiting out those leases.
        """
        assert self._claims is not None and isinstance(self._feed, SharedFeed)
        with self._state:
            waited = self._feed.waited(session, now)
        if not waited:
            return
        with self._database_errors(session.id):
            found = self._claims.answered_by([key for _, key in waited])
        with self._state:
            for ident, key in waited:
                if key in found:
                    done = self._feed.learn_answers(ident, found[key], self.sessions)
                    if done is not None:
                        self._dataset_keys.add(done)

    def _recheck_parked(self, session: Session, now: float) -> None:
        """Claim again, in one go, the parked tasks whose holder's lease has run out (most were answered)."""
        assert self._claims is not None and isinstance(self._feed, SharedFeed)
        lease = self._claims.lease
        with self._state:
            due = self._feed.due_parked(now, now + lease)
        if not due:
            return
        with self._database_errors(session.id):
            verdict = self._claims.claim(due, now)
        with self._state:
            for ident in verdict.granted:
                self._feed.unpark(ident, now + lease)
            for ident, until in verdict.held.items():
                self._feed.repark(ident, until)
            self._forget_answered(None, verdict.answered)

    def _forget_answered(self, session: Optional[Session], idents: List[int]) -> None:
        """Tasks the dataset has answers for from another process leave the feed (caller holds ``_state``)."""
        assert isinstance(self._feed, SharedFeed)
        for ident in idents:
            key = self._feed.answered_elsewhere(session, ident)
            if key is not None:
                self._dataset_keys.add(key)

    def _answer_key(self, task: Task, ident: int) -> int:
        """The exclusion key of a task the feed holds (``ident`` is its key by task hash)."""
        if self._by == "task":
            return ident
        return keys_of(task, self._by, ident & DIGEST_MASK)[1]

    def _refresh_parked(self, session: Session, now: float) -> bool:
        """Read the claims of the tasks other processes hold, at most every REFRESH_PARKED seconds.

        For a tab that ran out at the end of the stream: tasks their holders
        answered are forgotten (so the app can say it is done), and those let
        go come back to the pool. True when some came back.
        """
        assert self._claims is not None and isinstance(self._feed, SharedFeed)
        with self._state:
            if now - self._parked_checked < REFRESH_PARKED:
                return False
            self._parked_checked = now
            parked = self._feed.parked()
        if not parked:
            return False
        with self._database_errors(session.id):
            verdict = self._claims.check(parked, now)
        with self._state:
            self._forget_answered(None, verdict.answered)
            for ident in verdict.granted:
                self._feed.unpark(ident)
        return bool(verdict.granted)

    def _renew_claims(self) -> None:
        """Renew the claims of the tasks this process's sessions hold now (the renewal thread calls it)."""
        assert self._claims is not None and isinstance(self._feed, SharedFeed)
        now = time.time()
        if self.per_task > 1:
            with self._state:
                slots = self._feed.held_slots(now, self.sessions)
            if slots:
                self._claims.renew_slots(((key, sid) for (_, sid), key in slots.items()), now)
                with self._state:  # not a slot a claim handed on meanwhile (it forfeited it)
                    self._feed.set_slots(slots, now + self._claims.lease, renewed=True)
            return
        with self._state:
            held = self._feed.held_keys(now, self.sessions)
        if held:
            self._claims.renew(held.values(), now)
            with self._state:
                self._feed.set_claimed(held, now + self._claims.lease)

    def _pull(self, count: int) -> List[Tuple[Task, int, int]]:
        """Up to ``count`` tasks from the stream that aren't excluded, with their keys (caller holds ``_recipe``)."""
        if self._iterator is None:
            self._iterator = iter(self.components.stream)
        pulled: List[Tuple[Task, int, int]] = []
        while len(pulled) < count and not self._exhausted:
            try:
                task = next(self._iterator)
            except StopIteration:
                self._exhausted = True
                break
            except MentorError:
                self._exhausted = True
                raise
            if not isinstance(task, dict):
                raise InvalidTask("task", f"must be a JSON object, got {type(task).__name__}", "stream")
            set_hashes(task)
            ident, key = keys_of(task, self._by)
            if not self._feed.is_excluded(key):
                pulled.append((task, ident, key))
        return pulled

    # -- answers ------------------------------------------------------------

    def give_answers(self, answers: List[Task], name: Optional[str], tab: Optional[str] = None) -> Receipt:
        """Validate, store (durably) and learn from a batch of answers.

        Any batch, an empty one too (the app's ping), tells the server the tab
        is still there, so the tasks it holds stay its own.

        A batch the session already sent is stored and learnt from once.
        Raises TooManyAnswers for a batch over ``max_answers_per_request``.
        Raises InvalidAnswer for a malformed answer, AnswerNotServed for one
        that answers no task this server sent, and AnswerRejected when the
        recipe's ``validate_answer`` refuses one; each names the first such
        answer, and nothing of the batch is stored.
        """
        limit = self.settings.max_answers_per_request
        if len(answers) > limit:
            # before any answer is checked: a huge batch would hold the session's lock for long
            raise TooManyAnswers(len(answers), limit)
        session = self.get_session(name)
        with self._state:
            session.seen[tab or ""] = time.time()
        prepared = [self._prepare(answer, session, index) for index, answer in enumerate(answers)]
        keyed = [self._answer_keys(answer) for answer in prepared]  # before any callback sees the answers
        for index, answer in enumerate(prepared):
            self._validate(answer, index)
        fresh: List[Task] = []
        keys: List[Tuple[int, int]] = []
        saved = 0
        with session.lock:
            seen: Set[int] = set()
            for answer, (ident, key) in zip(prepared, keyed):
                if ident in session.answered or ident in seen:
                    continue
                seen.add(ident)
                fresh.append(answer)
                keys.append((ident, key))
            if fresh:
                saved = self._store(fresh, session)
                with self._state:
                    for answer, (ident, key) in zip(fresh, keys):
                        session.answered.add(ident)
                        session.answered_keys.add(key)
                        session.counts[answer["answer"]] += 1
                        self._dataset_keys.add(key)
                        self._feed.mark_answered(session, ident, key)
                    self._dataset_total += saved
                    self._answers_seen += len(fresh)
        trainable = [answer for answer in fresh if answer["answer"] != "ignore"]
        if trainable and self.components.update is not None:
            with self._recipe:
                result = self.components.update(trainable)
                self._last_update = result
                self._losses.add(self._answers_seen, result)
        progress, kind = self.progress(session)
        return Receipt(
            session.id, saved, self.total, progress, kind, self.stats(session), self.answers_until_estimate(),
        )

    def validate_answer(self, answer: Task, name: Optional[str]) -> None:
        """Check one answer as the app gives it, storing nothing.

        The app asks before it shows the next task, so a refusal from the
        recipe's ``validate_answer`` comes while the annotator still looks at
        the task, not a batch later. Raises what ``give_answers`` raises for it.
        """
        session = self.get_session(name)
        self._validate(self._prepare(answer, session, 0), 0)

    def _validate(self, answer: Task, index: int) -> None:
        """Run the recipe's ``validate_answer``; raises AnswerRejected naming the answer."""
        validate = self.components.validate_answer
        if validate is None:
            return
        try:
            validate(answer)
        except Exception as err:  # any exception refuses: its message goes to the annotator
            rejected = AnswerRejected(str(err) or err.__class__.__name__)
            rejected.task_hash = answer.get("_task_hash")  # type: ignore[attr-defined]
            rejected.index = index  # type: ignore[attr-defined]
            raise rejected from err

    def _prepare(self, answer: Any, session: Session, index: int) -> Task:
        """Check one answer and fill in what the server records; raises InvalidAnswer or AnswerNotServed."""
        check_answer(answer, index)
        digest = input_digest(answer)
        if not self._signer.verify(answer, digest):
            task_hash = answer.get("_task_hash")
            raise AnswerNotServed(index=index, task_hash=task_hash if isinstance(task_hash, int) else None)
        # a copy: the caller's answer keeps its signature, so a refused batch can be sent again
        answer = {key: value for key, value in answer.items() if key != SIGNATURE_KEY}
        answer["_session_id"] = session.id
        answer["_annotator_id"] = session.id
        answer.setdefault("_view_id", self.view_id)
        if answer.get("_timestamp") is None:
            answer["_timestamp"] = int(time.time())
        # the input it was served with (the signature says so), kept in case before_db strips it;
        # last, so that a restart finds it at the end of the stored JSON
        answer.pop(DIGEST_FIELD, None)
        answer[DIGEST_FIELD] = format_digest(digest)
        return answer

    def _answer_keys(self, answer: Task) -> Tuple[int, int]:
        """``(ident, key)`` of a prepared answer: those of the task it answers."""
        return keys_of(answer, self._by, int(answer[DIGEST_FIELD], 16))

    def _store(self, answers: List[Task], session: Session) -> int:
        """Run ``before_db`` and commit the answers to the dataset and the session, durably."""
        records = answers
        if self.components.before_db is not None:
            # before_db may strip what update still needs (tokens, say): give it copies
            records = self.components.before_db(copy.deepcopy(answers))
            if records is None:
                raise TypeError("The recipe's before_db returned None: it must return the answers")
        if not self.dataset or self._writer is None:
            return len(records)
        if not session.stored:
            assert self.db is not None
            with self._database_errors(session.id):
                self.db.add_dataset(session.id, session=True)
            session.stored = True
        try:
            return self._writer.write(records, [str(self.dataset), session.id])
        except (ValueError, OverflowError) as err:
            # JSON that Python reads but nothing can store: NaN, Infinity, an unpaired surrogate
            raise InvalidTask(
                "answers", f"hold a value that can't be stored as JSON (NaN, Infinity or broken text): {err}"
            ) from None

    # -- progress and stats -------------------------------------------------

    @property
    def total(self) -> Optional[int]:
        """``total_examples_target`` when set, else the stream's length when it can tell (a file), else None."""
        if self.settings.total_examples_target:
            return self.settings.total_examples_target
        if not self._total_known:
            stream = self.components.stream
            total = getattr(stream, "total", None)
            if total is None and isinstance(stream, (list, tuple)):
                # only plain sequences: a sorter's len() is its pool, not the stream
                total = len(stream)
            self._total = int(total) if isinstance(total, int) else None
            self._total_known = True
        return self._total

    def progress(self, session: Optional[Session] = None) -> Tuple[Optional[float], Optional[ProgressKind]]:
        """``(value, kind)``: the recipe's, the loss estimate, or answered / total."""
        if self.components.progress is not None:
            value = self.components.progress(self, self._last_update)
            return (None if value is None else float(value)), "recipe"
        if self.components.update is not None:
            estimate = self._losses.estimate()
            if estimate is not None:
                return estimate, "loss"
        total = self.total
        with self._state:
            finished = self._exhausted and (session is None or not self._feed.has_pending(session))
            if self.overlap:
                done = len(session.answered_keys) if session is not None else 0
            elif self.per_task > 1:
                done = self._feed.completed_units(session) if session is not None else 0
                total = total * self.per_task if total else total
            else:
                done = len(self._dataset_keys)
        if finished:
            return 1.0, "answered"
        fraction = answered_fraction(done, total)
        return (fraction, "answered") if fraction is not None else (None, None)

    def answers_until_estimate(self) -> Optional[int]:
        """How many more answers must reach ``update`` before its losses give the progress.

        A teach session's progress is ∞ until two updates have returned a
        loss; saying how long that lasts is honest, a guessed percentage is not.
        None when progress comes from elsewhere or is already estimated.
        """
        if self.components.progress is not None or self.components.update is None:
            return None
        if self.total is not None:
            return None  # answered / total shows until the loss line exists
        return self._losses.answers_needed(self.batch_size)

    def stats(self, session: Optional[Session] = None) -> Dict[str, int]:
        """This session's accept/reject/ignore counts and the dataset's total."""
        with self._state:
            counts = session.stats() if session is not None else {"accept": 0, "reject": 0, "ignore": 0}
            counts["dataset_total"] = self._dataset_total
        return counts

    def skipped_lines(self) -> Tuple[int, List[str]]:
        """How many bad source lines the stream skipped so far, and the first few as ``file:line: problem``.

        The terminal says it once at start-up, where an annotator never looks;
        the app shows this so the person annotating knows tasks were left out.
        """
        count = 0
        shown: List[str] = []
        for source in self.components.sources:
            count += int(source.skipped)
            for error in source.errors:
                if len(shown) < SKIPS_SHOWN:
                    shown.append(str(getattr(error, "message", error)))
        return count, shown

    @property
    def labels(self) -> List[str]:
        labels = self.components.config.get("labels") or self.settings.labels or []
        return [str(label) for label in labels]

    def ui_config(self) -> Dict[str, Any]:
        """The settings the web app renders with: UI settings, the recipe's config, extra keys."""
        config: Dict[str, Any] = dict(UI_DEFAULTS)
        extra = self.settings.model_extra or {}
        config.update({k: v for k, v in extra.items() if k not in PRIVATE_SETTINGS})
        config.update(self._recipe_ui_config)
        config.update(self.settings.ui_overrides)
        for key in UI_SETTINGS:
            config[key] = getattr(self.settings, key)
        config["session_hold_seconds"] = self.settings.session_hold_seconds
        config["labels"] = self.labels
        config["exclude_by"] = self.settings.exclude_by
        config["view_id"] = self.view_id
        config["dataset"] = self.dataset if self.dataset else None
        # the app checks each answer with /validate_answer before it shows the next task
        config["validate_answer"] = self.components.validate_answer is not None
        return config

    @cached_property
    def _recipe_ui_config(self) -> Dict[str, Any]:
        """The recipe's config for the app, its file settings (``instructions``...) read once, as the files' are."""
        config = {k: v for k, v in self.components.config.items() if k not in PRIVATE_SETTINGS}
        config.update(resolve_ui_files(config, cwd=Path.cwd(), origin={k: "the recipe's config" for k in config}))
        return config


def _with_recipe_config(settings: Settings, config: Dict[str, Any]) -> Settings:
    """Apply the recipe's config to the settings nobody set explicitly."""
    known = set(Settings.model_fields)
    unset = {
        key: value
        for key, value in config.items()
        if key in known and key not in settings.model_fields_set and key not in PRIVATE_SETTINGS
    }
    if not unset:
        return settings
    try:
        return Settings.model_validate({**settings.model_dump(), **unset})
    except ValueError as err:
        raise ConfigError(f"The recipe's config has a bad value: {err}") from None
