/**
 * Label colours and the label picker shared by the manual views.
 * A label's colour comes from a stable hash of its name (FNV-1a), so it is
 * the same in every task, view and recipe; custom_theme.labels can set it.
 * Text on the fills stays dark for contrast (WCAG AA).
 */
import { h } from "./dom";
import type { UiConfig } from "./types";

const FILLS = [
  "#fde68a", "#a7f3d0", "#bfdbfe", "#fbcfe8", "#ddd6fe", "#fed7aa", "#99f6e4", "#d9f99d", "#fecaca", "#c7d2fe",
  "#fef08a", "#bbf7d0", "#bae6fd", "#f5d0fe", "#e9d5ff", "#ffedd5", "#a5f3fc", "#ecfccb", "#fda4af", "#e2e8f0",
];
const STROKES = [
  "#b45309", "#047857", "#1d4ed8", "#be185d", "#6d28d9", "#c2410c", "#0f766e", "#4d7c0f", "#b91c1c", "#4338ca",
  "#a16207", "#15803d", "#0369a1", "#a21caf", "#7e22ce", "#9a3412", "#0e7490", "#3f6212", "#be123c", "#475569",
];

/** Colours a theme set for labels by name (custom_theme.labels). */
const themed = new Map<string, string>();

export function setLabelColours(colours: Record<string, unknown> | null | undefined): void {
  themed.clear();
  for (const [label, colour] of Object.entries(colours ?? {})) if (typeof colour === "string" && colour) themed.set(label, colour);
}

/** FNV-1a over the label's UTF-16 code units: the same index for the same name, everywhere. */
export function labelIndex(label: string): number {
  let hash = 0x811c9dc5;
  for (let c = 0; c < label.length; c++) {
    hash ^= label.charCodeAt(c);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % FILLS.length;
}

/** The label's fill; `_labels` is no longer used (colours don't depend on the recipe's label order). */
export function labelFill(label: string, _labels?: string[]): string {
  return themed.get(label) ?? FILLS[labelIndex(label)];
}

export function labelStroke(label: string, _labels?: string[]): string {
  return themed.get(label) ?? STROKES[labelIndex(label)];
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
