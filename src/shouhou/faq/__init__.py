"""FAQ (常见问题): articles in Markdown, Chinese search, import from Markdown files.

A separate app from ``cases``: the public, dealers and staff all read the FAQ on its own (public
``/faq/``, the dealer portal, the hotline screen's suggestions), and cases only link to articles;
nothing here depends on cases.

Search (``selectors.faq_search``) uses character bigrams stored in ``FaqTerm`` and ranked by
``shouhou.domain.faq``: the same rows and the same ranking on SQLite and PostgreSQL, no word
dictionary to maintain; why this and not jieba, FTS5 or pg_trgm is in docs/faq-search.md.
"""
