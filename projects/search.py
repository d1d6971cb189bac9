"""Chinese-aware text search: jieba cuts text into words, for the stored document and the query.

PostgreSQL's parsers do not segment Chinese, so a two-character word such as 视觉 would not be
found; the segmented document, searched with the `simple` configuration, finds it (and a GIN
index serves it). SQLite searches the same document word by word.
"""

import logging

import jieba
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import QuerySet

jieba.setLogLevel(logging.WARNING)


def words(text: str) -> list[str]:
    """The words of a text, as jieba's search mode cuts them (sub-words included), lower-cased."""
    seen: dict[str, None] = {}
    for word in jieba.cut_for_search(text or ""):
        word = word.strip().lower()
        if word and any(ch.isalnum() for ch in word):
            seen.setdefault(word, None)
    return list(seen)


def document(*texts: str) -> str:
    return " ".join(words(" ".join(texts)))


def search(queryset: QuerySet, text: str, field: str = "search_document") -> QuerySet:
    """Rows whose document holds every word of the text."""
    terms = words(text)
    if not terms:
        return queryset
    if connection.vendor == "postgresql":
        return queryset.alias(_document=SearchVector(field, config="simple")).filter(
            _document=SearchQuery(" ".join(terms), config="simple", search_type="plain")
        )
    for term in terms:
        queryset = queryset.filter(**{f"{field}__icontains": term})
    return queryset
