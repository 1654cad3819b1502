"""Turning text into search terms with jieba (pure).

Indexed text is cut in jieba's search mode, which also yields the shorter words inside long
ones (工业经济运行 gives 工业, 经济, 运行 too); a query is cut in the precise mode, so each of its
words is one a document's text was indexed under when the document holds it.
"""

from __future__ import annotations

import functools
import unicodedata

import jieba

MAX_TERM_CHARS = 64
MAX_QUERY_TERMS = 8


@functools.cache
def _tokenizer() -> jieba.Tokenizer:
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def _keep(token: str) -> str | None:
    token = unicodedata.normalize("NFKC", token).strip().lower()
    if not token or len(token) > MAX_TERM_CHARS or not any(ch.isalnum() for ch in token):
        return None
    return token


def index_terms(*texts: str) -> set[str]:
    terms: set[str] = set()
    tokenizer = _tokenizer()
    for text in texts:
        for token in tokenizer.cut_for_search(unicodedata.normalize("NFKC", text)):
            kept = _keep(token)
            if kept:
                terms.add(kept)
    return terms


def query_terms(query: str) -> list[str]:
    terms: list[str] = []
    for token in _tokenizer().cut(unicodedata.normalize("NFKC", query)):
        kept = _keep(token)
        if kept and kept not in terms:
            terms.append(kept)
    return terms[:MAX_QUERY_TERMS]
