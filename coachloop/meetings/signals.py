"""Signals other areas listen to, so meetings need not know about them."""

from django.dispatch import Signal

#: sent inside the transaction, once, when a meeting is first recorded as held;
#: keyword arguments: meeting, actor
meeting_held = Signal()

#: sent inside the transaction whenever a meeting is scheduled, rescheduled, cancelled or
#: recorded (held), with `meeting` and `actor`: the cadence is checked again on it
meeting_changed = Signal()
