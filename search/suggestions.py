"""Suggestions while a shopper types (GET /api/v1/search/suggest/): queries that many shoppers
made and that found products, and the words typed so far with the last one completed by a word
that the catalogue uses together with the others. Both are answered from memory: no model
runs and no database query is made per keystroke.
"""

import bisect
import threading
import time
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from django.conf import settings
from django.db.models import Count
from django.db.models.functions import Lower, Trim
from django.utils import timezone

from search.catalogue_vocabulary import catalogue_vocabulary
from search.ml.vocabulary import Vocabulary
from search.ml.words import stem, words
from search.models import SearchLog

MAX_SUGGESTIONS = 8
# Nothing is suggested for fewer characters: one letter would suggest almost anything.
MIN_CHARACTERS = 2
# A completion is sought among this many of the catalogue's words that start as typed, the
# commonest first: a two-letter start can match hundreds.
COMPLETIONS_WEIGHED = 60
# The popular queries held in memory, most searchers first.
POPULAR_QUERIES_KEPT = 10_000


@dataclass(frozen=True)
class Suggestion:
    text: str
    source: str  # "popular": shoppers' own query; "catalogue": completed from its words


def suggest(typed: str, limit: int = MAX_SUGGESTIONS) -> list[Suggestion]:
    """Popular queries that begin as `typed` does, then its completions from the catalogue."""
    text = " ".join(typed.lower().split())
    if len(text) < MIN_CHARACTERS:
        return []
    if typed[-1].isspace():
        text += " "  # the last word is whole
    found = [Suggestion(query, "popular") for query in popular_queries.starting(text, limit)]
    shown = {suggestion.text for suggestion in found}
    for completion in completions(catalogue_vocabulary.get(), text, limit):
        if len(found) == limit:
            break
        if completion not in shown:
            found.append(Suggestion(completion, "catalogue"))
            shown.add(completion)
    return found


def completions(vocabulary: Vocabulary, text: str, limit: int) -> list[str]:
    """`text` with its last, partly typed word completed by the catalogue's words that the most
    products use together with the words before it ("red ku" -> "red kurta")."""
    *before, partial = text.split(" ")
    partial = "".join(words(partial)) if text[-1] != " " else ""
    if not partial:
        return []
    known = [stem(word) for word in words(" ".join(before))]
    # The products that use every earlier word the catalogue knows (a word it does not know,
    # a typo or a word of the shopper's own, does not narrow them).
    rows = None
    for word in sorted(
        (word for word in known if word in vocabulary.postings),
        key=lambda word: len(vocabulary.postings[word]),
    ):
        found = vocabulary.postings[word]
        rows = found if rows is None else np.intersect1d(rows, found, assume_unique=True)
    candidates = _words_starting(vocabulary, partial)[:COMPLETIONS_WEIGHED]
    weighed = []
    for spelling, word in candidates:
        if word in known or spelling == partial:  # nothing to complete
            continue
        postings = vocabulary.postings[word]
        together = (
            len(postings)
            if rows is None
            else len(np.intersect1d(rows, postings, assume_unique=True))
        )
        if together:
            weighed.append((-together, spelling))
    weighed.sort()
    prefix = " ".join(before)
    return [f"{prefix} {spelling}".strip() for _, spelling in weighed[:limit]]


# The live vocabulary's words in alphabetical order: (vocabulary, words), built once for each
# vocabulary learned.
_alphabetical: tuple[Vocabulary | None, list[tuple[str, str]]] = (None, [])
_alphabetical_lock = threading.Lock()


def _words_starting(vocabulary: Vocabulary, partial: str) -> list[tuple[str, str]]:
    """(spelling, stemmed word) of the words that start with `partial`, commonest first."""
    global _alphabetical
    with _alphabetical_lock:
        built_for, ordered = _alphabetical
        if built_for is not vocabulary:
            ordered = sorted(
                (spelling, word)
                for word, spelling in vocabulary.spellings.items()
                if word in vocabulary.postings
            )
            _alphabetical = (vocabulary, ordered)
    start = bisect.bisect_left(ordered, (partial, ""))
    end = bisect.bisect_left(ordered, (partial + "\uffff", ""))
    matching = ordered[start:end]
    matching.sort(key=lambda entry: -len(vocabulary.postings[entry[1]]))
    return matching


class PopularQueries:
    """The queries that at least VITRINE_SUGGEST_MIN_SEARCHERS different searchers made, with
    matches, in the last VITRINE_SUGGEST_WINDOW_DAYS of the search log, read again every
    VITRINE_SUGGEST_REFRESH_SECONDS. Counting searchers, not searches, keeps one client from
    planting a suggestion by repeating it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queries: list[tuple[str, int]] = []  # (query, searchers), alphabetical
        self._read_at = float("-inf")

    def starting(self, text: str, limit: int) -> list[str]:
        queries = self._current()
        start = bisect.bisect_left(queries, (text, 0))
        end = bisect.bisect_left(queries, (text + "\uffff", 0))
        matching = sorted(queries[start:end], key=lambda entry: (-entry[1], entry[0]))
        return [query for query, _ in matching[:limit]]

    def _current(self) -> list[tuple[str, int]]:
        with self._lock:
            if time.monotonic() - self._read_at >= settings.VITRINE_SUGGEST_REFRESH_SECONDS:
                self._queries = sorted(_read_popular_queries())
                self._read_at = time.monotonic()
            return self._queries


def _read_popular_queries() -> list[tuple[str, int]]:
    since = timezone.now() - timedelta(days=settings.VITRINE_SUGGEST_WINDOW_DAYS)
    rows = (
        SearchLog.objects.filter(had_photo=False, created_at__gte=since, result_count__gt=0)
        .exclude(searcher="")
        .annotate(query=Lower(Trim("query_text")))
        .exclude(query="")
        .values("query")
        .annotate(searchers=Count("searcher", distinct=True))
        .filter(searchers__gte=settings.VITRINE_SUGGEST_MIN_SEARCHERS)
        .order_by("-searchers", "query")
        .values_list("query", "searchers")[:POPULAR_QUERIES_KEPT]
    )
    return [(" ".join(query.split()), searchers) for query, searchers in rows]


popular_queries = PopularQueries()
