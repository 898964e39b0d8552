"""gunicorn reads this file from the working directory: its logs are scrubbed like ours."""

logger_class = "core.logging.ScrubbingGunicornLogger"
