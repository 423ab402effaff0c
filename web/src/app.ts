/**
 * The annotation loop. A key press answers the task on screen and paints the
 * next one from the local queue at once; everything that talks to the server
 * (sending answers, fetching the next batch, saving to localStorage) happens
 * after the paint. Answers move: current -> history (editable, undo) ->
 * outbox (sent in batches, kept in localStorage until the server confirms).
 */
import { getProject, getQuestions, giveAnswers, HttpError, validateAnswer } from "./api";
import { h, mount } from "./dom";
import { applySettings } from "./settings";
import { buildShell, FLAG_KEY, INSTRUCTIONS_KEY, renderHistory, renderKeyHelp, renderMeta, renderProgress, renderSkips, renderStats, renderTitle, type Shell, VIEW_KEYS } from "./shell";
import { AnswerStore } from "./storage";
import type { AnswerKind, AnswersResponse, ProjectResponse, QuestionsResponse, Stats, Task, UiConfig } from "./types";
import { renderView } from "./views";
import type { RenderedView, ViewContext } from "./views/view";

const MAX_SEND = 100;
const MAX_BACKOFF_MS = 15000;
const KEEPALIVE_LIMIT = 60000;
const MAX_DUPLICATE_BATCHES = 5;
/** How often a page that ran out asks again while other tabs or sessions hold tasks. */
const WAIT_POLL_MS = 3000;

/** Ids of tabs that were closed, newest last: a tab opened after one was closed carries on
 *  as it (the server hands a tab's held tasks back to the same id at once, where a new id
 *  would wait session_hold_seconds for them). */
const CLOSED_TABS_KEY = "mentor:closed-tabs";
const CLOSED_TABS_KEPT = 20;

function closedTabs(): string[] {
  try {
    const kept = JSON.parse(window.localStorage.getItem(CLOSED_TABS_KEY) ?? "[]");
    return Array.isArray(kept) ? kept.filter((id): id is string => typeof id === "string") : [];
  } catch {
    return [];
  }
}

function keepClosedTabs(ids: string[]): void {
  try {
    window.localStorage.setItem(CLOSED_TABS_KEY, JSON.stringify(ids.slice(-CLOSED_TABS_KEPT)));
  } catch {
    /* storage full or off: the next tab waits for the held tasks instead */
  }
}

/** This tab is closing (or reloading): a tab opened next may carry on as it. */
function releaseTabId(id: string): void {
  keepClosedTabs([...closedTabs().filter((kept) => kept !== id), id]);
}

/** This tab's id, kept across reloads of the tab (sessionStorage is per tab): the server
 *  gives each tab of a session different tasks, and a reload gets back the tab's own. A new
 *  tab takes the id of the tab closed last, if any. */
function tabId(): string {
  const fresh = (): string =>
    typeof crypto !== "undefined" && "randomUUID" in crypto ? crypto.randomUUID() : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  try {
    const closed = closedTabs();
    const kept = window.sessionStorage.getItem("mentor:tab");
    const id = kept ?? closed[closed.length - 1] ?? fresh();
    keepClosedTabs(closed.filter((other) => other !== id));
    window.sessionStorage.setItem("mentor:tab", id);
    return id;
  } catch {
    return fresh();
  }
}

/** Run fn after the browser has painted the current frame. */
function afterPaint(fn: () => void): void {
  let done = false;
  const run = (): void => {
    if (!done) {
      done = true;
      fn();
    }
  };
  requestAnimationFrame(() => setTimeout(run, 0));
  setTimeout(run, 100); // hidden tabs get no animation frames
}

/** The answer a 422 names: by its index in the batch as sent, else by task_hash; none when it names none. */
function refusedAnswer(batch: Task[], err: HttpError): Task | undefined {
  const index = err.body?.index;
  if (typeof index === "number" && Number.isInteger(index) && batch[index]) return batch[index];
  const hash = err.body?.task_hash;
  return hash === undefined || hash === null ? undefined : batch.find((t) => String(t._task_hash) === String(hash));
}

function taskKey(task: Task): string {
  if (task._task_hash !== undefined || task._input_hash !== undefined) return `${task._input_hash ?? ""}:${task._task_hash ?? ""}`;
  const { answer: _a, _timestamp: _t, ...rest } = task;
  return JSON.stringify(rest);
}

/** A refusal that asking again won't change: the session isn't allowed, or the login isn't. */
function isForbidden(err: unknown): err is HttpError {
  return err instanceof HttpError && (err.status === 401 || err.status === 403);
}

function isTyping(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
}

export class App {
  private readonly shell: Shell = buildShell();
  private readonly session: string | null;
  private readonly tab: string = tabId();
  private viewId = "text";
  private dataset = "";
  private config: UiConfig = {};
  private labels: string[] = [];
  private store: AnswerStore | null = null;

  private queue: Task[] = [];
  private current: Task | null = null;
  private view: RenderedView | null = null;
  private history: Task[] = [];
  private outbox: Task[] = [];
  private readonly seen = new Set<string>();
  private readonly refusals = new WeakMap<Task, string>();

  private loaded = false;
  private noMore = false;
  /** tasks other tabs or sessions hold that this tab could get: while > 0 and the queue is empty, wait and ask again */
  private heldElsewhere = 0;
  private rechecked = false;
  private fetching = false;
  private sending = false;
  private fetchFailures = 0;
  private duplicateBatches = 0;
  private sendFailures = 0;
  private sendTimer: number | undefined;
  private fetchTimer: number | undefined;
  private nextRetryAt = 0;
  private errorText: string | null = null;
  private retrying = true;
  /** The server refused this page for good (403): nothing is asked or answered any more. */
  private stopped = false;
  /** An answer waiting for the recipe's validate_answer: no other key acts meanwhile. */
  private validating = false;
  /** Which answer buttons and keys the recipe offers (config.buttons). */
  private offered = new Set<string>(["accept", "reject", "ignore", "undo"]);

  private progress: number | null = null;
  private progressKind: string | null = null;
  private progressAfter: number | null = null;  // answers the server needs before the loss gives progress
  private total: number | null = null;
  private stats: Stats | null = null;
  private noticeTimer: number | undefined;

  constructor(private readonly host: HTMLElement) {
    this.session = new URLSearchParams(window.location.search).get("session") || null;
  }

  private get batchSize(): number {
    return Math.max(1, Number(this.config.batch_size) || 10);
  }

  private get historySize(): number {
    if (this.config.instant_submit) return 0;
    const size = Number(this.config.history_size);
    return Number.isFinite(size) && size >= 0 ? size : 10;
  }

  async start(): Promise<void> {
    mount(this.host, this.shell.root);
    this.wire();
    this.paint();
    let project: ProjectResponse;
    for (let attempt = 0; ; attempt++) {
      try {
        project = await getProject(this.session, this.tab);
        break;
      } catch (err) {
        if (err instanceof HttpError && !err.transient) {
          // refused (403 not allowed, 422 a bad name): asking again gets the same answer
          this.stop(err, "Can't load the project");
          return;
        }
        const delay = this.backoff(attempt + 1);
        this.nextRetryAt = Date.now() + delay;
        this.showError(err, "Can't load the project");
        await new Promise((r) => setTimeout(r, delay));
      }
    }
    this.clearError();
    this.viewId = project.view_id || "text";
    this.dataset = typeof project.dataset === "string" ? project.dataset : "";
    this.config = project.config ?? {};
    this.labels = (project.labels ?? this.config.labels ?? []).filter((l): l is string => typeof l === "string");
    this.progress = project.progress ?? null;
    this.progressKind = project.progress_kind ?? null;
    this.progressAfter = project.progress_after ?? null;
    this.total = project.total ?? null;
    this.stats = project.stats ?? null;
    this.applySkips(project);
    this.applyUiSettings();
    // the server's session id (DATASET-NAME) names the session, also when there is no ?session=
    const sessionId = typeof project.session_id === "string" && project.session_id ? project.session_id : `${this.dataset}-${this.session ?? "default"}`;
    const prefix = `${this.dataset || "session"}-`;
    const sessionName = sessionId.startsWith(prefix) ? sessionId.slice(prefix.length) : sessionId;
    document.title = `${this.dataset || "mentor"} · ${sessionName} · mentor`;
    renderTitle(this.shell, this.dataset, this.viewId, sessionName);
    this.store = new AnswerStore(this.dataset, sessionId, taskKey, this.session);
    this.startPing();
    // Answers a closed tab or an outage left behind go out first; they can't be edited any more.
    this.outbox = this.store.load();
    for (const t of this.outbox) this.seen.add(taskKey(t));
    this.renderSide();
    void this.send();
    await this.fetchMore();
  }

  // ---- answering -------------------------------------------------------------

  answer(kind: AnswerKind): void {
    const task = this.current;
    if (!task || this.validating || this.stopped || !this.offered.has(kind)) return;
    task.answer = kind;
    task._timestamp = Math.floor(Date.now() / 1000);
    if (this.config.validate_answer) void this.validateThenKeep(task);
    else this.keep(task);
  }

  /** Ask the recipe about this one answer before the next task shows; a refusal stays on this task. */
  private async validateThenKeep(task: Task): Promise<void> {
    this.validating = true;
    this.shell.card.classList.add("validating");
    try {
      await validateAnswer(task, this.session, this.tab);
    } catch (err) {
      if (err instanceof HttpError && err.status === 422) {
        delete task.answer;
        this.refusals.set(task, err.detail);
        this.paint(); // the reason above the task, which stays on screen
        return;
      }
      if (isForbidden(err)) return this.stop(err, "The server refused this session");
      // the server can't say now: keep the answer, give_answers checks it again when it is sent
    } finally {
      this.validating = false;
      this.shell.card.classList.remove("validating");
    }
    if (this.current === task && task.answer) this.keep(task);
  }

  /** The answer is given: into the history, and the next task on screen. */
  private keep(task: Task): void {
    this.refusals.delete(task);
    this.history.unshift(task);
    this.current = null;
    this.showNext();
    afterPaint(() => {
      while (this.history.length > this.historySize) this.outbox.push(this.history.pop() as Task);
      this.persist();
      this.renderSide();
      if (this.outbox.length >= this.batchSize || (this.config.instant_submit && this.outbox.length)) void this.send();
      this.maybeFetch();
    });
  }

  /** Bring back history entry i (0 = the last answer) to edit it. */
  edit(index: number): void {
    if (this.stopped || this.validating || !this.offered.has("undo")) return;
    const task = this.history[index];
    if (!task) return this.notify(this.config.instant_submit ? "Undo is off: answers are sent at once" : "Nothing to undo");
    this.history.splice(index, 1);
    if (this.current) this.queue.unshift(this.current);
    delete task.answer;
    this.store?.forget(task);
    this.current = task;
    this.paint();
    this.renderSide();
    afterPaint(() => this.persist());
  }

  /** Send every kept answer now (Ctrl+S, the end of the queue). */
  sendAll(): void {
    this.outbox.push(...this.history.reverse());
    this.history = [];
    this.persist();
    this.renderSide();
    void this.send();
  }

  private showNext(): void {
    this.current = this.queue.shift() ?? null;
    this.paint();
    this.renderSide();
    if (!this.current && this.noMore && (this.history.length || this.outbox.length)) afterPaint(() => this.sendAll());
  }

  // ---- drawing ---------------------------------------------------------------

  private context(): ViewContext {
    return {
      viewId: this.viewId,
      config: this.config,
      labels: this.labels,
      accept: () => this.answer("accept"),
      answer: (kind) => this.answer(kind),
      notify: (m) => this.notify(m),
    };
  }

  private paint(): void {
    this.view?.destroy?.();
    this.view = null;
    const { card, buttons } = this.shell;
    const task = this.current;
    card.classList.toggle("empty", !task);
    for (const b of [buttons.accept, buttons.reject, buttons.ignore, this.shell.flag]) b.disabled = !task || this.stopped;
    this.shell.flag.classList.toggle("on", Boolean(task?.flagged));
    this.shell.flag.setAttribute("aria-pressed", String(Boolean(task?.flagged)));
    if (task) {
      this.view = renderView(this.viewId, task, this.context());
      const refusal = this.refusals.get(task);
      mount(card, refusal ? h("div", { class: "refusal", role: "alert" }, refusal) : null, this.view.el);
      renderMeta(this.shell, task, Boolean(this.config.hide_meta));
      this.view.mounted?.();
      return;
    }
    renderMeta(this.shell, null, true);
    if (this.stopped) mount(card, h("div", { class: "card-message" }, "This page can't be used as it is: see the message above."));
    else if (!this.loaded) mount(card, h("div", { class: "card-message" }, "Loading…"));
    else if (this.noMore && this.heldElsewhere > 0) mount(card, h("div", { class: "card-message waiting" }, h("h2", null, `Waiting for ${this.heldElsewhere} task${this.heldElsewhere === 1 ? "" : "s"} held by other annotators…`), h("p", { class: "muted" }, "They come to this page if whoever holds them stops answering. This page asks again every few seconds.")));
    else if (this.noMore && !this.fetching) mount(card, h("div", { class: "card-message done" }, h("h2", null, "No tasks available"), h("p", { class: "muted" }, this.history.length + this.outbox.length ? "Sending your last answers…" : "All answers are saved. You can close this tab.")));
    else if (this.fetchFailures) mount(card, h("div", { class: "card-message" }, "Waiting for the server…"));
    else mount(card, h("div", { class: "card-message" }, "Loading more tasks…"));
  }

  private renderSide(): void {
    const local = [...this.history, ...this.outbox];
    const total = typeof this.total === "number" && this.total > 0 ? this.total : null;
    const progress = typeof this.progress === "number" && Number.isFinite(this.progress) ? Math.min(1, Math.max(0, this.progress)) : null;
    if (total !== null && (progress === null || this.progressKind === "answered")) {
      // answered / total, counting the answers still kept in this browser
      const done = Math.min(total, Math.round((progress ?? 0) * total) + local.length);
      renderProgress(this.shell, done / total, `${done} / ${total}`);
    } else if (progress !== null) {
      renderProgress(this.shell, progress, `${Math.round(progress * 100)}%`);
    } else if (this.progressAfter !== null && this.progressAfter > 0) {
      // the model's progress needs two updates; the last history_size answers stay here (for
      // undo) until more come, so they reach the server only after that many more
      const held = this.config.instant_submit ? 0 : this.historySize;
      const more = Math.max(1, this.progressAfter + held - local.length);
      renderProgress(this.shell, null, `Estimate after ${more} more answer${more === 1 ? "" : "s"}`, false);
    } else {
      renderProgress(this.shell, null, "∞");
    }
    if (this.config.show_stats) {
      const count = (kind: AnswerKind): number => (this.stats?.[kind] ?? 0) + local.filter((t) => t.answer === kind).length;
      const totalInDataset = this.stats?.dataset_total;
      renderStats(this.shell, {
        accept: count("accept"),
        reject: count("reject"),
        ignore: count("ignore"),
        dataset_total: totalInDataset === undefined ? undefined : totalInDataset + local.length,
      });
    } else renderStats(this.shell, null);
    renderHistory(this.shell, this.history, (i) => this.edit(i));
    this.shell.buttons.undo.disabled = this.history.length === 0 || this.stopped;
    const unsent = local.length;
    const state = this.shell.saveState;
    state.classList.toggle("pending", unsent > 0);
    if (unsent && this.store && !this.store.ok) state.textContent = `${unsent} answer${unsent === 1 ? "" : "s"} not sent yet; the browser's storage is full, so keep this tab open until they are`;
    else if (unsent) state.textContent = `${unsent} answer${unsent === 1 ? "" : "s"} kept in this browser${this.sending ? ", sending…" : ""}`;
    else if (state.dataset.saved) state.textContent = state.dataset.saved;
    else state.textContent = "";
  }

  notify(message: string): void {
    const el = this.shell.notice;
    el.textContent = message;
    el.classList.add("visible");
    window.clearTimeout(this.noticeTimer);
    this.noticeTimer = window.setTimeout(() => el.classList.remove("visible"), 3000);
  }

  private showError(err: unknown, what: string, retrying = true): void {
    const detail = err instanceof HttpError ? `${err.detail}${err.code ? ` [${err.code}]` : ""}` : "the server can't be reached";
    this.errorText = `${what}: ${detail.replace(/\.$/, "")}.`;
    this.retrying = retrying;
    this.shell.bannerBadge.textContent = err instanceof HttpError && !err.transient ? "Error" : "Offline";
    this.renderBanner();
  }

  private clearError(): void {
    if (this.errorText === null) return;
    this.errorText = null;
    this.renderBanner();
  }

  private renderBanner(): void {
    const { banner, bannerText, retry } = this.shell;
    banner.hidden = this.errorText === null;
    if (this.errorText === null) return;
    retry.hidden = !this.retrying;
    const kept = this.history.length + this.outbox.length;
    const wait = Math.max(0, Math.ceil((this.nextRetryAt - Date.now()) / 1000));
    bannerText.textContent = `${this.errorText} ${kept ? `${kept} answer${kept === 1 ? " is" : "s are"} kept in this browser and will be sent when it's back. ` : ""}${!this.retrying ? "" : wait ? `Retrying in ${wait} s.` : "Retrying…"}`.trim();
  }

  // ---- server ----------------------------------------------------------------

  private applyProgress(res: QuestionsResponse | AnswersResponse): void {
    if ("progress" in res) this.progress = res.progress ?? null;
    if ("progress_kind" in res) this.progressKind = res.progress_kind ?? null;
    if ("progress_after" in res) this.progressAfter = res.progress_after ?? null;
    if ("total" in res && res.total !== undefined) this.total = res.total;
    if ("stats" in res && res.stats) this.stats = res.stats;
  }

  /** Show the server's count of bad source lines it skipped; it grows as the stream is read. */
  private applySkips(res: QuestionsResponse | ProjectResponse): void {
    const count = typeof res.skipped === "number" ? res.skipped : 0;
    const lines = Array.isArray(res.skipped_lines) ? res.skipped_lines.filter((l): l is string => typeof l === "string") : [];
    renderSkips(this.shell, count, lines);
  }

  private backoff(failures: number): number {
    return Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(failures, 6));
  }

  private scheduleRetry(kind: "send" | "fetch", failures: number): void {
    const delay = this.backoff(failures);
    this.nextRetryAt = Date.now() + delay;
    if (kind === "send") {
      window.clearTimeout(this.sendTimer);
      this.sendTimer = window.setTimeout(() => void this.send(), delay);
    } else {
      window.clearTimeout(this.fetchTimer);
      this.fetchTimer = window.setTimeout(() => void this.fetchMore(), delay);
    }
    this.renderBanner();
  }

  private maybeFetch(): void {
    if (!this.fetching && !this.noMore && !this.fetchFailures && this.queue.length < this.batchSize) void this.fetchMore();
  }

  private async fetchMore(): Promise<void> {
    if (this.fetching || this.stopped) return;
    this.fetching = true;
    window.clearTimeout(this.fetchTimer);
    let added = 0;
    try {
      const res = await getQuestions(this.session, this.tab);
      this.fetchFailures = 0;
      if (!this.sendFailures) this.clearError();
      this.applyProgress(res);
      this.applySkips(res);
      for (const task of Array.isArray(res.tasks) ? res.tasks : []) {
        const key = taskKey(task);
        if (this.seen.has(key)) continue; // already on screen, answered or waiting to be sent
        this.seen.add(key);
        this.queue.push(task);
        added++;
      }
      const received = Array.isArray(res.tasks) ? res.tasks.length : 0;
      // A batch of tasks we already hold (a restarted server re-serves what it
      // sent before) is not the end: ask again, a few times at most.
      this.duplicateBatches = received > 0 && added === 0 ? this.duplicateBatches + 1 : 0;
      this.noMore = received === 0 || this.duplicateBatches >= MAX_DUPLICATE_BATCHES;
      this.heldElsewhere = typeof res.held_elsewhere === "number" && res.held_elsewhere > 0 ? res.held_elsewhere : 0;
      if (added) this.rechecked = false;
    } catch (err) {
      this.fetchFailures++;
      if (isForbidden(err)) this.stop(err, "Can't load tasks");
      else {
        this.showError(err, "Can't load tasks");
        this.scheduleRetry("fetch", this.fetchFailures);
      }
    } finally {
      this.fetching = false;
      this.loaded = true;
    }
    if (!this.current) this.showNext();
    else this.renderSide();
    if (added || (this.duplicateBatches && !this.noMore)) this.maybeFetch();
    else if (this.noMore && this.heldElsewhere > 0 && !this.fetchFailures) {
      // not done: others hold tasks this tab may get once they stop answering
      window.clearTimeout(this.fetchTimer);
      this.fetchTimer = window.setTimeout(() => {
        if (!this.noMore || this.fetching) return;
        this.noMore = false;
        void this.fetchMore();
      }, WAIT_POLL_MS);
    }
  }

  /** Tell the server this tab is still here (an empty batch), so the tasks it holds stay
   *  its own while the annotator reads; a closed tab stops, and its tasks go to others. */
  private startPing(): void {
    const hold = Number(this.config.session_hold_seconds);
    const every = Math.max(1000, Math.min(20000, (Number.isFinite(hold) && hold > 0 ? hold : 60) * 1000 / 3));
    const timer = window.setInterval(() => {
      if (this.stopped) return window.clearInterval(timer);
      if (!this.sending) giveAnswers([], this.session, this.tab).catch(() => undefined);
    }, every);
  }

  private async send(): Promise<void> {
    if (this.sending || this.stopped || !this.outbox.length) return;
    window.clearTimeout(this.sendTimer);
    this.sending = true;
    const batch = this.outbox.slice(0, MAX_SEND);
    let again = false;
    try {
      const res = await giveAnswers(batch, this.session, this.tab);
      this.outbox = this.outbox.filter((t) => !batch.includes(t));
      this.sendFailures = 0;
      if (!this.fetchFailures) this.clearError();
      this.applyProgress(res);
      const saved = typeof res.saved === "number" ? res.saved : batch.length;
      this.shell.saveState.dataset.saved = `✓ Saved ${batch.length} answer${batch.length === 1 ? "" : "s"}${saved < batch.length ? ` (${batch.length - saved} already stored)` : ""}`;
      again = this.outbox.length > 0;
    } catch (err) {
      const refused = err instanceof HttpError && err.status === 422 ? refusedAnswer(batch, err) : undefined;
      if (refused && err instanceof HttpError) {
        this.refuse(refused, err.detail);
        again = true;
      } else if (isForbidden(err)) {
        this.stop(err, "The server refused the answers");
      } else {
        this.sendFailures++;
        this.showError(err, err instanceof HttpError && !err.transient ? "The server refused the answers" : "Can't save answers");
        this.scheduleRetry("send", this.sendFailures + (err instanceof HttpError && !err.transient ? 4 : 0));
      }
    } finally {
      this.sending = false;
      this.persist();
      this.renderSide();
    }
    if (again) void this.send();
    else if (!this.outbox.length && !this.history.length && !this.current && this.noMore && !this.rechecked) {
      // the server may have more once it has our answers (tasks re-served after a timeout)
      this.rechecked = true;
      this.noMore = false;
      await this.fetchMore();
    } else if (this.noMore && !this.current) this.paint();
  }

  /** The server refused one answer of the batch (the recipe's validate_answer, or a
   *  malformed answer): bring it back with the message; the rest are sent again. */
  private refuse(task: Task, reason: string): void {
    this.outbox = this.outbox.filter((t) => t !== task);
    if (this.current) this.queue.unshift(this.current);
    delete task.answer;
    this.store?.forget(task);
    this.refusals.set(task, reason);
    this.current = task;
    this.paint(); // the card shows the reason above the task
  }

  /** The server refused this page (403): say why and stop asking. The answers stay in localStorage. */
  private stop(err: HttpError, what: string): void {
    this.stopped = true;
    this.nextRetryAt = 0;
    window.clearTimeout(this.sendTimer);
    window.clearTimeout(this.fetchTimer);
    if (this.current) this.queue.unshift(this.current);
    this.current = null;
    this.showError(err, what, false);
    this.paint();
    this.renderSide();
  }

  /** The Prodigy UI settings: theme, card styles, which buttons, flag, instructions. */
  private applyUiSettings(): void {
    const config = this.config;
    applySettings(config, this.shell.card);
    if (Array.isArray(config.buttons)) this.offered = new Set(config.buttons.filter((b): b is string => typeof b === "string"));
    for (const [kind, button] of Object.entries(this.shell.buttons)) button.hidden = !this.offered.has(kind);
    const extraKeys: Array<[string, string]> = [...(VIEW_KEYS[this.viewId] ?? [])];
    this.shell.flag.hidden = !config.show_flag;
    if (config.show_flag) extraKeys.push(FLAG_KEY);
    const instructions = typeof config.instructions === "string" && config.instructions.trim() ? config.instructions : null;
    this.shell.instructionsButton.hidden = instructions === null;
    if (instructions !== null) {
      // sanitized on the server (nh3); the operator's own text, shown as Prodigy shows it
      this.shell.instructionsBody.innerHTML = instructions;
      extraKeys.push(INSTRUCTIONS_KEY);
    }
    renderKeyHelp(this.shell, extraKeys);
  }

  private toggleFlag(): void {
    const task = this.current;
    if (!task || !this.config.show_flag || this.stopped) return;
    if (task.flagged) delete task.flagged;
    else task.flagged = true;
    this.shell.flag.classList.toggle("on", Boolean(task.flagged));
    this.shell.flag.setAttribute("aria-pressed", String(Boolean(task.flagged)));
    this.notify(task.flagged ? "Flagged" : "Flag removed");
  }

  private persist(): void {
    this.store?.save([...this.outbox, ...[...this.history].reverse()]);
  }

  // ---- input -----------------------------------------------------------------

  private wire(): void {
    const { buttons, retry, save, keys, help } = this.shell;
    const click = (b: HTMLButtonElement, fn: () => void): void =>
      b.addEventListener("click", () => {
        b.blur(); // so space, a key of its own, never "clicks" it again
        fn();
      });
    click(buttons.accept, () => this.answer("accept"));
    click(buttons.reject, () => this.answer("reject"));
    click(buttons.ignore, () => this.answer("ignore"));
    click(buttons.undo, () => this.edit(0));
    click(this.shell.flag, () => this.toggleFlag());
    click(this.shell.instructionsButton, () => this.toggleInstructions());
    this.shell.instructions.addEventListener("click", (e) => {
      if (e.target === this.shell.instructions) this.toggleInstructions(false);
    });
    click(retry, () => {
      if (!this.store) return; // still loading the project: that loop retries by itself
      if (this.outbox.length) void this.send();
      if (this.fetchFailures || !this.loaded) void this.fetchMore();
    });
    click(save, () => this.sendAll());
    click(keys, () => this.toggleHelp());
    help.addEventListener("click", (e) => {
      if (e.target === help) this.toggleHelp(false);
    });
    document.addEventListener("keydown", (e) => this.onKey(e));
    window.addEventListener("pagehide", (e) => this.onLeave(e));
    window.setInterval(() => {
      if (this.errorText !== null) this.renderBanner();
    }, 1000);
  }

  private toggleHelp(open?: boolean): void {
    this.shell.help.hidden = open === undefined ? !this.shell.help.hidden : !open;
  }

  private toggleInstructions(open?: boolean): void {
    if (this.shell.instructionsButton.hidden) return;
    this.shell.instructions.hidden = open === undefined ? !this.shell.instructions.hidden : !open;
  }

  private onKey(e: KeyboardEvent): void {
    if (e.defaultPrevented || e.isComposing) return;
    if (!this.shell.instructions.hidden) {
      if (e.key === "Escape" || e.key.toLowerCase() === "h") {
        e.preventDefault();
        this.toggleInstructions(false);
      }
      return;
    }
    if (!this.shell.help.hidden) {
      if (e.key === "Escape" || e.key === "?") {
        e.preventDefault();
        this.toggleHelp(false);
      }
      return;
    }
    if (isTyping(e.target)) {
      const target = e.target as HTMLElement;
      if (e.key === "Enter" && (target.tagName === "INPUT" || e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        this.answer("accept");
      } else if (e.key === "Escape") target.blur();
      return;
    }
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "s") {
      e.preventDefault();
      this.sendAll();
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.target instanceof HTMLButtonElement && (e.key === " " || e.key === "Enter")) e.target.blur();
    if (this.validating) {
      e.preventDefault(); // the answer on screen waits for the recipe's check: no key answers past it
      return;
    }
    if (this.view?.onKey?.(e)) {
      e.preventDefault();
      return;
    }
    const actions: Record<string, () => void> = {
      a: () => this.answer("accept"),
      x: () => this.answer("reject"),
      " ": () => this.answer("ignore"),
      Backspace: () => this.edit(0),
      Delete: () => this.edit(0),
      "?": () => this.toggleHelp(),
      h: () => this.toggleInstructions(),
      f: () => this.toggleFlag(),
    };
    const action = actions[e.key.length === 1 && e.key !== " " ? e.key.toLowerCase() : e.key];
    if (!action) return;
    e.preventDefault();
    if (e.repeat && e.key !== "?") return; // a held key must not answer a run of tasks
    action();
  }

  /** The tab is closing: try once to send what is kept (localStorage still has it). */
  private onLeave(e: PageTransitionEvent): void {
    if (e.persisted) return;
    releaseTabId(this.tab);
    const answers = [...this.outbox, ...[...this.history].reverse()];
    if (!answers.length) return;
    const body = JSON.stringify({ answers, session_id: this.session, tab_id: this.tab });
    if (body.length > KEEPALIVE_LIMIT) return;
    giveAnswers(answers, this.session, this.tab, true).catch(() => undefined);
  }
}
