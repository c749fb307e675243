"""How surely each word of a catalogue's titles names one kind of product: statistics over the
catalogue's categories, weighed by the word's meaning where an encoder is given
(search.ml.vocabulary.Vocabulary.learn)."""

import math
from collections import Counter
from collections.abc import Callable, Sequence

# (words, category names) -> how near in meaning each word is to its category's name, by
# cosine similarity (search.word_vectors.EncoderRelatedness).
Relatedness = Callable[[Sequence[str], Sequence[str]], Sequence[float]]


def learn_kindness(
    by_leaf: dict[str, Counter[str]],
    categorised: Counter[str],
    spellings: dict[str, str],
    relatedness: Relatedness | None,
) -> dict[str, float]:
    """For each word, the share of its categorised products in its commonest category,
    shrunk towards nothing for words few products use (one product's word tells little);
    with `relatedness`, weighed by the word's nearness in meaning to that category's name."""
    best: dict[str, tuple[int, str]] = {}
    for leaf, counts in by_leaf.items():
        for word, count in counts.items():
            if count > best.get(word, (0, ""))[0]:
                best[word] = (count, leaf)
    # Shrinkage by one pseudo-product per category: a rare word cannot look certain.
    prior = max(1, len(by_leaf))
    kindness = {
        word: best[word][0] / (total + math.sqrt(prior))
        for word, total in categorised.items()
        if word in best
    }
    if relatedness is not None and kindness:
        found = list(kindness)
        nearness = relatedness(
            [spellings.get(word, word) for word in found], [best[word][1] for word in found]
        )
        for word, near in zip(found, nearness, strict=True):
            # Meaning takes at most half of a word's kindness: it settles words that statistics
            # rank alike (a brand that makes only heels, beside "heels"), but cannot overrule
            # them. A category name is often broader than its kinds ("Topwear"), and a kind
            # word the encoder barely knows ("kurta") is no nearer to it than "printed" is.
            kindness[word] *= (1 + max(0.0, float(near))) / 2
    return kindness
