"""Signals the schools app sends so that higher apps (indicators) can react without being imported here.

All are sent after the transaction commits.
"""

from django.dispatch import Signal

# kwargs: school_return_id, round_id, school_year
return_approved = Signal()
return_reopened = Signal()
# kwargs: round_id, school_year: a round opened or closed for entry, or its reference date moved (which returns it
# rests on and whether its verdict is provisional change with them)
round_changed = Signal()
