"""The `page` query parameter every list operation takes, bounded once for all of them."""

from __future__ import annotations

from typing import Any

from ninja import Field

# Far past any real list, and small enough that page × page_size stays a 64-bit offset on both
# databases (an unbounded page overflowed SQLite's and PostgreSQL's OFFSET with a 500).
MAX_PAGE = 1_000_000_000


def page_field(**kwargs: Any) -> Any:
    """A `page: int = page_field()` filter field: 1 by default, 1 ≤ page ≤ MAX_PAGE (422 outside)."""
    return Field(1, ge=1, le=MAX_PAGE, description="1-based page number.", **kwargs)
