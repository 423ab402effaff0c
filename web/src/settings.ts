/**
 * Prodigy's look settings, applied to the page: `custom_theme` (its colour
 * and size keys become the CSS variables styles.css is written in, `labels`
 * sets label colours by name) and `card_css` (style properties of the card).
 * Values go in through style.setProperty, one property each, so a value
 * can't add a rule or markup. Dark mode follows the system in styles.css
 * (prefers-color-scheme); a theme's colours win over both schemes.
 * `global_css` and `javascript` don't come through here: the server puts
 * them in the page itself, under its Content-Security-Policy
 * (mentor/server/custom_page.py).
 */
import { setLabelColours } from "./labels";
import type { UiConfig } from "./types";

/** Prodigy's custom_theme keys -> the app's CSS variables. */
export const THEME_VARIABLES: Record<string, string> = {
  bgPage: "--bg",
  bgCard: "--card",
  colorText: "--ink",
  colorTextMuted: "--muted",
  colorBorder: "--line",
  bgSidebar: "--side",
  colorSidebar: "--side-ink",
  colorPrimary: "--accent",
  colorHighlight: "--accent",
  colorAccept: "--accept",
  colorReject: "--reject",
  colorIgnore: "--ignore",
  borderRadius: "--radius",
  cardMaxWidth: "--card-max-width",
  fontSize: "--task-font-size",
  fontSizeText: "--task-font-size",
  font: "--font",
};

/** A theme or card_css value as CSS: numbers in px for sizes, as Prodigy takes them. */
function cssValue(key: string, value: unknown): string | null {
  if (typeof value === "number" && Number.isFinite(value)) return /color|bg|opacity|weight/i.test(key) ? String(value) : `${value}px`;
  return typeof value === "string" && value.trim() ? value : null;
}

/** cardMaxWidth -> card-max-width; custom properties (--x) and kebab-case stay as they are. */
function kebab(key: string): string {
  return key.startsWith("--") ? key : key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

export function applySettings(config: UiConfig, card: HTMLElement): void {
  const root = document.documentElement;
  const theme = config.custom_theme && typeof config.custom_theme === "object" ? config.custom_theme : {};
  for (const [key, value] of Object.entries(theme)) {
    const variable = THEME_VARIABLES[key];
    const css = cssValue(key, value);
    if (variable && css !== null) root.style.setProperty(variable, css);
  }
  const labels = (theme as Record<string, unknown>).labels;
  setLabelColours(labels && typeof labels === "object" ? (labels as Record<string, unknown>) : null);
  const cardCss = config.card_css && typeof config.card_css === "object" ? config.card_css : {};
  for (const [key, value] of Object.entries(cardCss)) {
    const css = cssValue(key, value);
    if (css !== null) card.style.setProperty(kebab(key), css);
  }
}
