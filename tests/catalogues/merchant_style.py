"""The shared evaluation listings re-written as another merchant would write them.

Same skus, photos and truth, but noun-first titles in US retail words, colours spelt otherwise,
gender only in a differently shaped category path, short descriptions on about half, and sparse
listings with the varied junk titles real uploads carry. A search tuned on the shared wording
that still does well here has learnt products, not one merchant's phrasing.
"""

import random
import re
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path

from tests.catalogues.kit import (
    CATALOG_COLUMNS,
    CATALOG_FILE,
    DATASET_DIR,
    EVAL_DIR,
    QUERIES_FILE,
    SPARSE_TRUE,
    TRUTH_FILE,
    read_rows,
    write_rows,
)
from tests.catalogues.queries import HELDOUT_SEED, write_heldout_queries

# Words that say who a product is for. The rewritten titles and descriptions carry none of them.
_GENDER_WORDS = (
    r"men|mens|men's|man|women|womens|women's|woman|boy|boys|boy's|girl|girls|girl's|"
    r"kid|kids|kid's|kidswear|unisex|ladies|lady|gents|male|female"
)
GENDER_WORD = re.compile(rf"\b({_GENDER_WORDS})\b", re.IGNORECASE)
# Any word that tells who a product is for, brand names' words included ("Scullers For Her",
# "Madagascar 3 Infant", "Little Miss"): none may appear in a title or description.
LEAK_WORD = re.compile(
    rf"\b({_GENDER_WORDS}|her|hers|him|his|infant|infants|baby|babies|toddler|miss|mr)\b",
    re.IGNORECASE,
)
_CONNECTORS = {"for", "and", "&", "of", "by", "the", "-"}

# Per article type: the US category leaf, then the nouns a US merchant would title it with.
US_WORDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "Tshirts": ("T-Shirts", ("tee", "T-shirt", "crew tee")),
    "Shirts": ("Button-Downs", ("button-down shirt", "button-up shirt", "shirt")),
    "Casual Shoes": ("Sneakers", ("sneakers", "low-top sneakers")),
    "Sports Shoes": ("Athletic Shoes", ("running shoes", "athletic shoes", "training shoes")),
    "Formal Shoes": ("Dress Shoes", ("dress shoes", "oxfords")),
    "Watches": ("Watches", ("watch", "wristwatch")),
    "Kurtas": ("Kurtas", ("kurta",)),
    "Tops": ("Tops & Blouses", ("top", "blouse")),
    "Handbags": ("Purses", ("purse", "shoulder bag", "tote")),
    "Heels": ("Pumps & Heels", ("pumps", "heels", "heeled sandals")),
    "Sunglasses": ("Sunglasses", ("sunglasses", "shades")),
    "Sandals": ("Sandals", ("sandals",)),
    "Belts": ("Belts", ("belt",)),
    "Flip Flops": ("Flip-Flops", ("flip-flops", "thong sandals")),
    "Briefs": ("Underwear", ("briefs", "underwear briefs")),
    "Wallets": ("Wallets", ("wallet", "billfold")),
    "Backpacks": ("Backpacks", ("backpack", "daypack")),
    "Socks": ("Socks", ("socks", "crew socks")),
    "Jeans": ("Jeans", ("jeans", "denim jeans")),
    "Trousers": ("Pants", ("pants", "chinos", "slacks")),
    "Perfume and Body Mist": ("Fragrance", ("fragrance", "perfume", "eau de toilette")),
    "Flats": ("Flats", ("ballet flats", "flats")),
    "Bra": ("Bras", ("bra",)),
    "Shorts": ("Shorts", ("shorts",)),
    "Dresses": ("Dresses", ("dress",)),
    "Sarees": ("Saris", ("saree", "sari")),
    "Earrings": ("Earrings", ("earrings",)),
    "Deodorant": ("Deodorant", ("deodorant spray", "deodorant")),
    "Track Pants": ("Joggers", ("joggers", "sweatpants", "track pants")),
    "Caps": ("Hats & Caps", ("baseball cap", "ball cap", "cap")),
    "Clutches": ("Clutches", ("clutch", "evening bag")),
    "Sweatshirts": ("Sweatshirts", ("sweatshirt", "pullover")),
    "Nail Polish": ("Nail Polish", ("nail polish", "nail lacquer")),
    "Sweaters": ("Sweaters", ("sweater", "pullover sweater")),
    "Jackets": ("Jackets & Coats", ("jacket",)),
    "Kurtis": ("Kurtis", ("kurti",)),
    "Tunics": ("Tunics", ("tunic",)),
    "Ties": ("Neckties", ("necktie", "tie")),
    "Innerwear Vests": ("Undershirts", ("undershirt", "tank undershirt")),
    "Lipstick": ("Lipstick", ("lipstick", "lip color")),
    "Nightdress": ("Nightgowns", ("nightgown", "nightie")),
    "Capris": ("Capris", ("capri pants", "cropped pants")),
    "Pendant": ("Pendants", ("pendant", "pendant necklace")),
    "Necklace and Chains": ("Necklaces", ("necklace", "chain")),
    "Trunk": ("Underwear", ("trunks", "boxer briefs")),
    "Scarves": ("Scarves", ("scarf",)),
    "Kajal and Eyeliner": ("Eyeliner", ("eyeliner", "kohl liner")),
    "Lip Gloss": ("Lip Gloss", ("lip gloss",)),
    "Skirts": ("Skirts", ("skirt",)),
    "Leggings": ("Leggings", ("leggings",)),
    "Free Gifts": ("Gifts", ("gift", "free gift")),
    "Dupatta": ("Dupattas", ("dupatta",)),
    "Night suits": ("Pajamas", ("pajama set", "PJ set")),
    "Ring": ("Rings", ("ring",)),
    "Duffel Bag": ("Duffle Bags", ("duffle bag", "gym bag", "weekender bag")),
    "Cufflinks": ("Cufflinks", ("cufflinks",)),
    "Kurta Sets": ("Kurta Sets", ("kurta set",)),
    "Stoles": ("Wraps", ("stole", "wrap")),
    "Sports Sandals": ("Sport Sandals", ("sport sandals",)),
    "Bangle": ("Bracelets", ("bangle", "bangle bracelet")),
    "Jewellery Set": ("Jewelry Sets", ("jewelry set",)),
    "Laptop Bag": ("Laptop Bags", ("laptop bag", "computer bag")),
    "Foundation and Primer": ("Foundation", ("foundation", "primer")),
    "Accessory Gift Set": ("Gift Sets", ("gift set",)),
    "Jeggings": ("Jeggings", ("jeggings",)),
    "Boxers": ("Underwear", ("boxer shorts", "boxers")),
    "Lounge Pants": ("Pajamas", ("lounge pants", "pajama pants")),
    "Lip Liner": ("Lip Liner", ("lip liner",)),
    "Fragrance Gift Set": ("Gift Sets", ("fragrance gift set",)),
    "Stockings": ("Hosiery", ("pantyhose", "stockings")),
    "Suspenders": ("Suspenders", ("suspenders",)),
    "Bracelet": ("Bracelets", ("bracelet",)),
    "Mobile Pouch": ("Tech Accessories", ("phone pouch", "phone case")),
    "Patiala": ("Patialas", ("patiala pants",)),
    "Camisoles": ("Camis", ("camisole", "cami")),
    "Messenger Bag": ("Messenger Bags", ("messenger bag", "crossbody bag")),
    "Highlighter and Blush": ("Blush", ("blush", "highlighter")),
    "Lounge Shorts": ("Pajamas", ("lounge shorts", "sleep shorts")),
    "Face Moisturisers": ("Moisturizers", ("face moisturizer",)),
    "Gloves": ("Gloves", ("gloves",)),
    "Tracksuits": ("Tracksuits", ("tracksuit", "sweatsuit")),
    "Compact": ("Powder", ("pressed powder compact",)),
    "Waist Pouch": ("Belt Bags", ("fanny pack", "belt bag")),
    "Mufflers": ("Scarves", ("muffler", "winter scarf")),
    "Bath Robe": ("Robes", ("bathrobe", "robe")),
    "Waistcoat": ("Suit Vests", ("vest", "suit vest")),
    "Basketballs": ("Balls", ("basketball",)),
    "Mask and Peel": ("Face Masks", ("face mask", "peel-off mask")),
    "Rucksacks": ("Backpacks", ("rucksack", "hiking backpack")),
    "Face Wash and Cleanser": ("Cleansers", ("face wash", "facial cleanser")),
    "Hair Colour": ("Hair Color", ("hair color", "hair dye")),
    "Wristbands": ("Sweatbands", ("wristband", "sweatband")),
    "Lehenga Choli": ("Lehengas", ("lehenga choli",)),
    "Baby Dolls": ("Sleepwear", ("babydoll", "babydoll nightie")),
    "Clothing Set": ("Outfit Sets", ("outfit set",)),
    "Umbrellas": ("Umbrellas", ("umbrella",)),
    "Key chain": ("Keychains", ("keychain",)),
    "Swimwear": ("Swimsuits", ("swimsuit",)),
    "Rain Jacket": ("Jackets & Coats", ("rain jacket", "raincoat")),
    "Salwar and Dupatta": ("Salwar Sets", ("salwar and dupatta set",)),
    "Nail Essentials": ("Nail Care", ("nail kit",)),
    "Face Scrub and Exfoliator": ("Exfoliators", ("face scrub",)),
}

# Article types sold and named only in the plural, so "keep the original word" keeps it whole.
_PLURAL_ONLY = re.compile(
    r"(shoes|heels|flats|sandals|flops|jeans|trousers|shorts|pants|briefs|socks|sunglasses|"
    r"leggings|capris|jeggings|boxers|stockings|suspenders|earrings|cufflinks|gloves|tights|"
    r"booties|suits|wristbands|sets)$",
    re.IGNORECASE,
)

# How this merchant spells some colours; the truth's label stays as it was.
COLOUR_SPELLINGS: dict[str, tuple[str, ...]] = {
    "Grey": ("gray", "gray", "grey"),
    "Navy Blue": ("navy", "navy", "navy blue"),
    "Off White": ("ivory", "off-white", "cream"),
    "Multi": ("multicolor", "multi-color"),
    "Grey Melange": ("heather gray",),
    "Charcoal": ("charcoal gray", "charcoal"),
    "Turquoise Blue": ("turquoise",),
    "Coffee Brown": ("coffee",),
    "Mushroom Brown": ("mushroom",),
    "Skin": ("nude", "skin tone"),
    "Steel": ("steel", "stainless"),
    "Fluorescent Green": ("neon green",),
    "Maroon": ("maroon", "maroon", "wine"),
    "Lime Green": ("lime",),
    "Sea Green": ("seafoam",),
    "Metallic": ("metallic",),
}

# Attribute words worth keeping from the original title, each written this merchant's way.
ATTRIBUTES = {
    "printed": "printed",
    "print": "printed",
    "solid": "solid",
    "check": "checked",
    "checks": "checked",
    "checked": "checked",
    "striped": "striped",
    "stripes": "striped",
    "stripe": "striped",
    "polo": "polo",
    "leather": "leather",
    "leatherette": "faux leather",
    "canvas": "canvas",
    "denim": "denim",
    "slim": "slim fit",
    "chronograph": "chronograph",
    "analog": "analog",
    "analogue": "analog",
    "digital": "digital",
    "washed": "washed",
    "graphic": "graphic",
    "silk": "silk",
    "cotton": "cotton",
    "woven": "woven",
    "lace": "lace",
    "floral": "floral",
    "reversible": "reversible",
    "fleece": "fleece",
    "embroidered": "embroidered",
    "suede": "suede",
    "hooded": "hooded",
    "sleeveless": "sleeveless",
    "padded": "padded",
}

# The first word of the category path, by gender; empty gender puts no department first.
DEPARTMENTS = {
    "Men": "Men",
    "Women": "Women",
    "Boys": "Kids > Boys",
    "Girls": "Kids > Girls",
    "Unisex": "Unisex",
    "": "",
}

USAGE_PHRASES = {
    "Casual": ("everyday wear", "weekends", "easy daily wear"),
    "Sports": ("workouts", "the gym", "training days"),
    "Formal": ("the office", "work and meetings"),
    "Ethnic": ("festive occasions", "celebrations and weddings"),
    "Party": ("nights out",),
    "Smart Casual": ("smart-casual days",),
    "Travel": ("trips and travel",),
    "": ("any day",),
}

SPARSE_TITLES = (
    "IMG_{n4}",
    "DSC{n5}",
    "Just in!",
    "New arrival",
    "SKU {n5}",
    "Untitled",
    "Product {n3}",
    "photo {n1}.jpg",
    "Item {sku}",
    "New listing",
    "PXL_2023{n4}",
    "image ({n1})",
    "Draft {n3}",
    "TBD",
)


def write_merchant_style_kit(out_dir: Path, seed: int = 7, source_dir: Path = EVAL_DIR) -> Path:
    """Write catalog.csv, truth.csv and held-out queries for the re-written listings."""
    out_dir.mkdir(parents=True, exist_ok=True)
    truth = {row["sku"]: row for row in read_rows(source_dir / TRUTH_FILE)}
    catalogue = read_rows(source_dir / CATALOG_FILE)
    groups = _dataset_groups()
    brands = _known_brands(row["title"] for row in catalogue)
    rng = random.Random(seed)
    rows = []
    for listing in catalogue:
        labels = truth[listing["sku"]]
        if labels["sparse"] == SPARSE_TRUE:
            rows.append(_sparse_row(listing, rng))
        else:
            group = groups.get(listing["sku"], ("", ""))
            rows.append(_rewritten_row(listing, labels, group, brands, rng))
    write_rows(out_dir / CATALOG_FILE, CATALOG_COLUMNS, rows)
    shutil.copyfile(source_dir / TRUTH_FILE, out_dir / TRUTH_FILE)
    write_heldout_queries(out_dir / TRUTH_FILE, out_dir / QUERIES_FILE, HELDOUT_SEED)
    return out_dir


def _dataset_groups() -> dict[str, tuple[str, str]]:
    """Each dataset product's (master category, sub-category), to group it in the new tree."""
    return {
        row["product_id"]: (row["master_category"], row["sub_category"])
        for row in read_rows(DATASET_DIR / "products.csv")
    }


def _known_brands(titles: Iterable[str]) -> list[str]:
    """Brands as the words before a gender word in the titles that have one, longest first."""
    found = set()
    for title in titles:
        match = GENDER_WORD.search(title)
        if match and match.start() > 0:
            found.add(title[: match.start()].strip())
    return sorted(found, key=lambda brand: (-len(brand), brand))


def _brand(title: str, brands: Sequence[str]) -> str:
    """The title's brand, with no gender word left in it."""
    match = GENDER_WORD.search(title)
    if match and match.start() > 0:
        brand = title[: match.start()].strip()
    else:
        brand = next((b for b in brands if title.startswith(b + " ")), title.split(" ")[0])
    words = [word for word in brand.split() if not LEAK_WORD.search(word)][:4]
    while words and words[-1].lower() in _CONNECTORS:
        words.pop()
    return " ".join(words)


def _attributes(title: str, rng: random.Random) -> list[str]:
    """Up to two attribute words from the original title, in this merchant's words."""
    found: list[str] = []
    for word in re.findall(r"[A-Za-z]+", title.lower()):
        attribute = ATTRIBUTES.get(word)
        if attribute and attribute not in found:
            found.append(attribute)
    rng.shuffle(found)
    return found[:2]


def _noun(article_type: str, rng: random.Random) -> str:
    """A US word for the article type; now and then the dataset's own word."""
    nouns = US_WORDS.get(article_type, ("", ()))[1]
    original = _singular(article_type.lower())
    if nouns and (rng.random() >= 0.2 or LEAK_WORD.search(original)):
        return rng.choice(nouns)
    return original


def _singular(words: str) -> str:
    """The dataset's plural article type as one item's noun, where English allows."""
    if _PLURAL_ONLY.search(words):
        return words
    if words.endswith(("sses", "shes", "ches")):
        return words[:-2]
    if words.endswith("s") and not words.endswith("ss"):
        return words[:-1]
    return words


def _colour(colour: str, rng: random.Random) -> str:
    """The colour label as this merchant writes it."""
    spellings = COLOUR_SPELLINGS.get(colour)
    if spellings and rng.random() < 0.8:
        return rng.choice(spellings)
    return colour.lower()


def _category(labels: dict[str, str], group: tuple[str, str]) -> str:
    """Department (gender) > group > US leaf: "Women > Shoes > Sneakers"."""
    master, sub = group
    leaf = US_WORDS.get(labels["article_type"], (labels["article_type"], ()))[0]
    section = _section(master, sub)
    department = DEPARTMENTS.get(labels["gender"], "")
    parts = [department, section, leaf] if department else [section, leaf]
    if parts[-2] == parts[-1]:
        parts.pop()
    return " > ".join(part for part in parts if part)


def _section(master: str, sub: str) -> str:
    """The second level of this merchant's tree, from the dataset's own two levels."""
    if master == "Apparel":
        if sub in ("Innerwear", "Loungewear and Nightwear"):
            return "Underwear & Sleepwear"
        return "Clothing"
    if master == "Footwear":
        return "Shoes"
    if master == "Accessories":
        return {
            "Bags": "Bags & Purses",
            "Jewellery": "Jewelry",
            "Watches": "Watches",
            "Eyewear": "Sunglasses & Eyewear",
        }.get(sub, "Accessories")
    if master == "Personal Care":
        return "Fragrance" if sub in ("Fragrance", "Perfumes") else "Beauty"
    if master == "Free Items":
        return "Gifts"
    if master == "Sporting Goods":
        return "Sports & Outdoors"
    return "Other"


def _rewritten_row(
    listing: dict[str, str],
    labels: dict[str, str],
    group: tuple[str, str],
    brands: Sequence[str],
    rng: random.Random,
) -> dict[str, str]:
    """A described listing in this merchant's style: noun first, gender only in the category."""
    noun = _noun(labels["article_type"], rng)
    colour = _colour(labels["colour"], rng) if labels["colour"] else ""
    attributes = _attributes(listing["title"], rng)
    brand = _brand(listing["title"], brands)
    title = _title(noun, colour, attributes, brand, rng)
    description = ""
    if rng.random() < 0.5:
        description = _description(noun, colour, attributes, brand, labels["usage"], rng)
    assert not LEAK_WORD.search(title + " " + description), (title, description)
    return {
        "sku": listing["sku"],
        "title": title,
        "description": description,
        "category": _category(labels, group),
        "image": listing["image"],
    }


def _title(noun: str, colour: str, attributes: list[str], brand: str, rng: random.Random) -> str:
    """One of four noun-first title templates, e.g. "Sneakers, white, leather — Nike"."""
    head = noun[:1].upper() + noun[1:]
    template = rng.randrange(4)
    if template == 0:
        words = ", ".join(part for part in (head, colour, *attributes) if part)
        return f"{words} — {brand}" if brand else words
    if template == 1:
        words = f"{head} in {colour}" if colour else head
        words = ", ".join([words, *attributes])
        return f"{words} ({brand})" if brand else words
    if template == 2:
        tail = " / ".join(part for part in (colour, " ".join(attributes)) if part)
        words = f"{head} - {tail}" if tail else head
        return f"{words} | {brand}" if brand else words
    words = f"{head}: " + " ".join(part for part in (colour, *attributes) if part)
    words = words.rstrip(": ")
    return f"{words}, by {brand}" if brand else words


def _description(
    noun: str, colour: str, attributes: list[str], brand: str, usage: str, rng: random.Random
) -> str:
    """A short description in other words than the title; never a gender word."""
    use = rng.choice(USAGE_PHRASES.get(usage, USAGE_PHRASES[""]))
    shade = colour or "classic"
    detail = attributes[0] if attributes else rng.choice(("easy-care", "soft", "durable"))
    maker = brand or "our studio"
    choice = rng.randrange(5)
    if choice == 0:
        return f"{detail.capitalize()} {noun} in {shade} from {maker}. Made for {use}."
    if choice == 1:
        return f"Our {shade} {noun}: {detail}, easy to wear, great for {use}."
    if choice == 2:
        return f"{maker} {noun}, {detail} finish. Ships in 2 days."
    if choice == 3:
        return f"Shade: {shade}. Detail: {detail}. Ideal for {use}."
    return f"Easy to add to your rotation: {shade} {noun} for {use}."


def _sparse_row(listing: dict[str, str], rng: random.Random) -> dict[str, str]:
    """A sparse listing with a junk title of the kinds real uploads get, and nothing else."""
    template = rng.choice(SPARSE_TITLES)
    title = template.format(
        sku=listing["sku"],
        n1=rng.randrange(1, 60),
        n3=rng.randrange(100, 1000),
        n4=f"{rng.randrange(10000):04d}",
        n5=f"{rng.randrange(100000):05d}",
    )
    return {
        "sku": listing["sku"],
        "title": title,
        "description": "",
        "category": "",
        "image": listing["image"],
    }
