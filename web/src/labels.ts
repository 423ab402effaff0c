/**
 * Label colours and the label picker shared by the manual views.
 * Colours come from a fixed palette in label order, so a label keeps its
 * colour across tasks; text on them stays dark for contrast (WCAG AA).
 */
import { h } from "./dom";
import type { UiConfig } from "./types";

const FILLS = ["#fde68a", "#a7f3d0", "#bfdbfe", "#fbcfe8", "#ddd6fe", "#fed7aa", "#99f6e4", "#d9f99d", "#fecaca", "#c7d2fe"];
const STROKES = ["#b45309", "#047857", "#1d4ed8", "#be185d", "#6d28d9", "#c2410c", "#0f766e", "#4d7c0f", "#b91c1c", "#4338ca"];

function indexOf(label: string, labels: string[]): number {
  const i = labels.indexOf(label);
  if (i >= 0) return i % FILLS.length;
  let hash = 0;
  for (let c = 0; c < label.length; c++) hash = (hash * 31 + label.charCodeAt(c)) >>> 0;
  return hash % FILLS.length;
}

export function labelFill(label: string, labels: string[]): string {
  return FILLS[indexOf(label, labels)];
}

export function labelStroke(label: string, labels: string[]): string {
  return STROKES[indexOf(label, labels)];
}

/** The default key of item i: 1-9, 0, then Shift+1-9, Shift+0 (as in Prodigy). */
export function numberKey(i: number): string {
  if (i >= 20) return "";
  const digit = String((i % 10) + 1).slice(-1);
  return i < 10 ? digit : `shift+${digit}`;
}

/**
 * Where a view's number keys start: 0 gives 1-9, 0 then Shift+1-0; 10 gives
 * Shift+1-0 only (the review view sets it: its versions take 1-9, 0).
 */
export function numberKeyOffset(config: UiConfig): number {
  const offset = Number(config.number_key_offset);
  return Number.isInteger(offset) && offset > 0 ? offset : 0;
}

/** The name of a key press in numberKey's terms, whatever the keyboard layout. */
export function keyName(e: KeyboardEvent): string {
  if (e.shiftKey && /^(Digit|Numpad)[0-9]$/.test(e.code)) return `shift+${e.code.slice(-1)}`;
  return e.key.toLowerCase();
}

/** How a key is shown on its badge. */
export function keyLabel(key: string): string {
  return key.startsWith("shift+") ? `⇧${key.slice(6)}` : key;
}

/** The key that picks each label: keymap_by_label, else numberKey. */
export function labelKeys(labels: string[], config: UiConfig): Map<string, string> {
  const keys = new Map<string, string>();
  const custom = config.keymap_by_label ?? {};
  const offset = numberKeyOffset(config);
  labels.forEach((label, i) => {
    const key = typeof custom[label] === "string" ? custom[label] : numberKey(i + offset);
    if (key) keys.set(key.toLowerCase(), label);
  });
  return keys;
}

export interface LabelPicker {
  el: HTMLElement;
  selected(): string | null;
  /** Handle a key press; true when it picked a label. */
  onKey(e: KeyboardEvent): boolean;
}

/** A row of label buttons; the selected one is the label new spans or shapes get. */
export function labelPicker(labels: string[], config: UiConfig, onChange?: (label: string) => void): LabelPicker {
  let current: string | null = labels[0] ?? null;
  const keys = labelKeys(labels, config);
  const keyOf = new Map([...keys].map(([k, l]) => [l, k]));
  const buttons = new Map<string, HTMLButtonElement>();
  const el = h("div", { class: "label-picker", role: "radiogroup", "aria-label": "Label" });
  const select = (label: string): void => {
    current = label;
    for (const [l, b] of buttons) {
      b.classList.toggle("selected", l === label);
      b.setAttribute("aria-checked", String(l === label));
    }
    onChange?.(label);
  };
  for (const label of labels) {
    const key = keyOf.get(label);
    const button = h(
      "button",
      {
        type: "button",
        class: "label-btn",
        role: "radio",
        "data-label": label,
        style: { "--label-fill": labelFill(label, labels) },
        on: { click: () => select(label) },
      },
      h("span", { class: "label-swatch" }),
      h("span", { class: "label-name" }, label),
      key ? h("kbd", null, keyLabel(key)) : null,
    );
    buttons.set(label, button);
    el.appendChild(button);
  }
  if (labels.length === 0) el.appendChild(h("span", { class: "muted" }, "No labels set for this recipe (use --label)."));
  if (current) select(current);
  return {
    el,
    selected: () => current,
    onKey(e: KeyboardEvent): boolean {
      const label = keys.get(keyName(e));
      if (!label) return false;
      select(label);
      return true;
    },
  };
}
