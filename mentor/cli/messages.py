"""Errors and warnings for the terminal: one line each, on stderr.

stdout carries a command's data (``mentor db-out ds > ds.jsonl``), so nothing
that reports a problem may go there. wasabi's ``msg`` prints to stdout and
wraps at 80 columns, which would put an error into the exported file or split
a ``file:line`` across lines; these helpers keep its icons and colours without
either. Successes and tables stay on wasabi's ``msg``.
"""
from __future__ import annotations

import logging
import sys

from wasabi.util import COLORS, ICONS, color, locale_escape, supports_ansi


def _styled(kind: str, text: str) -> str:
    line = locale_escape(f"{ICONS[kind]} {text}")
    if sys.stderr.isatty() and supports_ansi():
        line = color(line, fg=COLORS[kind])
    return str(line)


def _emit(kind: str, text: str) -> None:
    print(_styled(kind, text), file=sys.stderr, flush=True)


def fail(text: str) -> None:
    """Print an error line on stderr (the caller decides the exit code)."""
    _emit("fail", text)


def warn(text: str) -> None:
    """Print a warning line on stderr."""
    _emit("warn", text)


class LogFormatter(logging.Formatter):
    """mentor's logged warnings and errors look like the CLI's own lines.

    A skipped source line is logged by the loaders (library code never prints);
    on the terminal it should read as the same one ``⚠`` line a command would
    print. Debug and info lines, and other libraries' lines, keep the plain
    ``LEVEL logger: message`` form.
    """

    def format(self, record: logging.LogRecord) -> str:
        if record.levelno >= logging.WARNING and record.name.split(".")[0] == "mentor":
            return _styled("fail" if record.levelno >= logging.ERROR else "warn", record.getMessage())
        return super().format(record)


def configure_logging(verbose: bool) -> None:
    """Log to stderr: warnings and up, or everything with ``--verbose``."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(LogFormatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, handlers=[handler])
