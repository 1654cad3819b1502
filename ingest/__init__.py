"""Ingest: informants upload articles and photos over HTTP; each accepted upload becomes a
``submission.received`` event. Ingest also keeps the status an informant sees."""
