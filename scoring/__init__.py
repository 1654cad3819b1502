"""Scoring: consumes every event, keeps the append-only points ledger and the totals per
informant and unit, checks quotas, and streams changes to the dashboards."""
