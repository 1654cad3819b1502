"""Surveys and evaluations (网上调查、网上评议) as ingest receives them: the designs, the ballot
codes, the public answering page and the ballots. Scoring counts them (``scoring.surveys``)."""
