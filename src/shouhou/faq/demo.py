"""Demo FAQ for `shouhou serve --demo`: the articles shipped in shouhou/faq/articles/, published.

Idempotent: a second start updates the same articles by title and adds nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

ARTICLES = Path(__file__).resolve().parent / "articles"


def load_demo(out: TextIO) -> None:
    from shouhou.faq.imports import run_import

    result = run_import(ARTICLES)
    for name, message in result.errors:
        out.write(f"  FAQ {name}: {message}\n")
    out.write(f"常见问题 / FAQ: {result.created + result.updated} 篇 articles\n")
