"""Signals other apps listen to without accounts knowing them."""

from django.dispatch import Signal

# Sent by accounts.services.end_other_access inside its transaction, with `user`, `actor`
# and `reason` ("password_changed" | "password_reset"). Every other way into the account
# that an app keeps (the WeChat binding) ends in its receiver.
access_ended = Signal()
