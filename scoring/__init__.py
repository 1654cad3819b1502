"""Scoring: consumes every event, keeps the facts and the append-only points ledger, the totals
per informant and unit, 约稿 and quotas, and streams changes to the dashboards.

Pure (no database): ``rules`` (the rules file), ``engine`` (facts to ledger lines), ``totals``
(totals and their tie-break times from lines), ``replay`` (the kept facts scored again in
memory under any rules). In the database: ``facts``, ``ledger``, ``world`` (the engine's world),
``handlers`` (the consumer), ``commissions`` and ``topics`` (约稿), ``awards`` (adoptions and
instructions), ``quotas``, ``closing`` (the month close), ``jobs`` (the scheduled work),
``queries`` (boards, ledger lines), ``reports`` (xlsx/csv and the 通报), ``dashboard``,
``stream`` (SSE), ``routes``, ``cli``, ``rulesets`` (one text per rules version).
"""
