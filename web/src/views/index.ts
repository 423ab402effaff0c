/** The views by view_id, and blocks, which stacks several of them in one card. */
import { h } from "../dom";
import { numberKeyOffset } from "../labels";
import { timeOnScreen } from "../timing";
import type { Block, Task, UiConfig } from "../types";
import { audioManualView, audioView } from "./audio";
import { choiceView } from "./choice";
import { compareView, diffView } from "./compare";
import { htmlView } from "./html";
import { imageManualView } from "./image_manual";
import { llmIoView } from "./llm_io";
import { nerManualView } from "./ner_manual";
import { posManualView } from "./pos_manual";
import { relationsView } from "./relations";
import { reviewView } from "./review";
import { classificationView, nerView, textView } from "./simple";
import { spansManualView } from "./spans_manual";
import { textInputView } from "./text_input";
import type { RenderedView, ViewContext, ViewRenderer } from "./view";

export const VIEWS: Record<string, ViewRenderer> = {
  text: textView,
  classification: classificationView,
  choice: choiceView,
  ner: nerView,
  spans: nerView,
  ner_manual: nerManualView,
  spans_manual: spansManualView,
  html: htmlView,
  text_input: textInputView,
  image: textView,
  image_manual: imageManualView,
  blocks: blocksView,
  review: reviewView,
  llm_io: llmIoView,
  relations: relationsView,
  // Prodigy's token-level views: tags and sentence starts as one-token spans, arcs as relations
  pos_manual: posManualView,
  pos: posManualView,
  dep: relationsView,
  compare: compareView,
  diff: diffView,
  audio: audioView,
  audio_manual: audioManualView,
};

/** Views whose labels take number keys (labels.ts's picker). */
const LABELLED_VIEWS = new Set(["ner_manual", "spans_manual", "image_manual", "pos_manual", "pos"]);

/** Keys of a block that override the task's own values inside that block. */
const TASK_KEYS = new Set(["text", "html", "image", "label", "options", "tokens", "spans", "meta"]);

/**
 * A block sees the task through a proxy: the block's task keys (`"text": null`
 * hides the text in a choice block) shadow the task's on read, and edits
 * (spans, accept, the text field) go to the one shared task.
 */
function blockTask(task: Task, block: Block): Task {
  const overrides = Object.entries(block).filter(([k]) => TASK_KEYS.has(k));
  if (!overrides.length) return task;
  const shadow = new Map(overrides);
  return new Proxy(task, {
    get: (target, key) => (typeof key === "string" && shadow.has(key) ? shadow.get(key) : Reflect.get(target, key)),
    set: (target, key, value) => {
      if (typeof key === "string") shadow.delete(key);
      return Reflect.set(target, key, value);
    },
  });
}

function blockConfig(config: UiConfig, block: Block): UiConfig {
  const own = Object.fromEntries(Object.entries(block).filter(([k]) => !TASK_KEYS.has(k) && k !== "view_id"));
  return { field_autofocus: false, ...config, blocks: null, ...own };
}

/** How many number keys a block's view takes: its labels, or its options. */
function numberKeyed(viewId: string, task: Task, labels: string[]): number {
  if (viewId === "choice") return Array.isArray(task.options) ? task.options.length : 0;
  return LABELLED_VIEWS.has(viewId) ? labels.length : 0;
}

export function blocksView(task: Task, ctx: ViewContext): RenderedView {
  const blocks = Array.isArray(ctx.config.blocks) ? ctx.config.blocks : [];
  const parts: RenderedView[] = [];
  // number keys run on from block to block: a choice under ner_manual's labels 1-2 gets 3, 4...
  let keysTaken = numberKeyOffset(ctx.config);
  for (const block of blocks) {
    const render = block && typeof block.view_id === "string" ? VIEWS[block.view_id] : undefined;
    if (!render || block.view_id === "blocks") continue;
    const config = blockConfig(ctx.config, block);
    const labels = Array.isArray(block.labels) ? (block.labels as string[]) : ctx.labels;
    const keyed = numberKeyed(block.view_id, blockTask(task, block), labels);
    if (keyed && block.number_key_offset === undefined) config.number_key_offset = keysTaken;
    keysTaken = numberKeyOffset(config) + keyed;
    parts.push(render(blockTask(task, block), { ...ctx, viewId: block.view_id, config, labels, inBlock: true }));
  }
  if (!parts.length) parts.push({ el: h("div", { class: "muted" }, "This recipe set view_id 'blocks' without config.blocks.") });
  return {
    el: h("div", { class: "view-blocks" }, ...parts.map((p) => h("div", { class: "block" }, p.el))),
    onKey: (e) => parts.some((p) => p.onKey?.(e) ?? false),
    mounted: () => parts.forEach((p) => p.mounted?.()),
    destroy: () => parts.forEach((p) => p.destroy?.()),
  };
}

/** The view of a task, untimed: for a view inside another (review's editor). */
export function drawView(viewId: string, task: Task, ctx: ViewContext): RenderedView {
  const render = VIEWS[viewId];
  if (!render) return { el: h("div", { class: "muted" }, `This app has no view '${viewId}'. Showing the text.`, textView(task, ctx).el) };
  return render(task, ctx);
}

/** The task's card as the app shows it, timed: the task's time on screen runs until the app destroys it. */
export function renderView(viewId: string, task: Task, ctx: ViewContext): RenderedView {
  const view = drawView(viewId, task, ctx);
  const stop = timeOnScreen(task);
  return {
    ...view,
    destroy: () => {
      view.destroy?.();
      stop();
    },
  };
}
