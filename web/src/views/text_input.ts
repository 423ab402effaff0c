/**
 * text_input: a free-text field stored under config.field_id (default
 * "user_input"). Typing never triggers shortcuts; Enter (Ctrl+Enter in a
 * multi-line field) accepts, Escape leaves the field so keys work again.
 */
import { h, toText } from "../dom";
import type { Task } from "../types";
import { taskContent } from "./content";
import type { RenderedView, ViewContext } from "./view";

let fieldCounter = 0;

export function textInputView(task: Task, ctx: ViewContext): RenderedView {
  const c = ctx.config;
  const fieldId = typeof c.field_id === "string" && c.field_id ? c.field_id : "user_input";
  const rows = typeof c.field_rows === "number" && c.field_rows > 0 ? c.field_rows : 1;
  const domId = `mentor-field-${++fieldCounter}`;
  const common = {
    id: domId,
    class: "text-field",
    "data-field": fieldId,
    placeholder: typeof c.field_placeholder === "string" ? c.field_placeholder : "",
    autocomplete: "off",
    spellcheck: "true",
  };
  const field = rows > 1 ? h("textarea", { ...common, rows }) : h("input", { ...common, type: "text" });
  field.value = task[fieldId] === undefined || task[fieldId] === null ? "" : toText(task[fieldId]);
  field.addEventListener("input", () => {
    task[fieldId] = field.value;
  });
  if (task[fieldId] === undefined) task[fieldId] = "";
  const label = typeof c.field_label === "string" && c.field_label ? c.field_label : "Your answer";
  return {
    el: h(
      "div",
      { class: "view-text-input" },
      ctx.inBlock ? null : taskContent({ text: task.text, image: task.image, spans: task.spans }, ctx.labels),
      h("label", { class: "field-label", for: domId }, label),
      field,
      h("div", { class: "field-hint" }, rows > 1 ? "Ctrl+Enter to accept · Esc to leave the field" : "Enter to accept · Esc to leave the field"),
    ),
    mounted() {
      if (c.field_autofocus !== false) field.focus({ preventScroll: true });
    },
  };
}
