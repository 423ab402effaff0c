/**
 * html: the one view that renders markup from a task, and only because the
 * recipe asked for it (view_id "html"). Everywhere else task data is text.
 * With config.html_template, `{{key}}` / `{{a.b}}` are filled with escaped
 * task values and `{{{key}}}` with raw ones, as in Prodigy's templates.
 */
import { h, toText } from "../dom";
import type { Task } from "../types";
import type { RenderedView, ViewContext } from "./view";

function lookup(task: Task, path: string): unknown {
  return path.split(".").reduce<unknown>((obj, key) => (obj && typeof obj === "object" ? (obj as Record<string, unknown>)[key] : undefined), task);
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);
}

export function fillTemplate(template: string, task: Task): string {
  return template.replace(/\{\{\{\s*([\w.]+)\s*\}\}\}|\{\{\s*([\w.]+)\s*\}\}/g, (_, raw?: string, escaped?: string) =>
    raw ? toText(lookup(task, raw)) : escapeHtml(toText(lookup(task, escaped as string))),
  );
}

export function htmlView(task: Task, ctx: ViewContext): RenderedView {
  const el = h("div", { class: "view-html task-html" });
  const template = ctx.config.html_template;
  const markup = typeof template === "string" && template ? fillTemplate(template, task) : toText(task.html);
  el.innerHTML = markup; // deliberate: the recipe chose the html view for this markup
  return { el };
}
