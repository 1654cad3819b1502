"""The year-end review: the period report, the commendation list, and the office's documents."""
