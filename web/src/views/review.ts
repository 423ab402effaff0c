/**
 * review: the versions several annotators gave (task.versions), listed on top
 * with their number key, what each marks and the sessions that gave it; below,
 * the task in the view the answers were given in (config.review_view_id).
 *
 * Manual views (ner_manual, choice, ...): a number key loads that version into
 * the view below, where it can be edited like any task; the most common
 * version comes loaded, and the list marks the version the task now holds
 * (none once edited). Accept stores the task as it stands: the gold answer.
 * Binary views (ner, classification, ...): the question is shown as asked and
 * a number key answers with that version's answer (a and x answer as usual).
 * The labels' and options' own number keys move to Shift+1-0.
 */
import { h, toText } from "../dom";
import { keyLabel, keyName, labelFill, numberKey } from "../labels";
import type { AnswerKind, Span, Task } from "../types";
import { drawView } from "./index";
import type { RenderedView, ViewContext } from "./view";

/** One entry of task.versions, as the review recipe writes it. */
interface Version {
  spans?: Span[];
  accept?: Array<string | number>;
  answer?: AnswerKind;
  sessions?: string[];
  default?: boolean;
  [key: string]: unknown;
}

/** The fields a version sets on the task when it is picked. */
const VERSION_FIELDS = ["spans", "accept"] as const;
/** Views whose answers are whole annotations (the server says so in review_binary; this is the fallback). */
const MANUAL_VIEWS = new Set(["ner_manual", "spans_manual", "choice", "image_manual", "text_input", "blocks", "pos_manual", "relations", "audio_manual"]);
const ANSWER_TEXT: Record<AnswerKind, string> = { accept: "✓ accept", reject: "✗ reject", ignore: "⊘ ignore" };
/** The labels and options below take Shift+1-0: 1-9 and 0 pick versions. */
const INNER_KEY_OFFSET = 10;

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function spanKey(span: Span): string {
  if (typeof span.start === "number" && typeof span.end === "number") return JSON.stringify([span.start, span.end, span.label]);
  return JSON.stringify([span.label, span.type ?? null, span.points ?? null, span.x ?? null, span.y ?? null, span.width ?? null, span.height ?? null]);
}

/** What the task or a version marks, in a form where equal annotations are equal strings (as the recipe compares them). */
function annotationKey(source: { spans?: unknown; accept?: unknown }): string {
  const spans = Array.isArray(source.spans) ? (source.spans as Span[]).map(spanKey).sort() : [];
  const accept = Array.isArray(source.accept) ? source.accept.map((a) => JSON.stringify(a)).sort() : [];
  return JSON.stringify([spans, accept]);
}

function isAnswer(value: unknown): value is AnswerKind {
  return value === "accept" || value === "reject" || value === "ignore";
}

/** What one version marks, as chips: span texts with labels, picked options. */
function versionBody(version: Version, task: Task, labels: string[], binary: boolean): HTMLElement {
  const body = h("span", { class: "review-body" });
  const answer = isAnswer(version.answer) ? version.answer : "accept";
  if (binary || answer !== "accept") body.appendChild(h("span", { class: `review-answer ${answer}` }, ANSWER_TEXT[answer]));
  if (binary) return body;
  const text = typeof task.text === "string" ? task.text : "";
  for (const span of Array.isArray(version.spans) ? version.spans : []) {
    const label = toText(span.label);
    const covered = typeof span.start === "number" && typeof span.end === "number" ? text.slice(span.start, span.end) : "";
    body.appendChild(
      h("span", { class: "review-chip", style: { "--label-fill": labelFill(label, labels) } }, covered ? h("span", { class: "review-chip-text" }, covered) : null, h("span", { class: "review-chip-label" }, label)),
    );
  }
  const options = Array.isArray(task.options) ? task.options : [];
  for (const id of Array.isArray(version.accept) ? version.accept : []) {
    const option = options.find((o) => o.id === id);
    body.appendChild(h("span", { class: "review-chip option-chip" }, toText(option?.text ?? id)));
  }
  if (!body.childElementCount) body.appendChild(h("span", { class: "muted" }, "nothing marked"));
  return body;
}

export function reviewView(task: Task, ctx: ViewContext): RenderedView {
  const versions = (Array.isArray(task.versions) ? task.versions : []).filter((v): v is Version => typeof v === "object" && v !== null);
  const inner = typeof ctx.config.review_view_id === "string" && ctx.config.review_view_id !== "review" ? ctx.config.review_view_id : "text";
  const binary = typeof ctx.config.review_binary === "boolean" ? ctx.config.review_binary : !MANUAL_VIEWS.has(inner);
  const innerCtx: ViewContext = {
    ...ctx,
    viewId: inner,
    config: { ...ctx.config, number_key_offset: INNER_KEY_OFFSET, choice_auto_accept: false },
  };
  const everyone = new Set(versions.flatMap((v) => (Array.isArray(v.sessions) ? v.sessions : [])));
  const editorBox = h("div", { class: "review-editor" });
  let editor: RenderedView = drawView(inner, task, innerCtx);
  editorBox.appendChild(editor.el);
  const state = h("div", { class: "review-state", "aria-live": "polite" });

  const buttons = versions.map((version, i) => {
    const key = i < 10 ? numberKey(i) : "";
    const sessions = Array.isArray(version.sessions) ? version.sessions.map(toText) : [];
    return h(
      "button",
      {
        type: "button",
        class: "review-version",
        role: binary ? "button" : "radio",
        "data-version": i,
        title: binary ? "Answer with this version" : "Load this version to edit or accept it",
        on: { click: () => pick(i) },
      },
      key ? h("kbd", null, keyLabel(key)) : h("span", { class: "review-nokey" }),
      versionBody(version, task, ctx.labels, binary),
      h("span", { class: "review-sessions" }, sessions.join(" · ")),
      h("span", { class: "review-count", title: "sessions that gave this version" }, `${sessions.length}/${everyone.size}`),
      version.default ? h("span", { class: "review-default" }, "most common") : null,
    );
  });

  const refresh = (): void => {
    const now = annotationKey(task);
    const held = binary ? versions.findIndex((v) => v.default) : versions.findIndex((v) => annotationKey(v) === now);
    buttons.forEach((b, i) => {
      b.classList.toggle("selected", i === held);
      if (!binary) b.setAttribute("aria-checked", String(i === held));
    });
    if (binary) state.textContent = versions.length > 1 ? "The annotators disagree: a number key answers as that version did, or answer yourself." : "";
    else state.textContent = held >= 0 ? `Holding version ${held + 1} (${(versions[held].sessions ?? []).join(", ")})` : "Edited: this is none of the versions";
  };

  function pick(i: number): void {
    const version = versions[i];
    if (binary) return ctx.answer(isAnswer(version.answer) ? version.answer : "accept");
    const fields = task as Record<string, unknown>;
    for (const field of VERSION_FIELDS) {
      if (version[field] !== undefined) fields[field] = clone(version[field]);
      else delete fields[field];
    }
    editor.destroy?.();
    editor = drawView(inner, task, innerCtx);
    editorBox.replaceChildren(editor.el);
    editor.mounted?.();
    refresh();
  }

  // edits below (a span dragged, an option clicked) change the task: show whether it is still a version
  const later = (): void => void window.setTimeout(refresh, 0);
  for (const event of ["click", "pointerup", "keyup"]) editorBox.addEventListener(event, later);
  refresh();

  const list = h("div", { class: "review-versions", role: binary ? "group" : "radiogroup", "aria-label": "Versions" }, ...buttons);
  if (!versions.length) list.appendChild(h("div", { class: "muted" }, "This task has no versions to review."));
  return {
    el: h("div", { class: "view-review" }, list, state, editorBox),
    onKey(e: KeyboardEvent): boolean {
      const i = versions.findIndex((_, j) => j < 10 && numberKey(j) === keyName(e));
      if (i >= 0) {
        if (!(binary && e.repeat)) pick(i); // a held key must not answer a run of tasks
        return true;
      }
      const handled = editor.onKey?.(e) ?? false;
      if (handled) refresh();
      return handled;
    },
    mounted: () => editor.mounted?.(),
    destroy: () => editor.destroy?.(),
  };
}
