"""Where the RMA process takes its calendar and its deadlines from.

One function each, so that swapping the source (stored policy numbers, another calendar) is a
one-line change here and nowhere else.
"""

from __future__ import annotations

from shouhou.domain import rma
from shouhou.domain.calendar import WorkCalendar


def work_calendar() -> WorkCalendar:
    """The product's working-day calendar (stored configuration over the shipped official data)."""
    from shouhou.workdays.selectors import calendar

    return calendar()


def rma_policy() -> rma.RmaPolicy:
    """The deadlines of the default policy pack (DESIGN §2)."""
    return rma.DEFAULT_POLICY
