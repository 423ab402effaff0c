/**
 * The page around the task: sidebar (progress, stats, history, save state),
 * error banner, answer buttons, key help and the meta box under the card.
 * Pure rendering: the App decides what to show, these functions draw it.
 */
import { h, mount, toText } from "./dom";
import type { AnswerKind, Stats, Task } from "./types";

export interface Shell {
  root: HTMLElement;
  title: HTMLElement;
  progressFill: HTMLElement;
  progressText: HTMLElement;
  stats: HTMLElement;
  skips: HTMLElement;
  saveState: HTMLElement;
  history: HTMLOListElement;
  banner: HTMLElement;
  bannerText: HTMLElement;
  bannerBadge: HTMLElement;
  card: HTMLElement;
  meta: HTMLElement;
  notice: HTMLElement;
  buttons: Record<AnswerKind | "undo", HTMLButtonElement>;
  flag: HTMLButtonElement;
  help: HTMLElement;
  helpList: HTMLElement;
  instructions: HTMLElement;
  instructionsBody: HTMLElement;
  instructionsButton: HTMLButtonElement;
  retry: HTMLButtonElement;
  save: HTMLButtonElement;
  keys: HTMLButtonElement;
}

const ICONS: Record<AnswerKind, string> = { accept: "✓", reject: "✗", ignore: "⊘" };

function answerButton(kind: AnswerKind | "undo", label: string, key: string, icon: string): HTMLButtonElement {
  return h(
    "button",
    { type: "button", class: `answer-btn ${kind}`, "data-answer": kind, title: `${label} (${key})`, "aria-label": `${label} (${key})` },
    h("span", { class: "answer-icon", "aria-hidden": "true" }, icon),
    h("span", { class: "answer-label" }, label),
    h("kbd", null, key),
  );
}

export const KEY_HELP: Array<[string, string]> = [
  ["a", "Accept"],
  ["x", "Reject"],
  ["Space", "Ignore (skip)"],
  ["Backspace", "Undo: bring back the last answer"],
  ["1 – 9, 0", "Pick a label or option (Shift+1 – 0 for the 11th to 20th) · review: pick a version (labels and options move to Shift+1 – 0)"],
  ["t", "Image: switch rectangle / polygon"],
  ["Enter", "Text field: accept · Image: close the polygon"],
  ["Esc", "Leave a text field · close this list"],
  ["Ctrl+S", "Send kept answers now"],
  ["?", "Show or hide this list"],
];

/** Keys of the views that move a cursor over tokens: shown in the list when the recipe's view has them. */
const TOKEN_LABEL_KEYS: Array<[string, string]> = [
  ["← →", "Move the cursor over the tokens"],
  ["↑ ↓", "Step through the labels"],
  ["Enter", "Give the token the picked label (again: take it away)"],
  ["d", "Clear the token's label"],
];
const ARC_KEYS: Array<[string, string]> = [
  ["← →", "Move the cursor over the tokens (Shift: select)"],
  ["Enter", "Mark a span · pick the head, then the child (the same arc again removes it)"],
  ["d", "Remove the span (or the token's arcs) under the cursor"],
];
export const VIEW_KEYS: Record<string, Array<[string, string]>> = {
  pos_manual: TOKEN_LABEL_KEYS,
  pos: TOKEN_LABEL_KEYS,
  relations: ARC_KEYS,
  dep: ARC_KEYS,
};

/** Keys that only some recipes have: shown in the list when they do. */
export const FLAG_KEY: [string, string] = ["f", "Flag this task (stored as flagged: true)"];
export const INSTRUCTIONS_KEY: [string, string] = ["h", "Show or hide the instructions"];

function keyList(extra: Array<[string, string]>): HTMLElement {
  return h("dl", null, ...[...KEY_HELP, ...extra].flatMap(([k, v]) => [h("dt", null, h("kbd", null, k)), h("dd", null, v)]));
}

/** The key list with the keys this recipe adds. */
export function renderKeyHelp(shell: Shell, extra: Array<[string, string]>): void {
  shell.helpList.replaceWith(keyList(extra));
  shell.helpList = shell.help.querySelector("dl") as HTMLElement;
}

export function buildShell(): Shell {
  const buttons = {
    reject: answerButton("reject", "Reject", "x", ICONS.reject),
    ignore: answerButton("ignore", "Ignore", "space", ICONS.ignore),
    accept: answerButton("accept", "Accept", "a", ICONS.accept),
    undo: answerButton("undo", "Undo", "⌫", "↶"),
  };
  const flag = h(
    "button",
    { type: "button", class: "answer-btn flag", "aria-pressed": "false", title: "Flag this task (f)", "aria-label": "Flag (f)", hidden: true },
    h("span", { class: "answer-icon", "aria-hidden": "true" }, "⚑"),
    h("span", { class: "answer-label" }, "Flag"),
    h("kbd", null, "f"),
  );
  const title = h("div", { class: "project-title" });
  const progressFill = h("div", { class: "progress-fill" });
  const progressText = h("div", { class: "progress-text" });
  const stats = h("div", { class: "stats", hidden: true });
  const saveState = h("div", { class: "save-state", "aria-live": "polite" });
  const skips = h("section", { class: "side-section skips", role: "status", hidden: true });
  const history = h("ol", { class: "history-list" });
  const bannerText = h("span", { class: "banner-text" });
  const retry = h("button", { type: "button", class: "banner-retry" }, "Retry now");
  const bannerBadge = h("strong", null, "Offline");
  const banner = h("div", { class: "banner", role: "alert", hidden: true }, bannerBadge, bannerText, retry);
  const card = h("article", { class: "card", "aria-live": "polite" });
  const meta = h("div", { class: "task-meta" });
  const notice = h("div", { class: "notice", role: "status", "aria-live": "polite" });
  const save = h("button", { type: "button", class: "side-btn" }, "Send now");
  const keys = h("button", { type: "button", class: "side-btn" }, "Keys ?");
  const helpList = keyList([]);
  const help = h(
    "div",
    { class: "help", role: "dialog", "aria-modal": "true", "aria-label": "Keyboard shortcuts", hidden: true },
    h("div", { class: "help-box" }, h("h2", null, "Keyboard shortcuts"), helpList, h("p", { class: "muted" }, "Press ? or Esc to close.")),
  );
  const instructionsBody = h("div", { class: "instructions-body" });
  const instructions = h(
    "div",
    { class: "instructions", role: "dialog", "aria-modal": "true", "aria-label": "Instructions", hidden: true },
    h("div", { class: "help-box instructions-box" }, h("h2", null, "Instructions"), instructionsBody, h("p", { class: "muted" }, "Press h or Esc to close.")),
  );
  const instructionsButton = h("button", { type: "button", class: "side-btn", hidden: true }, "Instructions h");
  const root = h(
    "div",
    { class: "app" },
    h(
      "aside",
      { class: "sidebar" },
      h("div", { class: "brand" }, "mentor"),
      title,
      h("section", { class: "side-section" }, h("h2", null, "Progress"), h("div", { class: "progress" }, progressFill), progressText),
      stats,
      skips,
      h("section", { class: "side-section history" }, h("h2", null, "History"), history),
      saveState,
      h("div", { class: "side-actions" }, save, keys, instructionsButton),
    ),
    h(
      "main",
      { class: "main" },
      banner,
      h("div", { class: "card-wrap" }, card, meta, notice),
      h("nav", { class: "answer-bar", "aria-label": "Answer" }, buttons.reject, buttons.ignore, buttons.accept, flag, buttons.undo),
    ),
    help,
    instructions,
  );
  return {
    root, title, progressFill, progressText, stats, skips, saveState, history, banner, bannerText, bannerBadge, card, meta, notice,
    buttons, flag, help, helpList, instructions, instructionsBody, instructionsButton, retry, save, keys,
  };
}

export function renderTitle(shell: Shell, dataset: string, viewId: string, session: string | null): void {
  mount(
    shell.title,
    h("div", { class: "dataset" }, dataset || "(no dataset)"),
    h("div", { class: "muted" }, `${viewId}${session ? ` · session ${session}` : ""}`),
  );
}

/** fraction null and no text: unknown (∞). */
export function renderProgress(shell: Shell, fraction: number | null, text: string, symbol = fraction === null): void {
  shell.progressFill.style.setProperty("width", fraction === null ? "0%" : `${Math.round(Math.min(1, Math.max(0, fraction)) * 1000) / 10}%`);
  shell.progressFill.parentElement?.classList.toggle("unknown", symbol);  // ∞ is shown large
  shell.progressText.textContent = text;
}

export function renderStats(shell: Shell, stats: Stats | null): void {
  shell.stats.hidden = stats === null;
  if (!stats) return;
  const row = (name: string, value: number | undefined, cls: string): HTMLElement =>
    h("div", { class: `stat ${cls}` }, h("span", null, name), h("span", { class: "stat-value" }, String(value ?? 0)));
  mount(
    shell.stats,
    h("h2", null, "This session"),
    row("Accept", stats.accept, "accept"),
    row("Reject", stats.reject, "reject"),
    row("Ignore", stats.ignore, "ignore"),
    stats.dataset_total === undefined ? null : row("Dataset total", stats.dataset_total, "total"),
  );
}

/**
 * Say that the source had bad lines the server skipped: the annotator would
 * otherwise never learn that some texts were left out (the terminal says so,
 * but nobody annotating watches it). Hidden while the count is 0.
 */
export function renderSkips(shell: Shell, count: number, lines: string[]): void {
  shell.skips.hidden = count <= 0;
  if (count <= 0) return;
  const more = count > lines.length ? h("li", { class: "muted" }, `and ${count - lines.length} more`) : null;
  mount(
    shell.skips,
    h("h2", null, "Source"),
    h("p", { class: "skips-count" }, `${count} bad line${count === 1 ? "" : "s"} skipped in the source`),
    h("ul", { class: "skips-lines" }, ...lines.map((line) => h("li", { title: line }, line)), more),
  );
}

/** What a span-annotating task's answer said: "Tim Cook (PERSON), Apple (ORG)"; null for other tasks. */
export function spanSummary(task: Task): string | null {
  if (!Array.isArray(task.spans)) return null;
  const text = typeof task.text === "string" ? task.text : "";
  const parts = task.spans
    .filter((s) => typeof s.start === "number" && typeof s.end === "number")
    .map((s) => {
      const words = text.slice(s.start, s.end);
      const label = toText(s.label);
      return label ? `${words} (${label})` : words;
    });
  return parts.length ? parts.join(", ") : "no spans";
}

function preview(task: Task): string {
  const accepted = Array.isArray(task.accept) && task.accept.length ? ` → ${task.accept.map(toText).join(", ")}` : "";
  const base = typeof task.text === "string" && task.text ? task.text : task.label ? toText(task.label) : task.image ? "image" : task.html ? "html" : "task";
  const short = base.length > 70 ? `${base.slice(0, 70)}…` : base;
  return `${short}${accepted}`;
}

export function renderHistory(shell: Shell, history: Task[], onPick: (index: number) => void): void {
  shell.history.replaceChildren(
    ...history.map((task, i) => {
      const answer = (task.answer ?? "ignore") as AnswerKind;
      // which spans and labels were answered: the text alone doesn't tell two answers on it apart
      const spans = spanSummary(task);
      return h(
        "li",
        null,
        h(
          "button",
          { type: "button", class: `history-item ${answer}`, title: "Edit this answer", on: { click: () => onPick(i) } },
          h("span", { class: "history-icon", "aria-label": answer }, ICONS[answer]),
          h(
            "span",
            { class: "history-body" },
            spans === null ? null : h("span", { class: "history-spans" }, spans),
            h("span", { class: "history-text" }, preview(task)),
          ),
        ),
      );
    }),
  );
  if (!history.length) shell.history.appendChild(h("li", { class: "muted empty" }, "Answers you can still edit appear here."));
}

/** The model's score and the task's meta, under the card. */
export function renderMeta(shell: Shell, task: Task | null, hideMeta: boolean): void {
  shell.meta.replaceChildren();
  if (!task) return;
  const meta = task.meta && typeof task.meta === "object" ? task.meta : {};
  const score = typeof task.score === "number" ? task.score : typeof meta.score === "number" ? (meta.score as number) : null;
  const items: HTMLElement[] = [];
  if (score !== null) items.push(h("div", { class: "meta-item score" }, h("span", { class: "meta-key" }, "score"), h("span", null, score.toFixed(2))));
  if (!hideMeta) {
    for (const [key, value] of Object.entries(meta)) {
      if (key === "score" && score !== null) continue;
      items.push(h("div", { class: "meta-item" }, h("span", { class: "meta-key" }, key), h("span", null, toText(value))));
    }
  }
  shell.meta.append(...items);
}
