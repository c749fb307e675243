"""A shopper's words, understood against the catalogue: typos corrected, and the catalogue's
own terms for what they asked added. Their words are never replaced: they stay in what the
encoder reads and in the logs; full-text search looks for each word or its alternatives.

Where the added terms come from, all of it general or learned from the catalogue:
- the catalogue's vocabulary, for typos (search.typos): a word the catalogue does not know,
  one edit from a word it does, is that word ("hanbag" -> "handbag"), and a word of English
  one edit from a kind it sells, that English relates to no kind, is that kind ("bets" ->
  "belts"); two words that it writes as one are that word too ("sun glasses" -> "sunglasses");
- general British/American retail words (search.ml.lexicon): "trainers" finds "sneakers",
  where the catalogue says so;
- general English (WordNet, search.ml.lexicon.wordnet): a word the catalogue does not use for
  a kind is matched to the kinds that name the same thing, a broader or a narrower one ("frock"
  -> "dress", "chinos" -> "trousers", "timepiece" -> "watch"); English compounds ("lamp shade")
  are read whole;
- the text encoder (search.word_vectors), for the words WordNet relates to no kind: a word the
  catalogue does not use at all, or uses rarely and never for what a product is ("trainers"
  said by a few listings of socks), is matched to the catalogue's kind word nearest in meaning
  ("shoes"), when nearer than words unrelated to its kinds almost ever come.
Only the word that says what the shopper asks for is related to other kinds: a word that
describes it ("stylish", "ankle" of "ankle socks") is related only to a kind that names the
same thing, and otherwise left to the vectors.
"""

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from itertools import islice

from search.joined_words import is_phrase, read_as_one, regional_phrase
from search.ml.asked_kind import asked_kind
from search.ml.lexicon import colour_families, find_colours, regional_groups
from search.ml.vocabulary import NARROWS_KIND_SHARE, Vocabulary
from search.ml.words import AUDIENCES, PLACEHOLDER_WORDS, stem, words
from search.related_kinds import related_kinds
from search.typos import MIN_CORRECTED_LENGTH, correct, split_run_together, swapped

NearestTerms = Callable[[Sequence[str]], list[list[str]]]


@dataclass(frozen=True)
class QueryWords:
    """A query as search reads it."""

    text: str  # the shopper's words, spaces tidied
    corrections: dict[str, str] = field(default_factory=dict)  # typed word -> catalogue word
    added: tuple[str, ...] = ()  # related catalogue terms
    # Per searchable word, the words full-text search accepts for it (any one will do).
    keyword_groups: tuple[tuple[str, ...], ...] = ()
    # The catalogue's kind words for what is asked for, as reading the words found them: the
    # typed word and the general lexicon's words for the same thing ("pants": pants, trousers),
    # its correction, or the one word two typed words were read as ("t shirt": tshirt, whose
    # last word alone is another kind). The first is the query's kind.
    kinds: tuple[str, ...] = ()

    @property
    def corrected(self) -> str:
        """The query as typed, its typos corrected ("" when it had none): "Showing results for"."""
        corrected = self.text
        for typed, correction in self.corrections.items():
            corrected = re.sub(rf"\b{re.escape(typed)}\b", correction, corrected, flags=re.I)
        return corrected if self.corrections else ""

    @property
    def for_encoder(self) -> str:
        """The shopper's words, then their corrections and the added terms."""
        extra = [word for word in (*self.corrections.values(), *self.added) if word]
        return " ".join(dict.fromkeys([self.text, *extra])).strip()

    @property
    def tsquery(self) -> str:
        """PostgreSQL to_tsquery text: every word group must match, by any of its words."""
        return " & ".join(
            "(" + " | ".join(" & ".join(words(alt)) for alt in group) + ")"
            for group in self.keyword_groups
            if group
        )


def most_matches(query: QueryWords, vocabulary: Vocabulary) -> int:
    """At most how many of the catalogue's listings the query's full-text search can match,
    from how many listings use each word (the vocabulary's counts): a group no more than its
    alternatives together, an alternative of several words no more than its rarest word, the
    query no more than its rarest group. A shopper's words go together ("navy blue", "sports
    shoes"), so the true count is often near the bound: taken as independent, "men navy blue
    sports shoes" was expected to match 12 of a million listings, and matched 3,547. No group
    (no word to search) matches none."""
    return min(
        (
            sum(
                min((vocabulary.frequency.get(stem(word), 0) for word in words(alt)), default=0)
                for alt in group
            )
            for group in query.keyword_groups
        ),
        default=0,
    )


def understand(
    text: str,
    vocabulary: Vocabulary,
    nearest: NearestTerms | None = None,
    exact: bool = False,
    is_word: Callable[[str], bool] | None = None,
) -> QueryWords:
    """The query's words against the catalogue's (see the module's doc). `nearest` finds the
    catalogue's kind words for words it does not use; `is_word` says whether a word
    the catalogue does not use is a real word (then its meaning is sought, not a spelling);
    `exact`: the words as typed, nothing corrected or added."""
    text = " ".join(text.split())
    tokens = words(text)
    if exact:
        return QueryWords(text=text, keyword_groups=tuple((token,) for token in tokens))
    groups: list[tuple[str, ...]] = []
    corrections: dict[str, str] = {}
    added: list[str] = []
    # (group, words, whether they say what the query asks for): the catalogue's kind words
    # related to these are sought for the group
    sought: list[tuple[int, tuple[str, ...], bool]] = []
    # WordNet's relations of a word, looked up once though a word may be asked for twice.
    relate = cache(lambda looked_up, asked: related_kinds(looked_up, vocabulary, asked))
    # A word's typo correction, sought once though a pair and the word alone may ask for it.
    spell = cache(lambda typed: correct(typed, vocabulary))
    regional = regional_groups()
    colour_at = {start: (end, phrase) for start, end, phrase in find_colours(tokens)}
    # What the query asks for, as the words meant say: its typos read as their corrections
    # ("sports sohes" asks for shoes). Either it or the word as typed ("dpatta") holds the
    # kind that a typed word read as other words names.
    meant = _misspelt_read(text, tokens, vocabulary, spell, is_word)
    head = asked_kind(vocabulary, meant)
    heads = {head, asked_kind(vocabulary, text) if meant != text else head}
    asked_kinds: list[str] = []
    skip = 0
    for i, token in enumerate(tokens):
        if skip:
            skip -= 1
            continue
        if i in colour_at:
            # A colour is one word, however many it takes ("royal blue", "jet black"): found
            # by its own words or by its family's.
            end, phrase = colour_at[i]
            skip = end - i - 1
            groups.append(_colour_group(phrase, vocabulary))
            continue
        if token in AUDIENCES:
            groups.append(_audience_group(token, vocabulary))
            continue
        pair = f"{token} {tokens[i + 1]}" if i + 1 < len(tokens) else ""
        joined = None
        if pair and not regional_phrase(pair, regional, vocabulary) and i + 1 not in colour_at:
            joined = read_as_one(pair, vocabulary, spell)
        if joined is not None:
            # Two words that the catalogue writes as one ("sun glasses": "sunglasses"); the
            # general lexicon's own phrases ("t shirt") are read by it, with their variants.
            skip = 1
            asked_kinds = asked_kinds or _kinds_in((joined.word,), pair, heads, vocabulary)
            if joined.apart:  # found written apart or as one
                corrections.update(joined.corrections)
                groups.append((joined.apart, joined.word))
                added.append(joined.word)
            else:  # one is not its word ("sun" of a shop that only sells "sunglasses")
                corrections[pair] = joined.word
                groups.append((joined.word,))
            continue
        # A two-word phrase of the general lexicon ("cell phone") or of English ("lamp
        # shade", "tote bag") is one word here, unless the catalogue knows both its words.
        if is_phrase(pair, regional, vocabulary):
            token, skip = pair, 1
        alternatives = _known(regional.get(token, ()), vocabulary)
        # A word beside the kind the query names only describes it ("stylish", "ankle" of
        # "ankle socks"): it is related to a kind only where it names the same thing.
        asked_for = head in map(stem, token.split()) or not vocabulary.kinds.get(head)
        grouped = len(groups)
        if vocabulary.knows(token):
            # Read with its British or American other spelling, which may be the one the
            # catalogue uses ("colour" of a shop that writes "Lip color").
            spellings = (token, *alternatives)
            if not all(_describes_only(word, head, vocabulary, is_word) for word in spellings):
                groups.append(spellings)
                if _names_no_kind(token, head, vocabulary):
                    sought.append((len(groups) - 1, spellings, True))
                elif all(_rare_non_kind(word, vocabulary) for word in spellings):
                    # Not what the query asks for by the catalogue's statistics, but it may
                    # be to English ("stylish girls frock"): related, never guessed.
                    sought.append((len(groups) - 1, spellings, False))
        elif alternatives:
            groups.append(tuple(alternatives))
            added.extend(alternatives)
        elif is_word is not None and is_word(token):
            # The word that says what is asked for may be a typo of a kind the catalogue
            # sells, though a real word ("bets": "belts"), where English relates it to none;
            # a describing word is not corrected to some other word ("cute" is not "cut",
            # the "paint" of "nail paint" is not "pants"), nor a real word of the fewest
            # letters corrected, whose neighbours are too many ("jug" is not "mug"), unless
            # two of its letters were swapped (_swapped_describing: "causal" shoes).
            if (
                asked_for
                and len(token) > MIN_CORRECTED_LENGTH
                and not relate((token,), asked_for)
                and (correction := spell(token))
                and vocabulary.kinds.get(stem(correction))
            ):
                corrections[token] = correction
                groups.append((correction,))
            elif (correction := spell(token)) and _swapped_describing(
                token, correction, head, vocabulary
            ):
                corrections[token] = correction
                is_colour = correction in colour_families()
                groups.append(_colour_group(correction, vocabulary) if is_colour else (correction,))
            else:
                sought.append((len(groups), (token,), asked_for))
                groups.append(())
        elif (correction := spell(token)) is not None:
            corrections[token] = correction
            groups.append((correction,))
        elif relate((token,), asked_for):
            # An English word the encoder's vocabulary lacks: not two words run together.
            sought.append((len(groups), (token,), asked_for))
            groups.append(())
        elif (parts := split_run_together(token, vocabulary)) is not None:
            groups.append((parts,))
            added.append(parts)
        elif token not in PLACEHOLDER_WORDS:
            sought.append((len(groups), (token,), asked_for))
            groups.append(())
        if len(groups) > grouped and groups[-1] != (token,):  # read as other words too
            asked_kinds = asked_kinds or _kinds_in(groups[-1], token, heads, vocabulary)
    # General English first; the encoder's nearest kind words for what it does not relate.
    related = [relate(looked_up, asked) for _, looked_up, asked in sought]
    unrelated = [
        word
        for (_, looked_up, asked), kinds in zip(sought, related, strict=True)
        if asked and not kinds
        for word in looked_up
    ]
    found = iter(nearest(unrelated)) if unrelated and nearest is not None else iter(())
    for (index, looked_up, asked), kinds in zip(sought, related, strict=True):
        terms = kinds
        if asked and not kinds:
            terms = [term for near in islice(found, len(looked_up)) for term in near]
        groups[index] = tuple(dict.fromkeys((*groups[index], *terms)))
        added.extend(terms)
    understood = QueryWords(
        text=text,
        corrections=corrections,
        added=tuple(dict.fromkeys(word for word in added if word)),
        keyword_groups=tuple(group for group in groups if group),
        kinds=tuple(dict.fromkeys(asked_kinds)),
    )
    if understood.kinds:
        return understood
    return _with_named_kinds(understood, head, vocabulary)


def _misspelt_read(
    text: str,
    tokens: Sequence[str],
    vocabulary: Vocabulary,
    spell: Callable[[str], str | None],
    is_word: Callable[[str], bool] | None,
) -> str:
    """The query (`text`, whose words are `tokens`) with each word that is no word at all, and
    unknown to the catalogue, read as its correction: what it asks for is found among the
    words meant ("sports sohes brown" asks for shoes, not sports; "liptick purplee" for
    lipstick)."""
    for token in tokens:
        if vocabulary.knows(token) or (is_word is not None and is_word(token)):
            continue
        if correction := spell(token):
            text = re.sub(rf"\b{re.escape(token)}\b", correction, text, flags=re.I)
    return text


def _with_named_kinds(query: QueryWords, head: str, vocabulary: Vocabulary) -> QueryWords:
    """The query with the kinds its own words ask for (_named_kinds); a kind that the word
    asking for it usually names, though the catalogue seldom calls products by that word, is
    added to it, to be searched beside it ("tee" finds the catalogue's T-shirts by their
    "T-shirt" as well as the few "Tee" titles)."""
    kinds = _named_kinds(query, head, vocabulary)
    searched = {stem(word) for group in query.keyword_groups for word in group}
    usual = [kind for kind in kinds if stem(kind) not in searched]
    if not usual:
        return replace(query, kinds=kinds)
    groups = tuple(
        (*group, *usual) if head in map(stem, group) else group for group in query.keyword_groups
    )
    return replace(
        query,
        kinds=kinds,
        keyword_groups=groups,
        added=tuple(dict.fromkeys((*query.added, *usual))),
    )


def _named_kinds(query: QueryWords, head: str, vocabulary: Vocabulary) -> tuple[str, ...]:
    """The kind a query's own words ask for, where reading them related it to no other
    words: a kind the shop calls products by (Vocabulary.names_kind: "concealer" of "skin
    concealer", though "skin" tells the catalogue's categories apart as well); or a word the
    shop seldom calls a product by, though mostly products of one kind use it
    (Vocabulary.usual_kind), with that kind ("tee": the catalogue's T-shirts, whose titles say
    "Tee Black T-shirt"). None where the words as understood, read as English or as a title
    is, both ask for another kind: "sports" of "sports sockss" asks for socks, "chinos" of a
    shop that sells none for the trousers its words were read as, "metallic shades" for
    sunglasses; "pool slides" still asks for slides, though "pool" was read as "ponds"."""
    understood = " ".join([query.corrected or query.text, *query.added])
    if head not in (asked_kind(vocabulary, understood), vocabulary.attributes(understood).head):
        return ()
    usual = vocabulary.usual_kind(head)
    if not usual and not vocabulary.names_kind(head):
        return ()
    return tuple(vocabulary.spellings.get(word, word) for word in (head, usual) if word)


def _kinds_in(
    read_as: Sequence[str], typed: str, heads: Collection[str], vocabulary: Vocabulary
) -> list[str]:
    """Those of the words that typed words were read as (as typed, a correction, a word of the
    same meaning) that are kinds the catalogue sells, where the typed words hold the kind the
    query's words were taken to ask for (one of `heads`); else none. A relation found in
    general English or by the encoder (a broader kind, a neighbour) is not the same kind."""
    if not set(heads) & set(map(stem, words(typed))):
        return []
    return [word for word in read_as if vocabulary.kinds.get(stem(word))]


def _names_no_kind(token: str, head: str, vocabulary: Vocabulary) -> bool:
    """Whether the word that says what the shopper wants is one the catalogue uses, but rarely
    and never for what a product is ("trainers" in a shop that lists them as "sports shoes"):
    the catalogue's kind words nearest to it are sought too, as for a word it does not use."""
    return stem(token) == head and not vocabulary.kinds.get(head) and not vocabulary.shared(token)


def _rare_non_kind(token: str, vocabulary: Vocabulary) -> bool:
    """Whether a word is one few of the catalogue's products use, and none is named by: it
    may still name a kind to English ("denims" in a shop where "Denim" is a brand and a
    fabric, and its jeans are "jeans"), whose word for the same thing is sought too."""
    return not vocabulary.names_kind(stem(token)) and not vocabulary.shared(token)


def _describes_only(
    token: str, head: str, vocabulary: Vocabulary, is_word: Callable[[str], bool] | None
) -> bool:
    """Whether a word only describes what the shopper wants ("classic", "cute", "cheap"): a
    general word that few of the catalogue's products happen to use, and not what the query
    asks for. Full-text search would find just those few products, so the word is left to the
    vectors. The catalogue's kinds, its common words, names or codes ("kallax", "xm4") and a
    rare word that mostly products of the kind asked for use, which narrows it ("gloss" of
    "lip gloss"), stay required."""
    return (
        is_word is not None
        and stem(token) != head
        and not vocabulary.shared(token)
        and is_word(token)
        and vocabulary.kind_share(token, head) <= NARROWS_KIND_SHARE
    )


def _swapped_describing(typed: str, correction: str, head: str, vocabulary: Vocabulary) -> bool:
    """Whether a real word the catalogue does not use is a describing word of its own with two
    neighbouring letters swapped, the commonest slip of typing and one that seldom makes
    another word by chance: a colour ("sliver": silver) or a word that narrows the kind asked
    for ("causal" shoes: casual)."""
    return swapped(typed, correction) and (
        correction in colour_families()
        or vocabulary.kind_share(correction, head) > NARROWS_KIND_SHARE
    )


def _colour_group(phrase: str, vocabulary: Vocabulary) -> tuple[str, ...]:
    """What full-text search accepts for a colour: the phrase as typed, and its family's name
    where the catalogue uses it ("royal blue" or "blue"). A phrase with words the catalogue
    never uses, and no family word it uses, asks nothing of the keywords."""
    family = colour_families()[phrase]
    return tuple(
        dict.fromkeys(
            alternative
            for alternative in (phrase, family)
            if all(vocabulary.knows(word) for word in alternative.split())
        )
    )


def _audience_group(token: str, vocabulary: Vocabulary) -> tuple[str, ...]:
    """A word for whom a product is for, as the catalogue says it: "him" finds "men"."""
    return tuple(
        dict.fromkeys(word for word in (token, AUDIENCES[token]) if vocabulary.knows(word))
    )


def _known(candidates, vocabulary: Vocabulary) -> list[str]:
    return sorted(
        candidate
        for candidate in candidates
        if all(vocabulary.knows(part) for part in candidate.split())
    )
