"""``mentor print-dataset`` and ``print-stream``: tasks in the terminal, spans coloured."""
from __future__ import annotations

import itertools
import json
from typing import Annotated, Any, Dict, Iterable, List, Optional

from rich.console import Console
from rich.text import Text

from ...db import connect
from ...loaders import get_stream
from ...registry import Arg, Opt, recipe
from ...tasks import Task

COLOURS = ("bold magenta", "bold cyan", "bold green", "bold yellow", "bold blue", "bold red")
ANSWER_STYLE = {"accept": "green", "reject": "red", "ignore": "dim"}


def render_task(task: Task, colours: Dict[str, str]) -> Text:
    """The task's text with its spans coloured and labelled, then label/options/answer."""
    text = task.get("text") or task.get("html") or ("<image>" if "image" in task else "")
    text = text if isinstance(text, str) else json.dumps(text)  # junk stored before answers were checked
    out = Text()
    position = 0
    spans = sorted(
        (s for s in _list(task.get("spans")) if isinstance(s, dict) and _is_int(s.get("start")) and _is_int(s.get("end"))),
        key=lambda s: (s["start"], -s["end"]),
    )
    for span in spans:
        if span["start"] < position:
            continue  # overlapping spans: show the first
        label = str(span.get("label", ""))
        style = colours.setdefault(label, COLOURS[len(colours) % len(COLOURS)])
        out.append(text[position : span["start"]])
        out.append(text[span["start"] : span["end"]], style=f"{style} underline")
        out.append(f" {label}", style=style)
        position = span["end"]
    out.append(text[position:])
    extras = []
    if task.get("label"):
        extras.append(f"label: {task['label']}")
    options = [o for o in _list(task.get("options")) if isinstance(o, dict)]
    if options:
        chosen = {json.dumps(a) for a in _list(task.get("accept"))}
        extras.append("options: " + ", ".join(f"{'[x]' if json.dumps(o.get('id')) in chosen else '[ ]'} {o.get('text', o.get('id'))}" for o in options))
    if task.get("score") is not None:
        extras.append(f"score: {task['score']:.3f}" if isinstance(task["score"], (int, float)) else f"score: {task['score']}")
    if extras:
        out.append("\n  " + " | ".join(extras), style="dim")
    answer = task.get("answer")
    if answer:
        out.append(f"\n  {str(answer).upper()}", style=ANSWER_STYLE.get(str(answer), ""))
    return out


def _list(value: Any) -> List[Any]:
    return value if isinstance(value, list) else []


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def print_tasks(tasks: Iterable[Task], limit: Optional[int]) -> None:
    console = Console(highlight=False)
    colours: Dict[str, str] = {}
    for task in itertools.islice(tasks, limit):
        console.print(render_task(task, colours))
        console.print()


@recipe("print-dataset", group="utilities")
def print_dataset(
    dataset: Annotated[str, Arg(help="Dataset to print")],
    limit: Annotated[Optional[int], Opt("--limit", "-n", help="Print at most this many")] = None,
    answer: Annotated[Optional[str], Opt("--answer", help="Only answers of this kind")] = None,
) -> None:
    """Print a dataset's annotations in the terminal, spans coloured."""
    print_tasks(connect().get_dataset_examples(dataset, answer=answer), limit)


@recipe("print-stream", group="utilities")
def print_stream(
    source: Annotated[str, Arg(help="File of tasks to print, or '-' for stdin")],
    spacy_model: Annotated[Optional[str], Opt("--model", "-m", help="Pipeline whose entities to show as spans")] = None,
    loader: Annotated[Optional[str], Opt("--loader", "-lo", help="Loader instead of the extension's")] = None,
    limit: Annotated[Optional[int], Opt("--limit", "-n", help="Print at most this many")] = None,
) -> None:
    """Print a source's tasks in the terminal (optionally with a model's entities)."""
    stream: Iterable[Task] = get_stream(source, loader=loader)
    if spacy_model:
        from ...models.loading import load_pipeline

        nlp = load_pipeline(spacy_model)

        def with_entities(tasks: Iterable[Task]) -> Iterable[Task]:
            for task in tasks:
                doc = nlp(task.get("text", ""))
                task["spans"] = [{"start": e.start_char, "end": e.end_char, "label": e.label_} for e in doc.ents]
                yield task

        stream = with_entities(stream)
    print_tasks(stream, limit)
