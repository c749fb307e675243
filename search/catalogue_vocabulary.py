"""This process's vocabulary of the live catalogue (search.ml.vocabulary), kept up to date.

Learning it takes seconds (7 s for 10,000 listings with the encoder's relatedness): once the
process has one, a changed catalogue is learned again in a thread of its own while searches go
on with the vocabulary they have, so that a merchant's edit does not cost some shopper's
search those seconds in every web process.
"""

import logging
import threading
import time

from django.conf import settings
from django.db import connections
from django.db.models import Count, Max

from catalog.models import Product
from search.ml.vocabulary import Relatedness, Vocabulary

logger = logging.getLogger(__name__)


class CatalogueVocabulary:
    """The live catalogue's vocabulary, looked at for changes at most every
    VITRINE_VOCABULARY_REFRESH_SECONDS and re-learned when it has changed: in the background
    when VITRINE_VOCABULARY_LEARN_IN_BACKGROUND (the default), else before answering."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._vocabulary: Vocabulary | None = None
        self._fingerprint: tuple | None = None
        self._checked_at = float("-inf")
        self._related = False  # whether learned with the encoder's relatedness
        self._learning: threading.Thread | None = None

    def get(self, relatedness: Relatedness | None = None) -> Vocabulary:
        """The vocabulary, learned with `relatedness` where given; one learned without it,
        while the encoder could not load, is learned again with it (before answering)."""
        now = time.monotonic()
        unrelated = relatedness is not None and not self._related
        if (
            self._vocabulary is not None
            and not unrelated
            and now - self._checked_at < settings.VITRINE_VOCABULARY_REFRESH_SECONDS
        ):
            return self._vocabulary
        with self._lock:
            fingerprint = _fingerprint()
            self._checked_at = now
            changed = fingerprint != self._fingerprint
            if self._vocabulary is not None and not unrelated:
                if not changed:
                    return self._vocabulary
                if settings.VITRINE_VOCABULARY_LEARN_IN_BACKGROUND:
                    self._start_learning(fingerprint, relatedness)
                    return self._vocabulary
            self._vocabulary = _learn(relatedness)
            self._fingerprint, self._related = fingerprint, relatedness is not None
            return self._vocabulary

    def _start_learning(self, fingerprint: tuple, relatedness: Relatedness | None) -> None:
        if self._learning is not None and self._learning.is_alive():
            return  # it will be looked at again when it is next due
        self._learning = threading.Thread(
            target=self._learn_in_background,
            args=(fingerprint, relatedness),
            name="catalogue-vocabulary",
            daemon=True,
        )
        self._learning.start()

    def wait(self, timeout: float | None = None) -> None:
        """Until a re-learning under way, if any, has finished."""
        learning = self._learning
        if learning is not None:
            learning.join(timeout)

    def _learn_in_background(self, fingerprint: tuple, relatedness: Relatedness | None) -> None:
        try:
            vocabulary = _learn(relatedness)
        except Exception:  # the old vocabulary serves on; the next look tries again
            logger.exception("Re-learning the catalogue's vocabulary failed.")
            with self._lock:
                self._checked_at = float("-inf")
            return
        finally:
            connections.close_all()  # this thread's own connections
        with self._lock:
            self._vocabulary, self._fingerprint = vocabulary, fingerprint
            self._related = relatedness is not None


def _active_products():
    return Product.objects.filter(status=Product.Status.ACTIVE)


def _fingerprint() -> tuple:
    """What changes when a listing is added, removed, published, withdrawn or edited."""
    return tuple(_active_products().aggregate(Count("id"), Max("updated_at")).values())


def _learn(relatedness: Relatedness | None) -> Vocabulary:
    rows = list(_active_products().values_list("title", "category__full_name"))
    return Vocabulary.learn(
        [title for title, _ in rows], [category or "" for _, category in rows], relatedness
    )


catalogue_vocabulary = CatalogueVocabulary()
