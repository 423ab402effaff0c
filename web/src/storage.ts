/**
 * Unsent answers kept in localStorage, so a closed tab, a reload or a server
 * that is down loses nothing: they are sent when the page next loads.
 */
import type { Task } from "./types";

export class AnswerStore {
  private readonly key: string;
  /** false once the browser refused to store (quota, private mode): answers then live in memory only. */
  ok = true;

  constructor(dataset: string, session: string | null) {
    this.key = `mentor:unsent:${dataset}:${session ?? ""}`;
  }

  load(): Task[] {
    try {
      const raw = window.localStorage.getItem(this.key);
      const data: unknown = raw ? JSON.parse(raw) : [];
      return Array.isArray(data) ? (data.filter((t) => t && typeof t === "object") as Task[]) : [];
    } catch {
      return [];
    }
  }

  save(answers: Task[]): void {
    try {
      if (answers.length === 0) window.localStorage.removeItem(this.key);
      else window.localStorage.setItem(this.key, JSON.stringify(answers));
      this.ok = true;
    } catch {
      this.ok = false;
    }
  }
}
