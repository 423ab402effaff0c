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
    return out;
  }

  save(answers: Task[]): void {
    try {
      const others = this.read(this.key).filter((t) => !this.mine.has(this.keyOf(t)));
      this.mine = new Set(answers.map(this.keyOf));
      const all = [...others, ...answers];
      if (all.length === 0) window.localStorage.removeItem(this.key);
      else window.localStorage.setItem(this.key, JSON.stringify(all));
      this.ok = true;
    } catch {
      this.ok = false;
    }
  }
}
