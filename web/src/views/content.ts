/** Read-only pieces several views show: the text, the image, highlighted spans. */
import { h, toText } from "../dom";
import { labelFill } from "../labels";
import type { Span, Task } from "../types";

/** The text with its spans highlighted (label and score), by character offsets. */
export function highlightedText(text: string, spans: Span[], labels: string[]): HTMLElement {
  const el = h("div", { class: "task-text" });
  const sorted = spans
    .filter((s) => typeof s.start === "number" && typeof s.end === "number" && s.end! > s.start!)
    .sort((a, b) => a.start! - b.start! || b.end! - a.end!);
  let pos = 0;
  for (const span of sorted) {
    if (span.start! < pos) continue; // overlapping spans: spans_manual shows those
    if (span.start! > pos) el.appendChild(document.createTextNode(text.slice(pos, span.start)));
    const label = toText(span.label);
    el.appendChild(
      h(
        "mark",
        { class: "ent", style: { "--label-fill": labelFill(label, labels) } },
        text.slice(span.start, span.end),
        // a pattern match carries no label: no empty chip for it
        label || typeof span.score === "number"
          ? h("span", { class: "ent-label" }, label, typeof span.score === "number" ? h("span", { class: "ent-score" }, span.score.toFixed(2)) : null)
          : null,
      ),
    );
    pos = span.end!;
  }
  if (pos < text.length) el.appendChild(document.createTextNode(text.slice(pos)));
  return el;
}

/** An image from a task (data URI or URL), drawn as an <img> and never as markup. */
export function taskImage(src: string, darken = 0): HTMLImageElement {
  const img = h("img", { class: "task-image", src, alt: "", draggable: "false" });
  if (darken > 0) img.style.setProperty("filter", `brightness(${Math.max(0, 1 - darken)})`);
  return img;
}

/** The task's main content as plain text, image, or text with spans. */
export function taskContent(task: Task, labels: string[], darken = 0): HTMLElement | null {
  const parts: HTMLElement[] = [];
  if (typeof task.image === "string" && task.image) parts.push(h("div", { class: "image-box" }, taskImage(task.image, darken)));
  if (task.text !== undefined && task.text !== null) {
    const text = toText(task.text);
    parts.push(Array.isArray(task.spans) && task.spans.length ? highlightedText(text, task.spans, labels) : h("div", { class: "task-text" }, text));
  }
  if (parts.length === 0) return null;
  return parts.length === 1 ? parts[0] : h("div", null, ...parts);
}
