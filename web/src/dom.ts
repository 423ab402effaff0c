/**
 * The only way this app builds DOM: text always goes in as text nodes and
 * attributes through setAttribute, so task data can never become markup.
 * (The html view is the one, deliberate exception: see views/html.ts.)
 */

export type Child = Node | string | number | null | undefined | false;

export interface Props {
  class?: string;
  style?: Partial<Record<string, string>>;
  on?: { [event: string]: (e: any) => void };
  [attr: string]: unknown;
}

const SVG_NS = "http://www.w3.org/2000/svg";

function applyProps(el: Element, props: Props | null | undefined): void {
  if (!props) return;
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "on") {
      for (const [event, handler] of Object.entries(value as Props["on"] & object)) {
        el.addEventListener(event, handler);
      }
    } else if (key === "style") {
      const style = (el as HTMLElement).style;
      for (const [prop, v] of Object.entries(value as Record<string, string>)) {
        style.setProperty(prop, v);
      }
    } else if (key.toLowerCase().startsWith("on")) {
      // Inline handlers would be a path from data to script: refuse them outright.
      throw new Error(`refusing inline event attribute ${key}`);
    } else {
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }
}

function appendChildren(el: Element, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
  }
}

/** Create an HTML element with escaped text children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props?: Props | null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  applyProps(el, props);
  appendChildren(el, children);
  return el;
}

/** Create an SVG element (for image_manual shapes). */
export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  props?: Props | null,
  ...children: Child[]
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  applyProps(el, props);
  appendChildren(el, children);
  return el;
}

/** Replace all children of el. */
export function mount(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  appendChildren(el, children);
}

/** Show any JSON value as short, plain text. */
export function toText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
