"""The catalogue a vocabulary's titles were sampled from (search.ml.vocabulary.Vocabulary.learn
over a uniform sample of a large catalogue)."""

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass

from search.ml.words import stem


@dataclass(frozen=True)
class SampledFrom:
    """The catalogue that titles were drawn from, uniformly at random: its size, and every word
    of its titles and category paths (as `words` reads them)."""

    products: int
    words: Collection[str]

    def scaled(
        self, frequency: Counter[str], spellings: dict[str, str], sample: int
    ) -> Counter[str]:
        """A sample's product counts scaled to this catalogue, and its words that no sampled
        product uses, as used by one product each (their spellings added to `spellings`)."""
        scale = self.products / max(1, sample)
        scaled = Counter({word: max(1, round(count * scale)) for word, count in frequency.items()})
        for word in sorted(self.words):
            stemmed = stem(word)
            if stemmed not in scaled:
                scaled[stemmed] = 1
                spellings[stemmed] = word
        return scaled
