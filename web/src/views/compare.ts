/**
 * compare and diff: one input, two outputs side by side (the compare recipes).
 *
 * The task holds `input`, `left` and `right` (each a task-like object: text,
 * spans, image) and `mapping`, which says which system each side shows; the
 * view never shows the mapping, so the comparison stays blind. Accept (a, or
 * a click on the left card) prefers the left output, reject (x, or the right
 * card) the right one, ignore (space) neither. diff shows the two texts as a
 * word diff: words only on the left struck through there, words only on the
 * right marked there (jsdiff's diffWordsWithSpace).
 */
import { diffWordsWithSpace } from "diff";
import { h, toText } from "../dom";
import type { AnswerKind, Task } from "../types";
import { taskContent } from "./content";
import type { RenderedView, ViewContext } from "./view";

type Side = "left" | "right";

const SIDES: Array<[Side, AnswerKind, string, string]> = [
  ["left", "accept", "a", "Prefer this one"],
  ["right", "reject", "x", "Prefer this one"],
];

function asTask(value: unknown): Task {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Task) : {};
}

/** An output as the read-only views show it; one with neither text nor image shows its JSON. */
function outputContent(output: Task, labels: string[]): HTMLElement {
  const shown = taskContent({ text: output.text, image: output.image, spans: output.spans }, labels);
  return shown ?? h("pre", { class: "compare-json" }, toText(output));
}

/** The word diff of the two texts, as the left (removed words) or right (added words) card shows it. */
function diffContent(left: string, right: string, side: Side): HTMLElement {
  const el = h("div", { class: "task-text diff-text" });
  for (const part of diffWordsWithSpace(left, right)) {
    if (part.added && side === "right") el.appendChild(h("ins", { class: "diff-added" }, part.value));
    else if (part.removed && side === "left") el.appendChild(h("del", { class: "diff-removed" }, part.value));
    else if (!part.added && !part.removed) el.appendChild(document.createTextNode(part.value));
  }
  return el;
}

function compareCards(task: Task, ctx: ViewContext, diff: boolean): RenderedView {
  const input = asTask(task.input);
  const outputs = { left: asTask(task.left), right: asTask(task.right) };
  const inputEl = taskContent({ text: input.text, image: input.image, spans: input.spans }, ctx.labels);
  const cards = SIDES.map(([side, answer, key, hint]) =>
    h(
      "div",
      {
        role: "button",
        class: `compare-side ${side}`,
        "data-side": side,
        title: `${hint} (${answer})`,
        on: { click: () => ctx.answer(answer) },
      },
      h("span", { class: "compare-head" }, h("kbd", null, key), h("span", { class: "muted" }, side === "left" ? "first" : "second")),
      diff
        ? diffContent(toText(outputs.left.text), toText(outputs.right.text), side)
        : outputContent(outputs[side], ctx.labels),
    ),
  );
  return {
    el: h(
      "div",
      { class: diff ? "view-compare view-diff" : "view-compare" },
      inputEl ? h("div", { class: "compare-input" }, inputEl) : null,
      h("div", { class: "compare-sides" }, ...cards),
    ),
  };
}

export function compareView(task: Task, ctx: ViewContext): RenderedView {
  return compareCards(task, ctx, false);
}

export function diffView(task: Task, ctx: ViewContext): RenderedView {
  return compareCards(task, ctx, true);
}
