"""Log filters and formatters: every record carries the school schema and request id, and no
personal data leaves the process in clear.

Scrubbing happens twice, on purpose:

- `PiiScrubFilter` (on every handler) rewrites the record itself: the message with its
  args, the traceback (`exc_info`, rendered once here so no later formatter re-renders
  the clear text), `stack_info` and every `extra` field;
- `ScrubbingJsonFormatter` (the console's formatter) scrubs the finished output again,
  field by field, so whatever a third-party library put on the record is covered too.

URLs in log text (runserver/gunicorn access lines, `<WSGIRequest: GET '/x?q=…'>` in the CSRF
and 4xx logs) keep their query keys but lose their values: a search for a name or an ID
number is personal data even where no pattern recognises it.
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

from pythonjsonlogger.json import JsonFormatter

from core.context import request_id_var
from core.masking import mask_id_number, scrub_text

# Attributes every LogRecord has; anything else on a record came in through `extra`.
_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None))) | {
    "message",
    "asctime",
    "schema",
    "request_id",
    "color_message",
}
# Our own fields, safe by construction (a request id may hold 11 digits in a row).
_TRUSTED_FIELDS = frozenset({"request_id", "schema", "asctime", "levelname", "name"})

# In logs, any long run of digits is treated as an ID number, whatever surrounds it
# ("430521…1423x" in a database error is still someone's ID number).
# (Not a decimal fraction: Celery's "succeeded in 0.0365…s".)
_LONG_DIGITS_RE = re.compile(r"(?<!\d\.)(?<!\d)\d{15,}[\dXx]?")
_QUERY_RE = re.compile(r"\?[^\s'\"<>]*")
_QUERY_PAIR_RE = re.compile(r"([?&;])([^=&;#]*)=([^&;#]*)")


def _mask_query(match: re.Match) -> str:
    return _QUERY_PAIR_RE.sub(lambda m: f"{m.group(1)}{m.group(2)}=***", match.group(0))


def scrub_log_text(text: str) -> str:
    """Mask ID numbers and mobiles anywhere, and the values of query strings in URLs."""
    text = scrub_text(_QUERY_RE.sub(_mask_query, text))
    return _LONG_DIGITS_RE.sub(lambda m: mask_id_number(m.group(0)), text)


def _scrub_value(value: Any) -> Any:
    if isinstance(value, str):
        return scrub_log_text(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, dict):
        return {k: _scrub_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_scrub_value(v) for v in value]
    # Objects (a request, an exception, a model): only their text may be logged.
    return scrub_log_text(str(value))


class ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        from django.db import connection

        record.schema = getattr(connection, "schema_name", "-") or "-"
        record.request_id = request_id_var.get()
        return True


class PiiScrubFilter(logging.Filter):
    """Rewrite the record so that no handler after this one sees personal data."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed call (wrong args) still gets logged, scrubbed
            message = f"{record.msg!s} {record.args!s}"
        record.msg, record.args = scrub_log_text(message), None
        if record.exc_info:
            rendered = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            record.exc_text = scrub_log_text(rendered)
            record.exc_info = None  # formatters would render the clear traceback again
        elif record.exc_text:
            record.exc_text = scrub_log_text(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub_log_text(record.stack_info)
        for key, value in list(vars(record).items()):
            if key not in _STANDARD_ATTRS:
                setattr(record, key, _scrub_value(value))
        return True


class ScrubbingJsonFormatter(JsonFormatter):
    """JSON lines, every field scrubbed once more after formatting."""

    def process_log_record(self, log_data: dict) -> dict:
        return {
            key: value if key in _TRUSTED_FIELDS else _scrub_value(value)
            for key, value in super().process_log_record(log_data).items()
        }


class ScrubbingFormatter(logging.Formatter):
    """Plain-text lines (runserver's access log), scrubbed after formatting."""

    def format(self, record: logging.LogRecord) -> str:
        return scrub_log_text(super().format(record))


try:  # gunicorn is the production/benchmark server; nothing else needs it installed
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # pragma: no cover
    _GunicornLogger = None

if _GunicornLogger is not None:

    class ScrubbingGunicornLogger(_GunicornLogger):
        """gunicorn's access and error logs through the same scrubbing as ours.

        The access line's request (`%(r)s`) keeps its query keys, not their values.
        Used by ./gunicorn.conf.py, which gunicorn reads from the working directory.
        """

        def setup(self, cfg) -> None:
            super().setup(cfg)
            for log in (self.error_log, self.access_log):
                for handler in log.handlers:
                    handler.addFilter(PiiScrubFilter())
