/**
 * How long each task is on screen, for the annotator statistics (`/stats`).
 * renderView starts a clock when a task's view is drawn and stops it when the
 * view goes; the time adds up over every showing (undo, a refused answer) and
 * counts only while the tab is visible. When the view goes because the task was
 * answered, the total is set on the task as `_time_on_screen` (seconds, 0.1 s
 * steps, at most a week: what the server accepts).
 */
import type { Task } from "./types";

export const MAX_ON_SCREEN_S = 7 * 24 * 3600;

let hiddenSince: number | null = null;
let hiddenTotal = 0;
let watching = false;

function watch(): void {
  if (watching) return;
  watching = true;
  if (document.hidden) hiddenSince = performance.now();
  document.addEventListener("visibilitychange", () => {
    if (document.hidden && hiddenSince === null) hiddenSince = performance.now();
    else if (!document.hidden && hiddenSince !== null) {
      hiddenTotal += performance.now() - hiddenSince;
      hiddenSince = null;
    }
  });
}

/** Milliseconds the page has been visible (a clock that stops while the tab is hidden). */
function visibleNow(): number {
  const now = performance.now();
  return now - hiddenTotal - (hiddenSince === null ? 0 : now - hiddenSince);
}

const spent = new WeakMap<Task, number>();

/** Start timing the task on screen; the function returned stops it (and stamps an answered task). */
export function timeOnScreen(task: Task): () => void {
  watch();
  const start = visibleNow();
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    const total = (spent.get(task) ?? 0) + Math.max(0, visibleNow() - start);
    spent.set(task, total);
    if (task.answer) task._time_on_screen = Math.min(MAX_ON_SCREEN_S, Math.round(total / 100) / 10);
  };
}
