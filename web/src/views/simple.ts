/** The read-only views: text, ner and classification. */
import { h, toText } from "../dom";
import { labelFill } from "../labels";
import type { Task } from "../types";
import { highlightedText, taskContent } from "./content";
import type { RenderedView, ViewContext } from "./view";

function darken(ctx: ViewContext): number {
  return typeof ctx.config.darken_image === "number" ? ctx.config.darken_image : 0;
}

/** text: the task's text (or image) and nothing else. */
export function textView(task: Task, ctx: ViewContext): RenderedView {
  const plain: Task = { text: task.text, image: task.image };
  return { el: h("div", { class: "view-text" }, taskContent(plain, ctx.labels, darken(ctx))) };
}

/** ner: the text with its spans highlighted, each with label and score. */
export function nerView(task: Task, ctx: ViewContext): RenderedView {
  const text = toText(task.text);
  return { el: h("div", { class: "view-ner" }, highlightedText(text, task.spans ?? [], ctx.labels)) };
}

/** classification: is this label right for this text? accept or reject. */
export function classificationView(task: Task, ctx: ViewContext): RenderedView {
  const label = task.label !== undefined && task.label !== null ? toText(task.label) : null;
  return {
    el: h(
      "div",
      { class: "view-classification" },
      label !== null ? h("div", { class: "task-label", style: { "--label-fill": labelFill(label, ctx.labels) } }, label) : null,
      taskContent(task, ctx.labels, darken(ctx)),
    ),
  };
}
