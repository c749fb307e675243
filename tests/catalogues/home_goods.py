"""A small catalogue outside fashion: furniture and home goods, with generated photos.

Nothing in it comes from the fashion dataset, so it shows whether the search depends on
fashion's words and photos. Each photo is a flat silhouette of the kind in the product's colour,
so the photo alone carries kind and colour, as a real photo would for sparse listings.
"""

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

from tests.catalogues.kit import (
    CATALOG_COLUMNS,
    CATALOG_FILE,
    QUERIES_FILE,
    QUERY_COLUMNS,
    SPARSE_FALSE,
    SPARSE_TRUE,
    TRUTH_COLUMNS,
    TRUTH_FILE,
    write_rows,
)
from tests.catalogues.queries import Answers, Query, misspell

IMAGE_SIZE = 96
SPARSE_SHARE = 0.15
HOME_QUERY_COUNTS = {"plain": 20, "shopper": 25, "typo": 15}
HOME_CATALOG_COLUMNS = (*CATALOG_COLUMNS, "price", "currency")

# Truth colour -> the RGB its photo is drawn in.
RGB: dict[str, tuple[int, int, int]] = {
    "Grey": (150, 150, 150),
    "Navy": (32, 42, 92),
    "Mustard": (214, 164, 32),
    "Beige": (222, 204, 168),
    "Sage Green": (148, 170, 128),
    "Terracotta": (198, 96, 60),
    "Oak": (196, 152, 96),
    "Walnut": (104, 70, 44),
    "White": (250, 250, 250),
    "Black": (22, 22, 22),
    "Brass": (190, 160, 72),
    "Blue": (48, 100, 190),
    "Pink": (234, 160, 180),
}

# How titles write each truth colour: the label itself, or a merchant's near word for it.
COLOUR_WORDS: dict[str, tuple[str, ...]] = {
    "Grey": ("grey", "gray", "grey"),
    "Navy": ("navy", "navy blue", "dark blue"),
    "Mustard": ("mustard", "mustard yellow", "ochre"),
    "Beige": ("beige", "natural", "oatmeal"),
    "Sage Green": ("sage green", "sage"),
    "Terracotta": ("terracotta", "rust"),
    "Oak": ("oak", "light oak", "oak veneer"),
    "Walnut": ("walnut", "dark walnut"),
    "White": ("white", "white", "off-white"),
    "Black": ("black", "matt black"),
    "Brass": ("brass", "antique brass"),
    "Blue": ("blue", "cobalt"),
    "Pink": ("pink", "blush"),
}

STYLES = ("Mid-century", "Scandi", "Modern", "Classic", "Industrial", "Minimalist", "Retro")
NAMES = ("Hendrick", "Ada", "Milo", "Otto", "Elsie", "Bruno", "Freya", "Harlow", "Juno", "Arlo")
SPARSE_TITLES = ("IMG_{n4}", "DSC{n5}", "New arrival", "Just in!", "Untitled", "Product {n3}")


@dataclass(frozen=True)
class Kind:
    """One kind of home product: how merchants title it, where it sits, how shoppers ask."""

    article_type: str
    nouns: tuple[str, ...]
    category: str
    colours: tuple[str, ...]
    materials: tuple[str, ...]
    sizes: tuple[str, ...]
    price: tuple[int, int]
    shopper: tuple[str, ...]
    shape: str


KINDS = (
    Kind(
        "Sofa",
        ("Sofa", "3-seat sofa", "2-seat sofa"),
        "Furniture > Living room > Sofas",
        ("Grey", "Navy", "Mustard", "Beige", "Sage Green"),
        ("velvet", "linen", "boucle", "cotton"),
        ("W210 x D90 cm", "W180 x D88 cm", "W240 x D95 cm"),
        (399, 1899),
        ("couch", "settee", "three seater couch", "lounge couch"),
        "sofa",
    ),
    Kind(
        "Armchair",
        ("Armchair", "Accent chair", "Lounge chair"),
        "Furniture > Living room > Armchairs",
        ("Grey", "Mustard", "Navy", "Terracotta"),
        ("velvet", "boucle", "linen"),
        ("W78 x D80 cm", "W70 x D76 cm"),
        (149, 699),
        ("reading chair", "comfy chair", "easy chair", "tub chair"),
        "armchair",
    ),
    Kind(
        "Coffee Table",
        ("Coffee table", "Cocktail table"),
        "Furniture > Living room > Tables",
        ("Oak", "Walnut", "White", "Black"),
        ("solid wood", "veneer", "lacquered"),
        ("110x60 cm", "Ø80 cm", "90x50 cm"),
        (79, 499),
        ("living room table", "centre table", "center table", "lounge table"),
        "coffee_table",
    ),
    Kind(
        "Dining Chair",
        ("Dining chair", "Side chair"),
        "Furniture > Dining > Chairs",
        ("Oak", "Walnut", "Black", "White"),
        ("solid beech", "moulded plastic", "steel"),
        ("H80 cm", "seat H45 cm"),
        (39, 249),
        ("kitchen chair", "dining room chair", "chair for the dinner table"),
        "dining_chair",
    ),
    Kind(
        "Bookshelf",
        ("Bookcase", "Shelf unit", "Bookshelf"),
        "Furniture > Storage > Bookcases",
        ("White", "Oak", "Walnut", "Black"),
        ("particleboard", "solid pine", "veneer"),
        ("77x147 cm", "80x202 cm", "40x106 cm"),
        (49, 399),
        ("bookcase", "shelving unit", "book shelves", "shelves for books"),
        "bookshelf",
    ),
    Kind(
        "Desk Lamp",
        ("Desk lamp", "Task lamp", "Work lamp"),
        "Lighting > Lamps > Desk lamps",
        ("Black", "White", "Brass"),
        ("metal", "powder-coated steel"),
        ("H45 cm", "H38 cm"),
        (19, 149),
        ("reading lamp", "study lamp", "bedside light", "table light"),
        "desk_lamp",
    ),
    Kind(
        "Floor Lamp",
        ("Floor lamp", "Standing lamp"),
        "Lighting > Lamps > Floor lamps",
        ("Black", "White", "Brass"),
        ("metal", "linen shade"),
        ("H150 cm", "H170 cm"),
        (49, 299),
        ("standard lamp", "tall lamp", "uplighter", "living room light"),
        "floor_lamp",
    ),
    Kind(
        "Rug",
        ("Rug", "Area rug", "Flatweave rug"),
        "Textiles > Rugs",
        ("Grey", "Navy", "Beige", "Terracotta", "Sage Green"),
        ("wool", "cotton", "recycled polyester"),
        ("160x230 cm", "120x170 cm", "200x300 cm"),
        (29, 599),
        ("carpet", "living room carpet", "floor rug", "mat for the lounge"),
        "rug",
    ),
    Kind(
        "Cushion",
        ("Cushion cover", "Cushion", "Throw pillow"),
        "Textiles > Cushions & throws",
        ("Mustard", "Sage Green", "Navy", "Terracotta", "Pink"),
        ("linen", "velvet", "cotton"),
        ("50x50", "45x45", "40x60"),
        (9, 49),
        ("throw pillow", "scatter cushion", "sofa pillow", "pillow cover"),
        "cushion",
    ),
    Kind(
        "Curtains",
        ("Curtains, 1 pair", "Curtain panel", "Blackout curtains"),
        "Textiles > Curtains",
        ("Grey", "Navy", "Beige", "White", "Sage Green"),
        ("linen", "velvet", "cotton"),
        ("140x250 cm", "145x300 cm"),
        (19, 149),
        ("drapes", "window curtains", "window drapes", "bedroom curtains"),
        "curtains",
    ),
    Kind(
        "Mug",
        ("Mug", "Coffee mug", "Stoneware mug"),
        "Kitchen > Tableware > Mugs",
        ("White", "Black", "Blue", "Terracotta", "Sage Green"),
        ("stoneware", "porcelain", "enamel"),
        ("350 ml", "300 ml", "450 ml"),
        (5, 24),
        ("coffee cup", "tea mug", "cup for tea", "big coffee cup"),
        "mug",
    ),
    Kind(
        "Vase",
        ("Vase", "Bud vase", "Flower vase"),
        "Decor > Vases",
        ("White", "Blue", "Terracotta", "Pink", "Black"),
        ("ceramic", "glass", "stoneware"),
        ("H30 cm", "H18 cm", "H24 cm"),
        (12, 89),
        ("flower vase", "vase for flowers", "jug for flowers"),
        "vase",
    ),
    Kind(
        "Plant Pot",
        ("Plant pot", "Planter", "Plant pot with saucer"),
        "Decor > Plant pots",
        ("Terracotta", "White", "Black", "Sage Green"),
        ("terracotta clay", "ceramic", "concrete"),
        ("Ø15 cm", "Ø24 cm", "Ø12 cm"),
        (8, 69),
        ("planter", "flower pot", "pot for plants", "houseplant pot"),
        "plant_pot",
    ),
    Kind(
        "Wall Clock",
        ("Wall clock", "Clock"),
        "Decor > Clocks",
        ("Black", "White", "Walnut", "Brass"),
        ("metal", "wood", "glass face"),
        ("Ø30 cm", "Ø40 cm"),
        (15, 99),
        ("kitchen clock", "clock for the wall", "hanging clock"),
        "wall_clock",
    ),
)


def write_home_goods_kit(out_dir: Path, products: int = 240, seed: int = 3) -> Path:
    """Write catalog.csv, truth.csv, text_queries_heldout.csv and images/ for home goods."""
    rng = random.Random(seed)
    images = out_dir / "images"
    images.mkdir(parents=True, exist_ok=True)
    listings = _listings(products, rng)
    sparse = set(rng.sample(range(products), round(products * SPARSE_SHARE)))
    catalogue, truth = [], []
    for index, (kind, colour) in enumerate(listings):
        sku = f"HG-{index + 1:04d}"
        is_sparse = index in sparse
        catalogue.append(_catalogue_row(sku, kind, colour, is_sparse, rng))
        truth.append(
            {
                "sku": sku,
                "article_type": kind.article_type,
                "colour": colour,
                "gender": "",
                "usage": "",
                "sparse": SPARSE_TRUE if is_sparse else SPARSE_FALSE,
            }
        )
        draw_photo(kind.shape, colour, random.Random(f"{seed}:{sku}")).save(
            images / f"{sku}.jpg", "JPEG", quality=90
        )
    write_rows(out_dir / CATALOG_FILE, HOME_CATALOG_COLUMNS, catalogue)
    write_rows(out_dir / TRUTH_FILE, TRUTH_COLUMNS, truth)
    queries = home_queries(truth, seed)
    write_rows(out_dir / QUERIES_FILE, QUERY_COLUMNS, (query.row() for query in queries))
    return out_dir


def _listings(products: int, rng: random.Random) -> list[tuple[Kind, str]]:
    """Kinds in turn, each cycling through its colours, so every colour of a kind is stocked
    about evenly and most (kind, colour) pairs have enough products to be asked for."""
    turns: Counter[str] = Counter()
    palettes = {kind.article_type: rng.sample(kind.colours, len(kind.colours)) for kind in KINDS}
    listings = []
    for index in range(products):
        kind = KINDS[index % len(KINDS)]
        palette = palettes[kind.article_type]
        listings.append((kind, palette[turns[kind.article_type] % len(palette)]))
        turns[kind.article_type] += 1
    rng.shuffle(listings)
    return listings


def _catalogue_row(
    sku: str, kind: Kind, colour: str, is_sparse: bool, rng: random.Random
) -> dict[str, str]:
    """One listing: a titled, categorised product, or a sparse one with a junk title."""
    low, high = kind.price
    price = f"{rng.randrange(low, high + 1) - rng.choice((0.0, 0.01, 0.05)):.2f}"
    row = {"sku": sku, "image": f"{sku}.jpg", "price": price, "currency": "USD"}
    if is_sparse:
        title = rng.choice(SPARSE_TITLES).format(
            n3=rng.randrange(100, 1000),
            n4=f"{rng.randrange(10000):04d}",
            n5=f"{rng.randrange(100000):05d}",
        )
        return {**row, "title": title, "description": "", "category": ""}
    description = _description(kind, colour, rng) if rng.random() < 0.5 else ""
    title = _title(kind, colour, rng)
    return {**row, "title": title, "description": description, "category": kind.category}


def _title(kind: Kind, colour: str, rng: random.Random) -> str:
    """One of four merchant styles, e.g. "KALLAX Shelf unit, white, 77x147 cm"."""
    noun = rng.choice(kind.nouns)
    shade = rng.choice(COLOUR_WORDS[colour])
    material = rng.choice(kind.materials)
    size = rng.choice(kind.sizes)
    style = rng.randrange(4)
    if style == 0:
        return f"{_made_up_name(rng)} {noun}, {shade}, {size}"
    if style == 1:
        return f"{rng.choice(STYLES)} {shade} {noun.lower()}"
    if style == 2:
        return f"{material.capitalize()} {noun.lower()} {size} - {shade}"
    return f"The {rng.choice(NAMES)} {noun.lower()} in {shade}"


def _made_up_name(rng: random.Random) -> str:
    """A short upper-case product name, as flat-pack furniture shops give them."""
    consonants, vowels = "bdfgklmnprstv", "aeiouy"
    syllables = rng.randrange(2, 4)
    name = "".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(syllables))
    return (name + rng.choice(("", "n", "r", "s", "k"))).upper()


def _description(kind: Kind, colour: str, rng: random.Random) -> str:
    """A short description, worded apart from the title."""
    material = rng.choice(kind.materials)
    shade = rng.choice(COLOUR_WORDS[colour])
    choice = rng.randrange(3)
    if choice == 0:
        return f"Made from {material} in a soft {shade} finish. Free delivery."
    if choice == 1:
        return f"{material.capitalize()}, {shade}. Pairs with warm woods and plain walls."
    return f"Our best-selling {kind.nouns[0].lower()}, now in {shade}."


def home_queries(truth: list[dict[str, str]], seed: int = 3) -> list[Query]:
    """About 60 queries: plain, shoppers' words and typos, each with 3+ full answers."""
    answers = Answers(truth)
    rng = random.Random(f"{seed}:home-queries")
    by_type = {kind.article_type: kind for kind in KINDS}
    taken: set[str] = set()
    queries: list[Query] = []
    plain_texts: set[str] = set()

    def labels(article_type: str, colour_chance: float) -> str | None:
        colour = rng.choice(answers.colours(article_type)) if rng.random() < colour_chance else ""
        return colour if answers.answered(article_type, colour, "") else None

    def plain(article_type: str) -> Query | None:
        colour = labels(article_type, 0.85)
        if colour is None:
            return None
        text = " ".join(part for part in (colour.lower(), article_type.lower()) if part)
        return Query(text, "plain", article_type, colour)

    def shopper(article_type: str) -> Query | None:
        colour = labels(article_type, 0.5)
        if colour is None:
            return None
        words = (
            [rng.choice(("cheap", "modern", "small", "cosy", "nice"))] if rng.random() < 0.4 else []
        )
        if colour:
            words.append(rng.choice(COLOUR_WORDS[colour]))
        words.append(rng.choice(by_type[article_type].shopper))
        return Query(" ".join(words), "shopper", article_type, colour)

    def typo(article_type: str) -> Query | None:
        base = plain(article_type)
        if base is None:
            return None
        text = misspell(base.query, rng, edits=1 if rng.random() < 0.7 else 2)
        if text is None or text == base.query or text in plain_texts:
            return None
        return Query(text, "typo", article_type, base.colour)

    makers: dict[str, Callable[[str], Query | None]] = {
        "plain": plain,
        "shopper": shopper,
        "typo": typo,
    }
    types = [t for t in answers.article_types if answers.answered(t, "", "")]
    for kind_name, wanted in HOME_QUERY_COUNTS.items():
        made = 0
        for _ in range(wanted * 200):
            if made == wanted:
                break
            query = makers[kind_name](rng.choice(types))
            if query is None or query.query in taken:
                continue
            taken.add(query.query)
            if kind_name == "plain":
                plain_texts.add(query.query)
            queries.append(query)
            made += 1
    return queries


def draw_photo(shape: str, colour: str, rng: random.Random) -> Image.Image:
    """A 96x96 photo: the kind's silhouette in the colour on white, slightly moved and sized."""
    image = Image.new("RGB", (IMAGE_SIZE, IMAGE_SIZE), (255, 255, 255))
    fill = RGB[colour]
    edge = (150, 150, 150) if sum(fill) > 690 else tuple(int(c * 0.7) for c in fill)
    scale = rng.uniform(0.88, 1.04)
    dx, dy = rng.uniform(-4, 4), rng.uniform(-4, 4)
    pen = _Pen(ImageDraw.Draw(image), fill, edge, scale, dx, dy)
    SHAPES[shape](pen)
    return image


class _Pen:
    """Draws in 96x96 design coordinates, scaled and moved around the centre."""

    def __init__(
        self,
        draw: ImageDraw.ImageDraw,
        fill: tuple[int, int, int],
        edge: tuple[int, ...],
        scale: float,
        dx: float,
        dy: float,
    ) -> None:
        self.draw, self.fill, self.edge = draw, fill, edge
        self.scale, self.dx, self.dy = scale, dx, dy

    def point(self, x: float, y: float) -> tuple[float, float]:
        """A design point on the canvas."""
        centre = IMAGE_SIZE / 2
        return (
            centre + (x - centre) * self.scale + self.dx,
            centre + (y - centre) * self.scale + self.dy,
        )

    def box(self, x0: float, y0: float, x1: float, y1: float) -> list[float]:
        """A design box on the canvas."""
        return [*self.point(x0, y0), *self.point(x1, y1)]

    def rect(self, *box: float, fill: tuple[int, ...] | None = None) -> None:
        """A filled rectangle with the product's outline."""
        self.draw.rectangle(self.box(*box), fill=fill or self.fill, outline=self.edge)

    def ellipse(self, *box: float, fill: tuple[int, ...] | None = None) -> None:
        """A filled ellipse with the product's outline."""
        self.draw.ellipse(self.box(*box), fill=fill or self.fill, outline=self.edge)

    def polygon(
        self, points: list[tuple[float, float]], fill: tuple[int, ...] | None = None
    ) -> None:
        """A filled polygon with the product's outline."""
        self.draw.polygon(
            [self.point(x, y) for x, y in points], fill=fill or self.fill, outline=self.edge
        )

    def line(self, points: list[tuple[float, float]], width: int, fill: tuple[int, ...]) -> None:
        """A line, e.g. a lamp's arm."""
        self.draw.line([self.point(x, y) for x, y in points], fill=fill, width=width)


WHITE = (255, 255, 255)
DARK = (60, 60, 60)
LEAF = (62, 140, 64)


def _sofa(pen: _Pen) -> None:
    pen.rect(14, 32, 82, 56)
    pen.rect(14, 52, 82, 68)
    pen.rect(6, 40, 20, 70)
    pen.rect(76, 40, 90, 70)
    pen.rect(10, 70, 14, 76, fill=DARK)
    pen.rect(82, 70, 86, 76, fill=DARK)


def _armchair(pen: _Pen) -> None:
    pen.rect(28, 18, 68, 56)
    pen.rect(28, 52, 68, 70)
    pen.rect(18, 38, 32, 72)
    pen.rect(64, 38, 78, 72)
    pen.rect(22, 72, 26, 80, fill=DARK)
    pen.rect(70, 72, 74, 80, fill=DARK)


def _coffee_table(pen: _Pen) -> None:
    pen.rect(10, 42, 86, 50)
    pen.rect(16, 50, 21, 76)
    pen.rect(75, 50, 80, 76)
    pen.rect(16, 64, 80, 67)


def _dining_chair(pen: _Pen) -> None:
    pen.rect(34, 10, 62, 18)
    pen.rect(34, 10, 38, 50)
    pen.rect(58, 10, 62, 50)
    pen.rect(38, 26, 58, 30)
    pen.rect(30, 48, 66, 55)
    pen.rect(32, 55, 36, 86)
    pen.rect(60, 55, 64, 86)


def _bookshelf(pen: _Pen) -> None:
    pen.rect(24, 6, 72, 90)
    for top in (11, 31, 51, 71):
        pen.rect(29, top, 67, top + 15, fill=WHITE)


def _desk_lamp(pen: _Pen) -> None:
    pen.ellipse(22, 78, 54, 88)
    pen.line([(38, 82), (46, 48), (60, 34)], width=4, fill=pen.fill)
    pen.polygon([(54, 30), (68, 20), (84, 42), (66, 48)])


def _floor_lamp(pen: _Pen) -> None:
    pen.ellipse(34, 84, 62, 92)
    pen.line([(48, 88), (48, 30)], width=3, fill=pen.fill)
    pen.polygon([(32, 32), (64, 32), (57, 8), (39, 8)])


def _rug(pen: _Pen) -> None:
    pen.rect(12, 22, 84, 74)
    lighter = tuple((c + 255) // 2 for c in pen.fill)
    pen.rect(20, 30, 76, 66, fill=lighter)
    pen.rect(30, 40, 66, 56)
    for y in range(24, 74, 4):
        pen.line([(6, y), (12, y)], width=1, fill=pen.edge)
        pen.line([(84, y), (90, y)], width=1, fill=pen.edge)


def _cushion(pen: _Pen) -> None:
    pen.draw.rounded_rectangle(pen.box(18, 18, 78, 78), radius=12, fill=pen.fill, outline=pen.edge)
    pen.ellipse(45, 45, 51, 51, fill=pen.edge)


def _curtains(pen: _Pen) -> None:
    pen.line([(6, 12), (90, 12)], width=3, fill=DARK)
    pen.polygon([(10, 14), (42, 14), (34, 90), (8, 90)])
    pen.polygon([(54, 14), (86, 14), (88, 90), (62, 90)])
    for x in (18, 28, 68, 78):
        pen.line([(x, 16), (x - 2, 88)], width=1, fill=pen.edge)


def _mug(pen: _Pen) -> None:
    pen.draw.ellipse(pen.box(52, 38, 78, 68), outline=pen.edge, width=7)
    pen.draw.ellipse(pen.box(53, 39, 77, 67), outline=pen.fill, width=5)
    pen.rect(22, 28, 62, 80)


def _vase(pen: _Pen) -> None:
    pen.ellipse(24, 40, 72, 88)
    pen.rect(40, 18, 56, 46)
    pen.rect(36, 12, 60, 19)


def _plant_pot(pen: _Pen) -> None:
    for box in ((30, 14, 46, 52), (50, 10, 64, 50), (20, 26, 36, 52), (58, 24, 76, 52)):
        pen.ellipse(*box, fill=LEAF)
    pen.polygon([(28, 52), (68, 52), (62, 88), (34, 88)])
    pen.rect(25, 46, 71, 55)


def _wall_clock(pen: _Pen) -> None:
    pen.ellipse(14, 14, 82, 82)
    pen.ellipse(23, 23, 73, 73, fill=WHITE)
    pen.line([(48, 48), (48, 30)], width=3, fill=DARK)
    pen.line([(48, 48), (62, 54)], width=2, fill=DARK)


SHAPES: dict[str, Callable[[_Pen], None]] = {
    "sofa": _sofa,
    "armchair": _armchair,
    "coffee_table": _coffee_table,
    "dining_chair": _dining_chair,
    "bookshelf": _bookshelf,
    "desk_lamp": _desk_lamp,
    "floor_lamp": _floor_lamp,
    "rug": _rug,
    "cushion": _cushion,
    "curtains": _curtains,
    "mug": _mug,
    "vase": _vase,
    "plant_pot": _plant_pot,
    "wall_clock": _wall_clock,
}
