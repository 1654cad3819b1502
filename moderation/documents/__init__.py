"""Screening documents, forms and meeting notices with the same screener as submissions, and
the moderator's decision on one that screening flagged."""
