"""Site search (站内搜索): an inverted index of jieba-segmented terms over what is published,
kept in two plain tables, so that SQLite (embedded) and PostgreSQL (distributed) run the same
index and the same query."""
