"""Shoppers' words for products, rewritten into the words catalogues use.

A shopper types "men charcoal sneakers" or "grey school rucksack"; products say "Casual Shoes"
and "Backpack". Neither full-text search nor a small sentence encoder bridges every such gap,
so a query is rewritten before it is encoded and matched. The list is general English fashion
retail vocabulary (British, American and Indian usage), the kind of synonym table every
storefront search keeps; it names no brand and nothing learned from a particular catalogue.
"""

import re
from functools import cache

# Shopper's phrase -> the catalogue's usual term. A phrase also matches with a trailing "s" or
# "es", and with hyphens or spaces between its words ("high-heeled", "high heeled").
SHOPPER_TERMS = {
    # Footwear
    "sneaker": "casual shoes",
    "kicks": "casual shoes",
    "loafer": "casual shoes",
    "moccasin": "casual shoes",
    "boat shoe": "casual shoes",
    "trainer": "sports shoes",
    "running shoe": "sports shoes",
    "athletic shoe": "sports shoes",
    "gym shoe": "sports shoes",
    "oxford": "formal shoes",
    "brogue": "formal shoes",
    "derby shoe": "formal shoes",
    "dress shoe": "formal shoes",
    "office shoe": "formal shoes",
    "stiletto": "heels",
    "high heeled pump": "heels",
    "high heeled shoe": "heels",
    "high heel": "heels",
    "kitten heel": "heels",
    "wedge": "heels",
    "ballerina": "flats",
    "ballet pump": "flats",
    "ballet flat": "flats",
    "flat shoe": "flats",
    "thong slipper": "flip flops",
    "thong sandal": "flip flops",
    "pool slide": "flip flops",
    "slider": "flip flops",
    "flipflop": "flip flops",
    # Bags and small leather goods
    "party purse": "clutch",
    "evening bag": "clutch",
    "money purse": "wallet",
    "coin purse": "wallet",
    "billfold": "wallet",
    "card holder": "wallet",
    "purse": "handbag",
    "tote": "handbag",
    "shoulder bag": "handbag",
    "rucksack": "backpack",
    "knapsack": "backpack",
    "school bag": "backpack",
    "daypack": "backpack",
    # Topwear
    "tee": "t-shirt",
    "tee shirt": "t-shirt",
    "button down": "shirt",
    "button up": "shirt",
    "collared button up": "shirt",
    "dress shirt": "shirt",
    "hoodie": "sweatshirt",
    "hoody": "sweatshirt",
    "hooded top": "sweatshirt",
    "jumper": "sweater",
    "pullover": "sweater",
    "knitwear jumper": "sweater",
    "knitwear": "sweater",
    "windcheater": "jacket",
    "windbreaker": "jacket",
    "anorak": "jacket",
    "parka": "jacket",
    "bomber": "jacket",
    "frock": "dress",
    "gown": "dress",
    "sundress": "dress",
    # Bottomwear and innerwear
    "denims": "jeans",
    "denim pant": "jeans",
    "denim trouser": "jeans",
    "jogger": "track pants",
    "sweatpant": "track pants",
    "jogging bottom": "track pants",
    "trackpant": "track pants",
    "half pant": "shorts",
    "bermuda": "shorts",
    "tights": "leggings",
    "underpant": "briefs",
    "underwear": "briefs",
    "undies": "briefs",
    "knicker": "briefs",
    "hosiery": "socks",
    # Accessories
    "baseball hat": "cap",
    "baseball cap": "cap",
    "hat": "cap",
    "sun shade": "sunglasses",
    "shades": "sunglasses",
    "sunnies": "sunglasses",
    "sunglass": "sunglasses",
    "timepiece": "watch",
    "wristwatch": "watch",
    "wrist watch": "watch",
    "necktie": "tie",
    "neck tie": "tie",
    "muffler": "scarf",
    "waist strap": "belt",
    "waist belt": "belt",
}


def catalogue_words(query: str) -> str:
    """The query with each shopper's phrase replaced by the catalogue's term (unchanged when
    it has none): "women black stilettos" -> "women black heels"."""
    return _pattern().sub(lambda match: SHOPPER_TERMS[_key(match.group(0))], query)


@cache
def _pattern() -> re.Pattern[str]:
    # Longest phrases first, so that "party purse" wins over "purse".
    phrases = sorted(SHOPPER_TERMS, key=len, reverse=True)
    alternatives = "|".join(r"[\s-]*".join(map(re.escape, p.split())) for p in phrases)
    return re.compile(rf"\b(?:{alternatives})(?:e?s)?\b", re.IGNORECASE)


def _key(matched: str) -> str:
    """The table entry a matched span stands for ("High-Heeled Pumps" -> "high heeled pump")."""
    spaced = " ".join(re.split(r"[\s-]+", matched.lower()))
    for candidate in (spaced, spaced.removesuffix("s"), spaced.removesuffix("es")):
        if candidate in SHOPPER_TERMS:
            return candidate
    raise LookupError(matched)  # the pattern only matches table entries
