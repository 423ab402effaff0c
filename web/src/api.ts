/**
 * The HTTP client for the mentor server. Paths are relative to the page, so the
 * app also works behind a reverse proxy that serves it under a sub-path.
 */
import type { AnswersRequest, AnswersResponse, ProjectResponse, QuestionsResponse, Task } from "./types";

/** The server answered with an error status (4xx/5xx) and maybe a {code, detail} body. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | null,
    readonly detail: string,
    readonly body: Record<string, unknown> | null,
  ) {
    super(`${status} ${code ?? ""} ${detail}`.trim());
  }

  /** Worth retrying: the server or a proxy failed, not the request. */
  get transient(): boolean {
    return this.status >= 500 || this.status === 408 || this.status === 429;
  }
}

/** The server could not be reached at all. */
export class NetworkError extends Error {}

function describeDetail(body: Record<string, unknown> | null, fallback: string): string {
  const detail = body?.detail;
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) {
    // FastAPI's validation errors: [{loc, msg}, ...]
    return detail
      .map((d) => (d && typeof d === "object" && "msg" in d ? String((d as { msg: unknown }).msg) : String(d)))
      .join("; ");
  }
  return fallback;
}

async function request<T>(path: string, init: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { credentials: "same-origin", cache: "no-store", ...init });
  } catch (err) {
    throw new NetworkError(String(err));
  }
  if (!res.ok) {
    let body: Record<string, unknown> | null = null;
    try {
      body = (await res.json()) as Record<string, unknown>;
    } catch {
      body = null;
    }
    const code = body && typeof body.code === "string" ? body.code : null;
    throw new HttpError(res.status, code, describeDetail(body, res.statusText || "request failed"), body);
  }
  try {
    return (await res.json()) as T;
  } catch (err) {
    throw new HttpError(res.status, null, "the server sent a response that is not JSON", null);
  }
}

function post<T>(path: string, body: unknown, keepalive = false): Promise<T> {
  return request<T>(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
    keepalive,
  });
}

export function getProject(session: string | null, tab: string): Promise<ProjectResponse> {
  const params = new URLSearchParams();
  if (session) params.set("session", session);
  params.set("tab", tab);
  return request<ProjectResponse>(`project?${params.toString()}`, { method: "GET" });
}

export function getQuestions(session: string | null, tab: string): Promise<QuestionsResponse> {
  return post<QuestionsResponse>("get_session_questions", { session_id: session, tab_id: tab });
}

/** Send answers; an empty list is the tab's ping (it still holds its tasks). */
export function giveAnswers(answers: Task[], session: string | null, tab: string, keepalive = false): Promise<AnswersResponse> {
  const body: AnswersRequest = { answers, session_id: session, tab_id: tab };
  return post<AnswersResponse>("give_answers", body, keepalive);
}

/** Ask the recipe's validate_answer about one answer before the next task shows (a refusal is a 422). */
export function validateAnswer(answer: Task, session: string | null, tab: string): Promise<{ ok: boolean }> {
  return post<{ ok: boolean }>("validate_answer", { answer, session_id: session, tab_id: tab });
}
