# The agreement state machine lands here with the agreements issue.
