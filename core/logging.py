"""Log filters: every record carries the school schema and request id, and never personal data."""

import logging

from core.context import request_id_var
from core.masking import scrub_text


class ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        from django.db import connection

        record.schema = getattr(connection, "schema_name", "-") or "-"
        record.request_id = request_id_var.get()
        return True


class PiiScrubFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        scrubbed = scrub_text(message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        return True
