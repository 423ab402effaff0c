/**
 * Unsent answers kept in localStorage, so a closed tab, a reload or a server
 * that is down loses nothing: they are sent when the page next loads.
 *
 * The key names the server's session id (`mentor:unsent:DATASET:DATASET-NAME`),
 * so two users of one browser never share it. Tabs of one session share it:
 * each tab replaces only the answers it wrote itself, and a page that loads
 * takes over everything kept there (sending an answer twice stores it once).
 */
import type { Task } from "./types";

export class AnswerStore {
  private readonly key: string;
  private readonly legacy: string | null;
  /** the keys (taskKey) of the answers this tab wrote last: the rest belong to other tabs */
  private mine = new Set<string>();
  /** false once the browser refused to store (quota, private mode): answers then live in memory only. */
  ok = true;
  /** Each kept answer as JSON, made once: a save after every answer re-serialised them all,
   *  20-40 ms an answer on 1,000-word texts with their tokens (bench/web_paint.py). */
  private readonly json = new WeakMap<Task, string>();
  /** Other tabs' answers in the store, as JSON; null: read them again (another tab wrote). */
  private others: string[] | null = null;

  constructor(
    dataset: string,
    sessionId: string,
    private readonly keyOf: (task: Task) => string,
    urlSession: string | null = null,
  ) {
    this.key = `mentor:unsent:${dataset}:${sessionId}`;
    // before 0.x the key was the ?session= name: answers a tab left under it are taken over once
    this.legacy = urlSession ? `mentor:unsent:${dataset}:${urlSession}` : null;
    if (this.legacy === this.key) this.legacy = null;
    // the storage event comes in the other tabs of this browser when one of them writes
    window.addEventListener("storage", (e) => {
      if (e.key === this.key || e.key === null) this.others = null;
    });
  }

  /** The answer changed (brought back to edit, refused): serialise it again when it is kept next. */
  forget(task: Task): void {
    this.json.delete(task);
  }

  private serialised(task: Task): string {
    let text = this.json.get(task);
    if (text === undefined) {
      text = JSON.stringify(task);
      this.json.set(task, text);
    }
    return text;
  }

  private read(key: string): Task[] {
    try {
      const raw = window.localStorage.getItem(key);
      const data: unknown = raw ? JSON.parse(raw) : [];
      return Array.isArray(data) ? (data.filter((t) => t && typeof t === "object") as Task[]) : [];
    } catch {
      return [];
    }
  }

  /** Everything kept for this session (other tabs' answers too); from now on this tab answers for them. */
  load(): Task[] {
    const all = this.read(this.key);
    if (this.legacy) {
      all.push(...this.read(this.legacy));
      try {
        window.localStorage.removeItem(this.legacy);
      } catch {
        // nothing to do: it is read again next time
      }
    }
    const seen = new Set<string>();
    const out = all.filter((t) => {
      const k = this.keyOf(t);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
    this.mine = seen;
    this.others = null;
    return out;
  }

  save(answers: Task[]): void {
    try {
      if (this.others === null) {
        this.others = this.read(this.key).filter((t) => !this.mine.has(this.keyOf(t))).map((t) => JSON.stringify(t));
      }
      this.mine = new Set(answers.map(this.keyOf));
      const all = [...this.others, ...answers.map((t) => this.serialised(t))];
      if (all.length === 0) window.localStorage.removeItem(this.key);
      else window.localStorage.setItem(this.key, `[${all.join(",")}]`);
      this.ok = true;
    } catch {
      this.ok = false;
    }
  }
}
