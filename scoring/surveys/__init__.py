"""Counting surveys and evaluations: scoring keeps each definition (``survey.opened``) and every
ballot (``survey.ballot_cast``), counts them with a pure tally, and keeps each closed
evaluation's per-unit result beside the units' points for the year-end review."""
