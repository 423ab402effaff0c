/**
 * llm_io: the prompt a model was sent and the reply it gave, under the task it pre-filled.
 *
 * A block for the *.llm.correct recipes (config.blocks: [{view_id: "ner_manual"},
 * {view_id: "llm_io"}]): an annotator who doubts a suggestion can read what the
 * model was asked and said. Collapsed by default so it costs no screen; the
 * text is text (h() only), whatever the model replied.
 */
import { h, toText } from "../dom";
import type { Task } from "../types";
import type { RenderedView, ViewContext } from "./view";

function field(io: Record<string, unknown>, key: string): string {
  const value = io[key];
  return value === undefined || value === null ? "" : toText(value);
}

export function llmIoView(task: Task, ctx: ViewContext): RenderedView {
  const io = task.llm_io && typeof task.llm_io === "object" ? (task.llm_io as Record<string, unknown>) : null;
  if (!io) return { el: h("div", { class: "view-llm-io muted" }, "No prompt or reply with this task.") };
  const source = [field(io, "backend"), field(io, "model")].filter(Boolean).join(" · ");
  const dropped = Array.isArray(io.dropped) ? io.dropped.map(toText) : [];
  const details = h(
    "details",
    { class: "view-llm-io" },
    h("summary", {}, `Prompt and reply${source ? ` (${source}${io.cached ? ", cached" : ""})` : ""}`),
    h("div", { class: "llm-io-label" }, "Prompt"),
    h("pre", { class: "llm-io-prompt" }, field(io, "prompt")),
    h("div", { class: "llm-io-label" }, "Reply"),
    h("pre", { class: "llm-io-response" }, field(io, "response")),
    dropped.length ? h("div", { class: "llm-io-label" }, "Left out of the reply") : null,
    dropped.length ? h("ul", { class: "llm-io-dropped" }, ...dropped.map((d) => h("li", {}, d))) : null,
  ) as HTMLDetailsElement;
  if (ctx.config.llm_io_open === true) details.open = true;
  return { el: details };
}
