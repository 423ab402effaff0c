// Generated from the server's OpenAPI schema by scripts/gen_api_types.mjs: do not edit.
// Regenerate: python scripts/dump_openapi.py | node scripts/gen_api_types.mjs > src/api-types.ts

export interface AnnotatorStatsModel {
  accept: number;
  /** Share of compared items matching the others' most common answer */
  agreement?: number | null;
  agreement_items: number;
  answers: number;
  gold_agreement?: number | null;
  gold_items?: number;
  ignore: number;
  /** The session name without the dataset prefix */
  name: string;
  reject: number;
  /** Model score over time (teach datasets) */
  scores?: Array<ScoreBucketModel>;
  /** Median seconds a task was on screen */
  seconds_median?: number | null;
  /** 90th percentile of the seconds on screen */
  seconds_p90?: number | null;
  session_id: string;
  /** Answers that carry a _time_on_screen */
  timed: number;
}

export interface AnswersRequest {
  /** Tasks as served, plus 'answer' and edits */
  answers: Array<Record<string, unknown>>;
  session_id?: string | null;
  /** The tab sending (an empty batch is its ping: the tasks it holds stay its own) */
  tab_id?: string | null;
}

export interface AnswersResponse {
  progress?: number | null;
  /** Answers the model in the loop still needs before its progress can be estimated (progress is null meanwhile); null when there is no such wait */
  progress_after?: number | null;
  progress_kind?: "answered" | "loss" | "recipe" | null;
  /** Answers newly stored (0 for a batch already stored) */
  saved: number;
  session_id: string;
  stats: Stats;
  total?: number | null;
}

export interface DatasetItem {
  /** Examples stored in it */
  answers: number;
  /** When the dataset was created, unix time */
  created: number;
  name: string;
}

export interface DatasetList {
  /** Datasets that are not sessions, oldest first */
  datasets: Array<DatasetItem>;
}

export interface DatasetStats {
  accept?: number;
  /** Examples stored in it */
  answers: number;
  /** Unix time */
  created: number;
  ignore?: number;
  /** Distinct inputs (_input_hash) */
  inputs: number;
  /** Inputs annotated in more than one way (several task hashes) */
  inputs_with_versions: number;
  /** The dataset's meta, as stored */
  meta?: Record<string, unknown>;
  name: string;
  /** Examples with no answer, or one that isn't accept, reject or ignore */
  other?: number;
  reject?: number;
  /** Whether this is a session dataset (DATASET-NAME) */
  session: boolean;
  /** Distinct sessions (_session_id) that answered */
  sessions: number;
}

export interface DropResponse {
  dataset: string;
  /** The dataset's examples, deleted with it and from its session datasets */
  deleted: number;
}

export interface ErrorResponse {
  code: string;
  detail: string;
  /** The refused answer's position in the batch, from 0 */
  index?: number | null;
  /** The bad line of an imported file, from 1 (422 of an import) */
  line?: number | null;
  /** The refused answer's task (422 about one answer) */
  task_hash?: number | null;
}

export interface HealthResponse {
  status?: "ok";
}

export interface ImportResponse {
  /** Examples newly stored (an answer the dataset already held is not stored twice) */
  added: number;
  dataset: string;
  /** Tasks that had an answer, kept instead of the default */
  kept?: number;
  /** Bad lines skipped (skip_invalid=true only) */
  skipped?: number;
  /** The first ones, as 'upload:LINE: problem' */
  skipped_lines?: Array<string>;
  /** Examples in the dataset after the import */
  total: number;
}

export interface ProjectResponse {
  config?: Record<string, unknown>;
  dataset?: string | null;
  labels?: Array<string>;
  progress?: number | null;
  /** Answers the model in the loop still needs before its progress can be estimated (progress is null meanwhile); null when there is no such wait */
  progress_after?: number | null;
  progress_kind?: "answered" | "loss" | "recipe" | null;
  session_id: string;
  /** Bad source lines skipped so far, left out of the tasks served */
  skipped?: number;
  /** The first few, as 'file:line: problem' */
  skipped_lines?: Array<string>;
  stats: Stats;
  total?: number | null;
  version: string;
  view_id: string;
}

export interface QuestionsResponse {
  /** Tasks this tab could answer that other tabs or sessions hold now; with no tasks, more may come once their holder is silent for session_hold_seconds: ask again */
  held_elsewhere?: number;
  progress?: number | null;
  /** Answers the model in the loop still needs before its progress can be estimated (progress is null meanwhile); null when there is no such wait */
  progress_after?: number | null;
  progress_kind?: "answered" | "loss" | "recipe" | null;
  session_id: string;
  /** Bad source lines skipped so far (the stream reads on as it serves) */
  skipped?: number;
  /** The first few, as 'file:line: problem' */
  skipped_lines?: Array<string>;
  /** The next batch; empty means no tasks available */
  tasks: Array<Record<string, unknown>>;
  total?: number | null;
}

export interface ScoreBucketModel {
  /** First answer of the run (1-based, in stored order) */
  first: number;
  /** Last answer of the run */
  last: number;
  /** Mean meta.score of the run's answers */
  mean: number;
}

export interface SessionItem {
  answers: number;
  /** The full session id, DATASET-NAME */
  session_id: string;
}

export interface SessionList {
  dataset: string;
  /** Sorted by session id */
  sessions: Array<SessionItem>;
}

export interface SessionRequest {
  /** Bare session name (?session=NAME) or full DATASET-NAME; null: default */
  session_id?: string | null;
  /** The app's id for one browser tab: tabs of one session get different tasks; null: one tab */
  tab_id?: string | null;
}

export interface SessionsStatsResponse {
  annotators: Array<AnnotatorStatsModel>;
  answers: number;
  /** Items are compared by 'task' hash (binary views) or 'input' hash (manual views) */
  by: string;
  dataset: string;
  gold?: string | null;
  gold_answers?: number;
  /** Every annotator's answers together */
  scores?: Array<ScoreBucketModel>;
  /** Answers without a _session_id */
  unattributed: number;
  view_id?: string | null;
}

export interface Stats {
  accept?: number;
  dataset_total?: number;
  ignore?: number;
  reject?: number;
}

export interface ValidateRequest {
  /** One task as served, plus 'answer' and edits */
  answer: Record<string, unknown>;
  session_id?: string | null;
  tab_id?: string | null;
}

export interface ValidateResponse {
  /** The recipe's validate_answer accepts the answer (a refusal is a 422) */
  ok?: boolean;
}
