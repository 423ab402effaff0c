/** Tokens for the manual span views, and the mapping from spans to tokens. */
import type { Span, Task, Token } from "../types";

/** One token per character: ner_manual_highlight_chars on a task without tokens. */
function charTokens(text: string): Token[] {
  return Array.from(text).reduce<Token[]>((tokens, ch) => {
    const start = tokens.length ? tokens[tokens.length - 1].end : 0;
    tokens.push({ text: ch, start, end: start + ch.length, id: tokens.length, ws: false });
    return tokens;
  }, []);
}

/** Words and punctuation, for a task that came without tokens. */
function wordTokens(text: string): Token[] {
  const tokens: Token[] = [];
  const re = /[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_]/gu;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    tokens.push({ text: m[0], start: m.index, end: m.index + m[0].length, id: tokens.length });
  }
  tokens.forEach((t, i) => (t.ws = i + 1 < tokens.length ? tokens[i + 1].start > t.end : t.end < text.length));
  return tokens;
}

export interface TokenInfo {
  tokens: Token[];
  /** true: one token per character, spans carry no token indices. */
  chars: boolean;
}

export function getTokens(task: Task, highlightChars: boolean): TokenInfo {
  const text = typeof task.text === "string" ? task.text : "";
  if (Array.isArray(task.tokens) && task.tokens.length) {
    // a recipe may send one token per character itself (ner.manual --highlight-chars)
    return { tokens: task.tokens, chars: highlightChars && task.tokens.every((t) => t.end - t.start <= 1) };
  }
  if (highlightChars) return { tokens: charTokens(text), chars: true };
  return { tokens: wordTokens(text), chars: false };
}

/** The inclusive token range a span covers, or null if it covers none. */
export function tokenRange(span: Span, tokens: Token[]): [number, number] | null {
  if (typeof span.token_start === "number" && typeof span.token_end === "number" && span.token_end < tokens.length) {
    return [span.token_start, span.token_end];
  }
  if (typeof span.start !== "number" || typeof span.end !== "number") return null;
  let first = -1;
  let last = -1;
  tokens.forEach((t, i) => {
    if (t.start < span.end! && t.end > span.start!) {
      if (first < 0) first = i;
      last = i;
    }
  });
  return first < 0 ? null : [first, last];
}

/** Build a span over tokens [a, b], trimming whitespace-only tokens in char mode. */
export function makeSpan(tokens: Token[], a: number, b: number, label: string, chars: boolean): Span | null {
  let lo = Math.min(a, b);
  let hi = Math.max(a, b);
  if (chars) {
    while (lo <= hi && !tokens[lo].text.trim()) lo++;
    while (hi >= lo && !tokens[hi].text.trim()) hi--;
    if (lo > hi) return null;
    return { start: tokens[lo].start, end: tokens[hi].end, label };
  }
  return { start: tokens[lo].start, end: tokens[hi].end, token_start: lo, token_end: hi, label };
}
