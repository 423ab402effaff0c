"""The ``/stats`` page: the annotator statistics as server-rendered HTML and inline SVG.

No scripts and no external assets: the page is sent with the strict policy
(``headers.STRICT_POLICY``: nothing loads, inline styles only), so it needs no
script hash of its own and can't be framed. Every value from the database
(session names, the dataset's name) is escaped.
"""
from __future__ import annotations

from html import escape
from typing import List, Optional, Sequence, Tuple

from ..core.analytics import TABLE_HEADER, AnnotatorStats, SessionsReport, table_rows

COLOURS = ("#3b82f6", "#f97316", "#10b981", "#a855f7", "#ef4444", "#0ea5e9", "#eab308", "#64748b")
MIX = (("accept", "#16a34a"), ("reject", "#dc2626"), ("ignore", "#9ca3af"))
ROW = 22  # height of one annotator's bar
LABEL_W = 140
BAR_W = 420

STYLE = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:980px;color:#1f2937;padding:0 1rem}
h1{font-size:1.5rem;margin:0 0 .25rem}h2{font-size:1.1rem;margin:2rem 0 .5rem}
.muted{color:#6b7280}table{border-collapse:collapse;width:100%}
th,td{padding:.35rem .6rem;border-bottom:1px solid #e5e7eb;text-align:right;white-space:nowrap}
th:first-child,td:first-child{text-align:left}th{font-weight:600;background:#f9fafb}
svg{display:block;max-width:100%;height:auto}svg text{font:12px system-ui,sans-serif;fill:#374151}
.legend span{display:inline-block;margin-right:1rem}.legend i{display:inline-block;width:.8em;height:.8em;margin-right:.3em;vertical-align:-.05em}
"""


def _svg(width: int, height: int, body: str, title: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>{body}</svg>')


def _label(y: float, text: str) -> str:
    return f'<text x="0" y="{y + ROW * 0.65:.1f}">{escape(text[:20])}</text>'


def _legend(items: Sequence[Tuple[str, str]]) -> str:
    return '<p class="legend">' + "".join(
        f'<span><i style="background:{colour}"></i>{escape(name)}</span>' for name, colour in items) + "</p>"


def mix_chart(people: Sequence[AnnotatorStats]) -> str:
    """One stacked bar per annotator: the shares of accept, reject and ignore."""
    body = []
    for i, person in enumerate(people):
        y = i * (ROW + 6)
        body.append(_label(y, person.name))
        x = float(LABEL_W)
        total = person.accept + person.reject + person.ignore
        for kind, colour in MIX:
            count = getattr(person, kind)
            if not total or not count:
                continue
            width = BAR_W * count / total
            body.append(f'<rect class="{kind}" x="{x:.1f}" y="{y}" width="{width:.1f}" height="{ROW}" fill="{colour}">'
                        f"<title>{escape(person.name)}: {count} {kind}</title></rect>")
            x += width
        body.append(f'<text x="{LABEL_W + BAR_W + 8}" y="{y + ROW * 0.65:.1f}">{person.answers}</text>')
    return _legend([(k, c) for k, c in MIX]) + _svg(LABEL_W + BAR_W + 60, max(1, len(people)) * (ROW + 6), "".join(body),
                                                    "Answer mix per annotator")


def _bars(people: Sequence[AnnotatorStats], values: List[Tuple[str, str, List[Optional[float]]]], top: float,
          unit: str, title: str) -> str:
    """Grouped horizontal bars: for each annotator one thin bar per series, scaled to ``top``."""
    series = len(values)
    thin = ROW / series
    body = []
    for i, person in enumerate(people):
        y = i * (ROW + 8)
        body.append(_label(y, person.name))
        for j, (name, colour, numbers) in enumerate(values):
            value = numbers[i]
            if value is None:
                continue
            width = BAR_W * min(value, top) / top if top > 0 else 0
            yy = y + j * thin
            body.append(f'<rect x="{LABEL_W}" y="{yy:.1f}" width="{width:.1f}" height="{thin - 1:.1f}" fill="{colour}">'
                        f"<title>{escape(person.name)}: {name} {value:.2f}{unit}</title></rect>")
            text = f"{value:.0%}" if unit == "%" else f"{value:.1f}{unit}"
            body.append(f'<text x="{LABEL_W + width + 4:.1f}" y="{yy + thin * 0.8:.1f}">{text}</text>')
    return _legend([(name, colour) for name, colour, _ in values]) + _svg(
        LABEL_W + BAR_W + 70, max(1, len(people)) * (ROW + 8), "".join(body), title)


def seconds_chart(people: Sequence[AnnotatorStats]) -> str:
    p90 = [p.seconds_p90 for p in people]
    top = max((v for v in p90 if v is not None), default=0.0)
    return _bars(people, [("median", "#3b82f6", [p.seconds_median for p in people]), ("p90", "#93c5fd", p90)],
                 top, " s", "Seconds per task per annotator")


def agreement_chart(people: Sequence[AnnotatorStats], gold: bool) -> str:
    values = [("with the others", "#10b981", [p.agreement for p in people])]
    if gold:
        values.append(("with the gold", "#f59e0b", [p.gold_agreement for p in people]))
    return _bars(people, values, 1.0, "%", "Agreement per annotator")


def score_chart(report: SessionsReport) -> str:
    """A line per annotator: mean meta.score (0-1) against answer number (each bucket at its middle)."""
    people = [p for p in report.annotators if p.scores]
    width, height, left, bottom = 620, 240, 40, 24
    span = max(b.last for p in people for b in p.scores)
    plot_w, plot_h = width - left - 10, height - bottom - 10

    def point(middle: float, mean: float) -> Tuple[float, float]:
        return left + plot_w * (middle - 1) / max(1, span - 1), 10 + plot_h * (1 - max(0.0, min(1.0, mean)))

    body = [f'<line x1="{left}" y1="{10 + plot_h}" x2="{left + plot_w}" y2="{10 + plot_h}" stroke="#9ca3af"/>',
            f'<line x1="{left}" y1="10" x2="{left}" y2="{10 + plot_h}" stroke="#9ca3af"/>']
    for tick in (0.0, 0.5, 1.0):
        y = 10 + plot_h * (1 - tick)
        body.append(f'<text x="4" y="{y + 4:.1f}">{tick:.1f}</text>')
    body.append(f'<text x="{left}" y="{height - 4}">1</text>'
                f'<text x="{left + plot_w - 30}" y="{height - 4}">{span}</text>')
    legend = []
    for i, person in enumerate(people):
        colour = COLOURS[i % len(COLOURS)]
        legend.append((person.name, colour))
        xy = [point((b.first + b.last) / 2, b.mean) for b in person.scores]
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
        body.append(f'<polyline class="score" points="{points}" fill="none" stroke="{colour}" stroke-width="2">'
                    f"<title>{escape(person.name)}</title></polyline>")
        for b, (x, y) in zip(person.scores, xy):
            body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}">'
                        f"<title>{escape(person.name)}: answers {b.first}-{b.last}, mean score {b.mean:.2f}</title></circle>")
    return _legend(legend) + _svg(width, height, "".join(body), "Model score over time per annotator")


def render_page(report: SessionsReport) -> str:
    people = report.annotators
    rows = "".join("<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in table_rows(report))
    head = "".join(f"<th>{escape(cell)}</th>" for cell in TABLE_HEADER)
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">',
        f"<title>Annotators · {escape(report.dataset or 'mentor')}</title><style>{STYLE}</style></head><body>",
        f"<h1>Annotators of <code>{escape(report.dataset or '-')}</code></h1>",
        f'<p class="muted">{report.answers} answers · view {escape(report.view_id or "-")} · items compared by '
        f"{report.by} hash{f' · {report.unattributed} without a session' if report.unattributed else ''}"
        ' · <a href="/">back to annotating</a></p>',
    ]
    if not people:
        parts.append("<p>No answers with a session yet.</p></body></html>")
        return "".join(parts)
    parts += [
        f'<table id="annotators"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>',
        '<h2>Answer mix</h2>', mix_chart(people),
        '<h2>Seconds per task</h2>',
        '<p class="muted">How long each task was on screen before it was answered (the web app\'s _time_on_screen).</p>',
        seconds_chart(people),
        '<h2>Agreement</h2>',
        '<p class="muted">Share of an annotator\'s answers that match the most common answer of the others '
        '(items the others tie on are left out).</p>',
        agreement_chart(people, report.gold is not None),
    ]
    if any(p.scores for p in people):
        parts += ['<h2>Model score over time</h2>',
                  '<p class="muted">Mean meta.score of the tasks the model served, in the order they were answered.</p>',
                  score_chart(report)]
    parts.append("</body></html>")
    return "".join(parts)
