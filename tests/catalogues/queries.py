"""Held-out text queries for a fashion kit, generated from its truth.csv alone.

Written before the search is tuned and without looking at the dev queries, so that a score on
them says how the search does on words nobody tuned it for. Every query has at least
MIN_FULL_MATCHES products with gain 2, and its labels are truth.csv's exact values.
"""

import math
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.catalogues.kit import QUERY_COLUMNS, read_rows, write_rows

HELDOUT_SEED = 20240611
MIN_FULL_MATCHES = 3

KIND_COUNTS = {"shopper": 80, "colour-words": 40, "typo": 60, "plain": 60}

GENDERS = ("Men", "Women", "Boys", "Girls")
PLAIN_GENDER = {"Men": "men", "Women": "women", "Boys": "boys", "Girls": "girls"}

# How shoppers say who it is for: before the noun, or after it.
GENDER_BEFORE = {
    "Men": ("men's", "mens", "guys"),
    "Women": ("women's", "ladies", "womens"),
    "Boys": ("boys", "boys'"),
    "Girls": ("girls", "girls'"),
}
GENDER_AFTER = {
    "Men": ("for men", "for him", "for guys"),
    "Women": ("for women", "for her", "for ladies"),
    "Boys": ("for boys", "for a boy"),
    "Girls": ("for girls", "for a girl"),
}
SHOPPER_ADJECTIVES = (
    "comfy",
    "cheap",
    "nice",
    "stylish",
    "classic",
    "everyday",
    "affordable",
    "good quality",
    "simple",
    "cute",
)

# Shoppers' words for an article type: UK and US words side by side, none of them the type's
# own name where a shopper would say something else.
SHOPPER_NOUNS: dict[str, tuple[str, ...]] = {
    "Tshirts": ("tee", "t shirt", "graphic tee", "crew neck tee"),
    "Shirts": ("button down shirt", "office shirt", "button-up shirt", "smart shirt"),
    "Casual Shoes": ("trainers", "sneakers", "everyday trainers", "kicks"),
    "Sports Shoes": ("running trainers", "gym shoes", "running sneakers", "runners"),
    "Formal Shoes": ("dress shoes", "office shoes", "smart shoes", "oxfords"),
    "Watches": ("wristwatch", "wrist watch", "timepiece"),
    "Kurtas": ("kurta", "ethnic kurta", "festive kurta"),
    "Tops": ("blouse", "going-out top", "casual top"),
    "Handbags": ("handbag", "purse", "shoulder bag", "tote bag"),
    "Heels": ("going-out heels", "high heels", "stilettos", "party heels"),
    "Sunglasses": ("shades", "sunnies", "sun glasses"),
    "Sandals": ("summer sandals", "strappy sandals"),
    "Belts": ("leather belt", "waist belt"),
    "Flip Flops": ("flip flops", "flipflops", "beach flip-flops"),
    "Briefs": ("underwear", "undies"),
    "Wallets": ("billfold", "card wallet", "wallet"),
    "Backpacks": ("rucksack", "school bag", "daypack"),
    "Socks": ("ankle socks", "sports socks"),
    "Jeans": ("denims", "skinny jeans", "denim jeans"),
    "Trousers": ("trousers", "pants", "chinos", "work pants"),
    "Perfume and Body Mist": ("perfume", "scent", "body mist"),
    "Flats": ("ballet flats", "ballerinas", "flat shoes"),
    "Bra": ("everyday bra", "bra"),
    "Shorts": ("summer shorts", "bermudas"),
    "Dresses": ("frock", "summer dress", "going-out dress"),
    "Sarees": ("sari", "saree"),
    "Earrings": ("studs", "danglers", "earrings"),
    "Deodorant": ("deo", "body spray", "antiperspirant"),
    "Track Pants": ("joggers", "trackies", "sweatpants", "jogging bottoms"),
    "Caps": ("baseball cap", "ball cap"),
    "Clutches": ("clutch bag", "evening bag", "clutch purse"),
    "Sweatshirts": ("sweatshirt", "sweat top", "crewneck sweatshirt"),
    "Sweaters": ("jumper", "sweater", "knit jumper", "knitted sweater"),
    "Jackets": ("winter jacket", "coat", "jacket"),
    "Kurtis": ("kurti", "short kurti"),
    "Nail Polish": ("nail varnish", "nail paint"),
    "Tunics": ("tunic top", "tunic"),
    "Ties": ("necktie", "work tie"),
    "Innerwear Vests": ("undershirt", "sleeveless vest"),
    "Lipstick": ("lippy", "lip colour"),
    "Nightdress": ("nightie", "nightgown"),
    "Capris": ("cropped trousers", "capri pants", "three-quarter pants"),
    "Trunk": ("trunks", "boxer briefs"),
    "Night suits": ("pyjamas", "pajamas", "pj set"),
    "Skirts": ("skirt", "midi skirt"),
    "Scarves": ("scarf", "neck scarf"),
    "Pendant": ("pendant necklace", "pendant"),
    "Necklace and Chains": ("necklace", "chain necklace"),
}

# Colour words that are another spelling or a near shade of a truth colour, by that colour.
COLOUR_VARIANTS: dict[str, tuple[str, ...]] = {
    "Grey": ("gray", "light gray"),
    "Navy Blue": ("navy", "dark navy"),
    "Maroon": ("burgundy", "wine red", "oxblood"),
    "Off White": ("ivory", "ecru"),
    "Multi": ("multicolor", "multicoloured", "multi-colour"),
    "Charcoal": ("charcoal gray", "dark grey"),
    "Grey Melange": ("heather gray", "marl grey"),
    "Olive": ("olive green", "army green"),
    "Beige": ("stone", "sand", "oatmeal"),
    "Magenta": ("fuchsia", "hot pink"),
    "Lavender": ("lilac",),
    "Turquoise Blue": ("aqua", "turquoise"),
    "Purple": ("violet", "plum"),
    "Gold": ("golden", "gold-tone"),
    "Silver": ("silver-tone",),
    "Steel": ("stainless steel",),
    "Brown": ("chocolate brown", "chocolate"),
    "Red": ("scarlet", "cherry red"),
    "Black": ("jet black",),
    "White": ("bright white", "snow white"),
    "Blue": ("cobalt", "royal blue"),
    "Green": ("emerald", "forest green"),
    "Pink": ("blush pink", "rose pink"),
    "Yellow": ("lemon yellow", "canary yellow"),
    "Peach": ("apricot",),
    "Orange": ("tangerine",),
    "Khaki": ("khaki green",),
}

# Types whose colour label describes the bottle, not the product: shoppers name no colour.
COLOURLESS_TYPES = frozenset({"Perfume and Body Mist", "Deodorant", "Fragrance Gift Set"})

# QWERTY neighbours, for typos that a thumb or finger really makes.
_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEIGHBOURS: dict[str, str] = {}
for _row_index, _row in enumerate(_KEYBOARD_ROWS):
    for _col, _key in enumerate(_row):
        _near = [_row[i] for i in (_col - 1, _col + 1) if 0 <= i < len(_row)]
        for _other in (_row_index - 1, _row_index + 1):
            if 0 <= _other < len(_KEYBOARD_ROWS):
                _near += [
                    _KEYBOARD_ROWS[_other][i]
                    for i in (_col - 1, _col, _col + 1)
                    if 0 <= i < len(_KEYBOARD_ROWS[_other])
                ]
        _NEIGHBOURS[_key] = "".join(sorted(set(_near)))


@dataclass(frozen=True)
class Query:
    """One held-out query and the labels a relevant product must have."""

    query: str
    kind: str
    article_type: str
    colour: str = ""
    gender: str = ""

    def row(self) -> dict[str, str]:
        """The query as a row of the kit's queries CSV."""
        return {
            "query": self.query,
            "kind": self.kind,
            "article_type": self.article_type,
            "colour": self.colour,
            "gender": self.gender,
        }


class Answers:
    """How many products answer an (article type, colour, gender) query in full (gain 2).

    Counts by type, colour and gender once, so checking thousands of candidate queries is fast.
    """

    def __init__(self, truth: Sequence[dict[str, str]]) -> None:
        self._counts: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
        for row in truth:
            self._counts[row["article_type"]][(row["colour"], row["gender"])] += 1

    @property
    def article_types(self) -> list[str]:
        """The article types present, sorted so generators are deterministic."""
        return sorted(self._counts)

    def size(self, article_type: str) -> int:
        """Products of one article type."""
        return sum(self._counts[article_type].values())

    def colours(self, article_type: str) -> list[str]:
        """The colours one article type comes in, sorted."""
        return sorted({colour for colour, _ in self._counts[article_type]})

    def full_matches(self, article_type: str, colour: str, gender: str) -> int:
        """Products with gain 2 for the query, by the kit's rule (Unisex matches any gender)."""
        return sum(
            count
            for (row_colour, row_gender), count in self._counts[article_type].items()
            if (not colour or row_colour == colour)
            and (gender in ("", "Unisex") or row_gender in (gender, "Unisex"))
        )

    def answered(self, article_type: str, colour: str, gender: str) -> bool:
        """Whether the query has enough full answers to be worth asking."""
        return self.full_matches(article_type, colour, gender) >= MIN_FULL_MATCHES


def write_heldout_queries(truth_csv: Path, out_csv: Path, seed: int = HELDOUT_SEED) -> Path:
    """Generate the held-out queries for a kit's truth.csv and write them to out_csv."""
    queries = heldout_queries(read_rows(truth_csv), seed)
    write_rows(out_csv, QUERY_COLUMNS, (query.row() for query in queries))
    return out_csv


def heldout_queries(truth: Sequence[dict[str, str]], seed: int = HELDOUT_SEED) -> list[Query]:
    """All four kinds of held-out query, deduplicated by their text."""
    answers = Answers(truth)
    taken: set[str] = set()
    plain = _generate(answers, seed, "plain", taken, _plain_query)
    plain_texts = {query.query for query in plain}
    shopper = _generate(answers, seed, "shopper", taken, _shopper_query)
    colour_words = _generate(answers, seed, "colour-words", taken, _colour_word_query)

    def typo(rng: random.Random, answers: Answers, article_type: str) -> Query | None:
        return _typo_query(rng, answers, article_type, plain_texts)

    typos = _generate(answers, seed, "typo", taken, typo)
    return shopper + colour_words + typos + plain


def _generate(
    answers: Answers,
    seed: int,
    kind: str,
    taken: set[str],
    make: Callable[[random.Random, Answers, str], Query | None],
) -> list[Query]:
    """Draw article types (common ones more often, every one some) until the kind is full."""
    rng = random.Random(f"{seed}:{kind}")
    wanted = KIND_COUNTS[kind]
    types = [t for t in answers.article_types if answers.answered(t, "", "")]
    if kind == "shopper":
        types = [t for t in types if t in SHOPPER_NOUNS]
    weights = [math.sqrt(answers.size(t)) for t in types]
    per_type: Counter[str] = Counter()
    cap = max(3, wanted // 12)
    queries: list[Query] = []
    for _ in range(wanted * 200):
        if len(queries) == wanted:
            break
        article_type = rng.choices(types, weights)[0]
        if per_type[article_type] >= cap:
            continue
        query = make(rng, answers, article_type)
        if query is None or query.query in taken:
            continue
        assert answers.answered(query.article_type, query.colour, query.gender), query
        taken.add(query.query)
        per_type[article_type] += 1
        queries.append(query)
    return queries


def _pick_labels(
    rng: random.Random,
    answers: Answers,
    article_type: str,
    *,
    colour_chance: float,
    gender_chance: float,
    colours: Sequence[str] | None = None,
) -> tuple[str, str] | None:
    """A colour and a gender (either may be empty) that the article type answers in full."""
    colour = ""
    palette = list(colours) if colours is not None else answers.colours(article_type)
    if colours is not None or rng.random() < colour_chance:
        if not palette:
            return None
        colour = rng.choice(palette)
    gender = ""
    if rng.random() < gender_chance:
        options = [g for g in GENDERS if answers.answered(article_type, colour, g)]
        if options:
            gender = rng.choice(options)
    if not answers.answered(article_type, colour, gender):
        return None
    return colour, gender


def _type_words(article_type: str) -> str:
    """The article type in the catalogue's own words, lower case."""
    return article_type.lower()


def _plain_query(rng: random.Random, answers: Answers, article_type: str) -> Query | None:
    """ "<gender> <colour> <article type>", e.g. "women red handbags"."""
    labels = _pick_labels(rng, answers, article_type, colour_chance=1.0, gender_chance=0.85)
    if labels is None:
        return None
    colour, gender = labels
    words = [PLAIN_GENDER[gender]] if gender else []
    words += [colour.lower(), _type_words(article_type)]
    return Query(" ".join(words), "plain", article_type, colour, gender)


def _shopper_query(rng: random.Random, answers: Answers, article_type: str) -> Query | None:
    """A shopper's own words: "comfy joggers for men", "ladies going-out heels"."""
    colour_chance = 0.0 if article_type in COLOURLESS_TYPES else 0.45
    labels = _pick_labels(
        rng, answers, article_type, colour_chance=colour_chance, gender_chance=0.65
    )
    if labels is None:
        return None
    colour, gender = labels
    noun = rng.choice(SHOPPER_NOUNS[article_type])
    before: list[str] = []
    after: list[str] = []
    if rng.random() < 0.35:
        before.append(rng.choice(SHOPPER_ADJECTIVES))
    if gender:
        if rng.random() < 0.5:
            before.append(rng.choice(GENDER_BEFORE[gender]))
        else:
            after.append(rng.choice(GENDER_AFTER[gender]))
    if colour:
        before.append(colour.lower())
    text = " ".join([*before, noun, *after])
    return Query(text, "shopper", article_type, colour, gender)


def _colour_word_query(rng: random.Random, answers: Answers, article_type: str) -> Query | None:
    """A query whose colour word is a variant or near shade: "navy shirt", "gray hoodie"."""
    if article_type in COLOURLESS_TYPES:
        return None
    colours = [c for c in answers.colours(article_type) if c in COLOUR_VARIANTS]
    labels = _pick_labels(
        rng, answers, article_type, colour_chance=1.0, gender_chance=0.5, colours=colours
    )
    if labels is None:
        return None
    colour, gender = labels
    variant = rng.choice(COLOUR_VARIANTS[colour])
    nouns = SHOPPER_NOUNS.get(article_type, ())
    noun = rng.choice(nouns) if nouns and rng.random() < 0.5 else _type_words(article_type)
    style = rng.randrange(3)
    if style == 0:
        words = [PLAIN_GENDER[gender]] if gender else []
        text = " ".join([*words, variant, noun])
    elif style == 1:
        text = f"{noun} in {variant}" + (f" {GENDER_AFTER[gender][0]}" if gender else "")
    else:
        text = f"{variant} {noun}" + (f" {GENDER_AFTER[gender][0]}" if gender else "")
    return Query(text, "colour-words", article_type, colour, gender)


def _typo_query(
    rng: random.Random, answers: Answers, article_type: str, plain_texts: set[str]
) -> Query | None:
    """A plain-ish query with one or two slips of the keyboard: "womens hanbag red"."""
    labels = _pick_labels(rng, answers, article_type, colour_chance=0.8, gender_chance=0.75)
    if labels is None:
        return None
    colour, gender = labels
    nouns = SHOPPER_NOUNS.get(article_type, ())
    noun = rng.choice(nouns) if nouns and rng.random() < 0.3 else _type_words(article_type)
    who = PLAIN_GENDER[gender] if gender else ""
    hue = colour.lower()
    style = rng.randrange(4)
    if style == 0:
        parts = [who, hue, noun]
    elif style == 1:
        parts = [f"{who}s" if who and not who.endswith("s") else who, noun, hue]
    elif style == 2:
        parts = [hue, noun, f"for {who}" if who else ""]
    else:
        parts = [noun, hue, who]
    clean = " ".join(part for part in parts if part)
    text = misspell(clean, rng, edits=1 if rng.random() < 0.6 else 2)
    if text is None or text == clean or text in plain_texts:
        return None
    return Query(text, "typo", article_type, colour, gender)


def misspell(text: str, rng: random.Random, edits: int = 1) -> str | None:
    """Apply one or two typos (drop, swap, double or replace a letter) to words of 4+ letters.

    Returns None when no word is long enough to misspell.
    """
    words = text.split(" ")
    candidates = [i for i, word in enumerate(words) if len(word) >= 4 and word.isalpha()]
    if not candidates:
        return None
    chosen = rng.sample(candidates, min(edits, len(candidates)))
    while len(chosen) < edits:
        chosen.append(rng.choice(candidates))
    for index in chosen:
        words[index] = _misspell_word(words[index], rng)
    return " ".join(words)


def _misspell_word(word: str, rng: random.Random) -> str:
    """One edit that always changes the word; the first letter stays, as in most typos."""
    for _ in range(20):
        position = rng.randrange(1, len(word))
        edit = rng.choice(("drop", "swap", "double", "replace"))
        if edit == "drop":
            changed = word[:position] + word[position + 1 :]
        elif edit == "swap" and position < len(word) - 1:
            changed = word[:position] + word[position + 1] + word[position] + word[position + 2 :]
        elif edit == "double":
            changed = word[:position] + word[position] + word[position:]
        elif edit == "replace" and word[position] in _NEIGHBOURS:
            letter = rng.choice(_NEIGHBOURS[word[position]])
            changed = word[:position] + letter + word[position + 1 :]
        else:
            continue
        if changed != word:
            return changed
    return word[:-1]
