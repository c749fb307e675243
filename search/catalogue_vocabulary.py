"""The live catalogue's vocabulary (search.ml.vocabulary), learned once per catalogue change for
every process and shared through the cache.

- A change to what it reads (a product created, edited or deleted, an import's batch, a
  category renamed or moved) moves the catalogue's version (search.catalogue_version) when it
  commits, once per transaction, and asks for a learning: the task
  search.tasks.learn_catalogue_vocabulary, on the `embed` queue (it reads words with the text
  encoder). The task waits until the catalogue has been quiet for QUIET_SECONDS, or at most
  MOST_WAITED_SECONDS, so that a burst of edits or an import gives one learning; one learning
  is queued or running at a time. It shares what it learned in the cache, by the encoder it
  was learned with, together with the catalogue version it was learned from.
- A process reads the version at most every VITRINE_VOCABULARY_REFRESH_SECONDS (one GET in
  Redis). When it has moved, the process loads the newer vocabulary shared, if there is one
  (a GET and an unpickle), in a thread, and answers with the one it has until then; a process
  that has one and finds no learning queued or running (no worker, a message lost) learns it
  in that thread. Either way the thread builds the vocabulary's typo index (search.typos:
  seconds at a million listings) before the process takes it up, so no shopper waits for it;
  the thread then leaves it out of the garbage collector's full passes (core.long_lived).
- A process that has none, and finds the current one not shared, learns it before answering
  and shares it; so does any process when VITRINE_VOCABULARY_LEARN_IN_BACKGROUND is off (tests,
  benchmarks: every answer then has the current catalogue's words).
- A learning reads every active listing's words, so that no word of the catalogue is ever
  taken for a typo, and learns the rest (which words name kinds, which go together) from a
  uniform sample of VITRINE_VOCABULARY_SAMPLE of them: its time and size stop growing with the
  catalogue but for the words themselves.
"""

import hashlib
import logging
import threading
import time
import zlib
from contextlib import suppress
from dataclasses import dataclass, fields
from functools import lru_cache
from itertools import islice
from typing import TYPE_CHECKING

import redis
from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Value
from django.db.models.functions import Coalesce

from catalog.models import Product
from core.broker import redis_client
from core.long_lived import keep_out_of_full_collections
from core.sampling import UniformSample
from search import catalogue_version
from search.ml.sampled_from import SampledFrom
from search.ml.vocabulary import Vocabulary
from search.ml.words import words_of_all
from search.typos import typo_index

if TYPE_CHECKING:
    from search.word_vectors import EncoderRelatedness

logger = logging.getLogger(__name__)

LEARN_TASK = "search.tasks.learn_catalogue_vocabulary"
# A learning waits for the catalogue to have been this long without a change...
QUIET_SECONDS = 10
# ...but no longer than this after it was asked for, on a catalogue that never stops changing.
MOST_WAITED_SECONDS = 120
# Set while a learning is queued or running, on the broker's Redis (as the embedding's and the
# training's flags are: the cache would take it in a process's own memory while Redis fails,
# and the task could not be sent). It lapses after this long, so that a learning that no worker
# takes (none running, a message lost) is left to the processes themselves.
_LEARNING_KEY = "vitrine:catalogue-vocabulary:learning"
_LEARNING_CLAIM_SECONDS = 600
# A shared vocabulary is unpickled only by code that pickles one of the same fields (a deploy
# under way runs two versions of the code on one cache).
_SHAPE = zlib.crc32(",".join(field.name for field in fields(Vocabulary)).encode())
WORDS_ONLY = "words"  # learned without an encoder's relatedness
_READ_CHUNK = 10_000  # listings read at a time


@dataclass(frozen=True)
class Learned:
    """A vocabulary, and what it was learned from: the catalogue version (None: inside a
    transaction that changed the catalogue, read as that transaction saw it, at `changes`) and
    the relatedness (`WORDS_ONLY`, or the encoder's)."""

    vocabulary: Vocabulary
    version: int | None
    learned_with: str
    changes: int = 0


class CatalogueVocabulary:
    """This process's copy of the catalogue's vocabulary, looked at for changes at most every
    VITRINE_VOCABULARY_REFRESH_SECONDS."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._learned: Learned | None = None
        self._checked_at = float("-inf")
        self._refreshing: threading.Thread | None = None

    def get(self, relatedness: "EncoderRelatedness | None" = None) -> Vocabulary:
        """The vocabulary, learned with `relatedness` where given (one learned without it, while
        the encoder could not load, is not served in its place); without, whichever this
        process has."""
        learned = self._learned
        if (
            learned is not None
            and (relatedness is None or learned.learned_with == _learned_with(relatedness))
            and time.monotonic() - self._checked_at < settings.VITRINE_VOCABULARY_REFRESH_SECONDS
        ):
            return learned.vocabulary
        with self._lock:
            return self._current(relatedness).vocabulary

    def _current(self, relatedness: "EncoderRelatedness | None") -> Learned:
        self._checked_at = time.monotonic()
        if relatedness is not None:
            learned_with = _learned_with(relatedness)
        else:
            learned_with = self._learned.learned_with if self._learned else WORDS_ONLY
        held = self._learned
        if held is not None and held.learned_with != learned_with:
            held = None
        changes = _uncommitted_changes()
        if changes is not None:
            # This thread's own transaction changed the catalogue: it reads what it wrote, and
            # shares it with no one (it may roll back).
            if held is None or held.version is not None or held.changes != changes:
                held = self._learned = Learned(_learn(relatedness), None, learned_with, changes)
            return held
        version = catalogue_version.current()
        if held is not None and held.version == version:
            return held
        if held is not None and settings.VITRINE_VOCABULARY_LEARN_IN_BACKGROUND:
            self._start_refresh(version, relatedness, learned_with, held.version)
            return held
        # Newer than the one it has; with none, only the current one: rather than answer with
        # words of a catalogue that may be long gone (a test's, a database restored), a process
        # with none learns it before answering.
        learned = _shared(learned_with, newer_than=held.version if held else version - 1)
        if learned is None or learned.version != version:
            learned = _learn_and_share(version, relatedness)
        self._learned = _with_typo_index(learned)
        return self._learned

    def adopt(self, learned: Learned) -> None:
        """Take a vocabulary this process learned, unless it has a newer one meanwhile."""
        with self._lock:
            held = self._learned
            if held is None or held.version is None or (learned.version or 0) > held.version:
                self._learned = learned

    def _start_refresh(self, *arguments) -> None:
        """`_refresh(*arguments)` in a thread, unless one is under way."""
        if self._refreshing is not None and self._refreshing.is_alive():
            return  # it will be looked at again when it is next due
        self._refreshing = threading.Thread(
            target=self._refresh,
            args=arguments,
            name="catalogue-vocabulary",
            daemon=True,
        )
        self._refreshing.start()

    def wait(self, timeout: float | None = None) -> None:
        """Until a refresh of this process's own under way, if any, has finished."""
        refreshing = self._refreshing
        if refreshing is not None:
            refreshing.join(timeout)

    def _refresh(
        self,
        version: int,
        relatedness: "EncoderRelatedness | None",
        learned_with: str,
        held_version: int | None,
    ) -> None:
        """The newer vocabulary shared, or, when the current one is not and no learning is
        queued or running, the current one learned and shared; taken up with its typo index."""
        try:
            learned = _shared(learned_with, newer_than=held_version)
            if (learned is None or learned.version != version) and _left_to_this_process():
                try:
                    learned = _learn_and_share(version, relatedness)
                finally:
                    _release_learning()
            if learned is not None:
                self.adopt(_with_typo_index(learned))
                keep_out_of_full_collections()  # the vocabulary served from now on
        except Exception:  # the old vocabulary serves on; the next look tries again
            logger.exception("Refreshing the catalogue's vocabulary failed.")
            with self._lock:
                self._checked_at = float("-inf")
        finally:
            connections.close_all()  # this thread's own connections


def _with_typo_index(learned: Learned) -> Learned:
    typo_index(learned.vocabulary)
    return learned


catalogue_vocabulary = CatalogueVocabulary()


# The catalogue's changes (search.signal_handlers)

# This process's announced changes, so far: a transaction's own reading of the catalogue is
# current while no change has been announced since.
_changes_made = 0


def catalogue_changed() -> None:
    """Products were created, changed or deleted: the catalogue's version moves when the
    transaction commits (once, however many products changed in it), and a learning is asked
    for."""
    global _changes_made
    _changes_made += 1
    if not _commit_pending():
        transaction.on_commit(_changes_committed, robust=True)


def _changes_committed() -> None:
    if (version := catalogue_version.bump()) is not None:
        request_learning(version)


def _commit_pending() -> bool:
    # A transaction's commit hooks are Django's run_on_commit, (savepoints, hook, robust) each (as
    # its TestCase.captureOnCommitCallbacks reads them); a savepoint rolled back takes its own.
    connection = transaction.get_connection()
    return connection.in_atomic_block and any(
        hook is _changes_committed for _, hook, _ in connection.run_on_commit
    )


def _uncommitted_changes() -> int | None:
    """Where this thread's transaction has changed the catalogue, the changes made so far."""
    return _changes_made if _commit_pending() else None


# Learning once for every process


def request_learning(version: int) -> None:
    """Queue a learning unless one is queued or running already. Never fails the caller: with
    the broker down, the processes learn it themselves."""
    try:
        if not _claim_learning():
            return
        current_app.send_task(
            LEARN_TASK, args=(version, time.time()), countdown=QUIET_SECONDS, retry=False
        )
    except Exception as error:  # Redis or the broker is down
        _release_learning()
        logger.warning("Could not queue the vocabulary's learning (%s): processes learn it.", error)


def learn_for_every_process(
    asked_version: int, asked_at: float, relatedness: "EncoderRelatedness | None"
) -> bool:
    """The learning task's work, in a worker: once the catalogue is quiet (its version has not
    moved since `asked_version`, QUIET_SECONDS ago) or it has waited MOST_WAITED_SECONDS since
    `asked_at`, learn the current catalogue's vocabulary and share it, unless shared already.
    Returns whether it learned (False: it waits on)."""
    version = catalogue_version.current()
    if version != asked_version and time.time() - asked_at < MOST_WAITED_SECONDS:
        redis_client().set(_LEARNING_KEY, 1, ex=_LEARNING_CLAIM_SECONDS)  # renewed
        current_app.send_task(
            LEARN_TASK, args=(version, asked_at), countdown=QUIET_SECONDS, retry=False
        )
        return False
    try:
        if _shared_version(_learned_with(relatedness)) != version:
            # This worker's own indexing reads it too (search.indexing).
            catalogue_vocabulary.adopt(_learn_and_share(version, relatedness))
    finally:
        _release_learning()
    if (now := catalogue_version.current()) != version:
        request_learning(now)  # it changed while this learned
    return True


def _claim_learning() -> bool:
    """Whether none was queued or running: then the caller queues or runs one. Raises while
    Redis is down."""
    return bool(redis_client().set(_LEARNING_KEY, 1, nx=True, ex=_LEARNING_CLAIM_SECONDS))


def _left_to_this_process() -> bool:
    """Whether this process should learn it itself: none is queued or running (or, while Redis
    is down, nobody can tell)."""
    try:
        return _claim_learning()
    except redis.RedisError:
        return True


def _release_learning() -> None:
    with suppress(redis.RedisError):  # then it lapses
        redis_client().delete(_LEARNING_KEY)


# Shared through the cache: by what it was learned with, one copy each, replaced by the next.


@lru_cache(maxsize=16)  # asked on every search
def _learned_with(relatedness: "EncoderRelatedness | None") -> str:
    if relatedness is None:
        return WORDS_ONLY
    return "encoder-" + hashlib.sha256(relatedness.version.encode()).hexdigest()[:16]


def _key(learned_with: str) -> str:
    return f"catalogue-vocabulary:{_SHAPE}:{learned_with}"


def _shared_version(learned_with: str) -> int | None:
    return cache.get(_key(learned_with) + ":version")


def _shared(learned_with: str, newer_than: int | None) -> Learned | None:
    """The vocabulary shared for `learned_with`, if newer than `newer_than`."""
    version = _shared_version(learned_with)
    if version is None or (newer_than is not None and version <= newer_than):
        return None
    key = _key(learned_with)
    try:
        found = cache.get(key)
    except Exception as error:  # pickled by another version of the code: learned again
        logger.warning("The shared vocabulary could not be read (%r): it is replaced.", error)
        cache.delete_many([key, key + ":version"])
        return None
    if found is None:
        return None
    version, vocabulary = found
    return Learned(vocabulary, version, learned_with)


def _learn_and_share(version: int, relatedness: "EncoderRelatedness | None") -> Learned:
    learned = Learned(_learn(relatedness), version, _learned_with(relatedness))
    # Inside a transaction, what was read may yet roll back.
    if not transaction.get_connection().in_atomic_block:
        _share(learned)
    return learned


def _share(learned: Learned) -> None:
    """Put a vocabulary in the cache for every process, unless a newer one is there already."""
    if (_shared_version(learned.learned_with) or 0) >= learned.version:
        return
    key = _key(learned.learned_with)
    cache.set(key, (learned.version, learned.vocabulary), timeout=None)
    cache.set(key + ":version", learned.version, timeout=None)


# Learning


def _learn(relatedness: "EncoderRelatedness | None") -> Vocabulary:
    """Every active listing's words; the statistics of a uniform sample of them, drawn as they
    are read."""
    sample = UniformSample(settings.VITRINE_VOCABULARY_SAMPLE)
    title_words: set[str] = set()
    categories: set[str] = set()
    listings = _active_listings()
    while chunk := list(islice(listings, _READ_CHUNK)):
        title_words |= words_of_all(title for title, _ in chunk)
        categories.update(category for _, category in chunk)
        sample.offer(chunk)
    every_word = title_words | words_of_all(categories)
    return Vocabulary.learn(
        [title for title, _ in sample.items],
        [category for _, category in sample.items],
        relatedness,
        sampled_from=SampledFrom(sample.offered, every_word) if sample.left_out else None,
    )


def _active_listings():
    # From the primary, whoever asks (a search reads from a replica): the version it is learned
    # for was read after the change it names committed there.
    return (
        Product.objects.using(DEFAULT_DB_ALIAS)
        .filter(status=Product.Status.ACTIVE)
        .values_list("title", Coalesce("category__full_name", Value("")))
        .iterator(chunk_size=_READ_CHUNK)
    )
