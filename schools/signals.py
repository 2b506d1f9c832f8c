"""Signals the schools app sends so that higher apps (indicators) can react without being imported here.

Both are sent after the transaction commits.
"""

from django.dispatch import Signal

# kwargs: school_return_id, round_id, school_year
return_approved = Signal()
return_reopened = Signal()
