"""The search service over the real database and encoders: filters, the k-results guarantee,
encoder-version isolation, similar products."""

from decimal import Decimal

import numpy as np
import pytest
from django.db import connection

from catalog.models import Product
from catalog.variants import VariantSpec
from search import candidate_statement, retrieval, selectors
from search.filters import Filters
from search.indexing import embed_stale
from search.models import ProductIndex
from search.selectors import SearchQuery, search, similar_products
from tests.conftest import dataset_photo


def titles(results) -> list[str]:
    return [hit.product.title for hit in results.hits]


@pytest.mark.parametrize("path", ["exact", "iterative index scan", "index scan, then exact"])
def test_a_filtered_query_still_returns_every_match_up_to_the_limit(
    crowded_catalogue, encoder, monkeypatch, path
):
    """Every path keeps the page full: an exact search of the filtered set; the HNSW index
    scanned on past its search list (here 20 entries, all shoes) until the filter's kurtas are
    found; and, where the index scan comes short of a page, an exact search after all."""
    if path != "exact":
        monkeypatch.setattr(retrieval, "EXACT_SEARCH_MAX_ROWS", -2)
        monkeypatch.setattr(retrieval, "EXACT_SEARCH_MAX_PRODUCTS", 0)
        monkeypatch.setattr(retrieval, "MAX_EF_SEARCH", 20)
        # A catalogue this small is cheaper to scan and sort than to search through an index:
        # the planner is told to use the index, as it would for a large one.
        with connection.cursor() as cursor:
            cursor.execute("SET enable_seqscan = off; SET enable_bitmapscan = off")
            cursor.execute("SET enable_sort = off")
    category = Product.objects.get(sku="KURTA-0").category.parent  # Apparel > Topwear
    # The last path's filter allows five kurtas: fewer than the page.
    price = Decimal(14) if path == "index scan, then exact" else None
    filters = Filters(category=category, max_price=price)
    matching = 5 if price else 12
    results = search(SearchQuery(text="black shoes", filters=filters, limit=12))
    assert len(results.hits) == matching
    assert all(hit.product.sku.startswith("KURTA-") for hit in results.hits)
    query = retrieval.SourceQuery(text_vector=encoder.encode_texts(["black shoes"])[0])
    dims = (query.text_vector.shape[0], 0)
    candidates = retrieval.retrieve(query, filters, encoder.version, dims, per_source=12)
    assert len(candidates) == matching
    assert candidates.searched_exactly == (path != "iterative index scan")


def test_price_and_stock_filters_bound_the_results(crowded_catalogue):
    Product.objects.filter(sku="KURTA-3").update(stock=0)
    filters = Filters(min_price=Decimal(12), max_price=Decimal(15), in_stock=True)
    results = search(SearchQuery(text="kurta", filters=filters, limit=50))
    assert sorted(hit.product.sku for hit in results.hits) == ["KURTA-2", "KURTA-4", "KURTA-5"]


def test_the_keyword_source_ranks_a_bounded_number_of_matches_within_the_filters(
    crowded_catalogue, encoder, monkeypatch
):
    """Ranking reads each match's keyword document: past KEYWORD_MATCHES_RANKED matches, only
    that many are ranked, still among the products the filters allow."""
    dims = (encoder.dims.text, encoder.dims.image)
    query = retrieval.SourceQuery(keywords="black & shoe")
    everything = retrieval.retrieve(query, Filters(), encoder.version, dims, per_source=200)
    assert len(everything) == 120  # every black shoe, ranked
    monkeypatch.setattr(candidate_statement, "KEYWORD_MATCHES_RANKED", 7)
    bounded = retrieval.retrieve(query, Filters(), encoder.version, dims, per_source=200)
    assert len(bounded) == 7
    kurtas = retrieval.SourceQuery(keywords="kurta")
    cheap = Filters(max_price=Decimal(12))  # kurtas 0 to 2 of 15
    found = retrieval.retrieve(kurtas, cheap, encoder.version, dims, per_source=200)
    assert sorted(Product.objects.get(pk=pk).sku for pk in found.product_ids) == [
        "KURTA-0",
        "KURTA-1",
        "KURTA-2",
    ]


def test_the_merchant_filter_keeps_one_merchants_products(make_product, other_merchant, encoder):
    make_product("A-1", title="Blue denim jeans")
    make_product("B-1", title="Blue denim jeans", owner=other_merchant)
    embed_stale(encoder)
    results = search(SearchQuery(text="jeans", filters=Filters(merchant_id=other_merchant.pk)))
    assert [hit.product.sku for hit in results.hits] == ["B-1"]


def test_vectors_of_another_encoder_version_are_never_compared(make_product, encoder):
    make_product("NEW", title="Green silk scarf")
    make_product("OLD", title="Green silk scarf")
    embed_stale(encoder)
    ProductIndex.objects.filter(product__sku="OLD").update(encoder_version="an older encoder")
    assert [hit.product.sku for hit in search(SearchQuery(text="scarf")).hits] == ["NEW"]


def test_drafts_and_unembedded_products_are_not_found(make_product, encoder):
    make_product("LIVE", title="Yellow raincoat")
    make_product("DRAFT", title="Yellow raincoat", status=Product.Status.DRAFT)
    embed_stale(encoder)
    make_product("LATE", title="Yellow raincoat")  # not embedded yet
    assert [hit.product.sku for hit in search(SearchQuery(text="raincoat")).hits] == ["LIVE"]


def test_a_photo_query_finds_products_that_look_alike_and_says_why(make_product, encoder):
    make_product("DRESS", title="Femella Women Blue Nightdress", photos=[dataset_photo("39239")])
    make_product("WATCH", title="Titan Men Steel Watch", photos=[dataset_photo("1163")])
    embed_stale(encoder)
    from search.photos import load_photo

    query_photo = load_photo(dataset_photo("39239").content, max_pixels=10**7)
    results = search(SearchQuery(photo=query_photo))
    assert results.hits[0].product.sku == "DRESS"
    assert "photo" in results.hits[0].why
    assert "keywords" not in results.hits[0].why


def test_similar_products_leave_out_the_product_and_load_no_model(make_product, encoder):
    dress = make_product("DRESS", title="Blue nightdress", photos=[dataset_photo("39239")])
    make_product("DRESS-2", title="Pink nightdress", photos=[dataset_photo("39239")])
    make_product("PLAIN", title="Plain product", photos=[])
    embed_stale(encoder)
    hits = similar_products(dress)
    assert hits[0].product.sku == "DRESS-2"
    assert dress.pk not in {hit.product.pk for hit in hits}


def test_a_shoppers_word_finds_the_product_that_uses_the_catalogues(make_product, encoder):
    make_product("SHOES", title="Nike Men Black Casual Shoes", photos=[])
    make_product("BELT", title="Fastrack Men Black Belt", photos=[])
    embed_stale(encoder)
    results = search(SearchQuery(text="men black sneakers"))
    assert results.hits[0].product.sku == "SHOES"
    assert "keywords" in results.hits[0].why


def test_a_text_query_reads_the_photos_of_products_without_words_only(make_product, encoder):
    make_product("WORDS", title="Puma Men Black Shoe", photos=[dataset_photo("6385")])
    make_product("PHOTO", title="Item 6385", photos=[dataset_photo("6385")], category_path=None)
    embed_stale(encoder)
    words = encoder.encode_texts(["black shoe"])[0]
    query = retrieval.SourceQuery(text_vector=words, photo_text_vector=words)
    candidates = retrieval.retrieve(
        query, Filters(), encoder.version, (encoder.dims.text, encoder.dims.image)
    )
    has_photo = dict(zip(candidates.product_ids, candidates.image.any(axis=1), strict=True))
    ids = dict(Product.objects.values_list("sku", "pk"))
    assert (has_photo[ids["WORDS"]], has_photo[ids["PHOTO"]]) == (False, True)
    # Each candidate comes with the words the match head reads: its title and category.
    named = zip(candidates.titles, candidates.categories, strict=True)
    words_of = dict(zip(candidates.product_ids, named, strict=True))
    assert words_of[ids["WORDS"]] == ("Puma Men Black Shoe", "Apparel > Topwear")
    assert words_of[ids["PHOTO"]] == ("Item 6385", "")


def test_words_that_name_colours_also_read_the_photos_of_listings_that_state_none(
    make_product, encoder
):
    make_product("STATED", title="Revlon Red Lip Gloss 12", photos=[dataset_photo("6385")])
    make_product("UNSTATED", title="Revlon Lip Gloss 12", photos=[dataset_photo("6385")])
    # A colour stated by a variant's option, not by the title, is stated all the same.
    make_product(
        "OPTION",
        title="Colorbar Lip Gloss",
        photos=[dataset_photo("6385")],
        variants=[VariantSpec("OPTION-R", {"colour": "red"}, None, 2)],
    )
    make_product("PHOTO", title="Item 6385", photos=[dataset_photo("6385")], category_path=None)
    embed_stale(encoder)
    words = encoder.encode_texts(["red lip gloss"])[0]
    ids = dict(Product.objects.values_list("sku", "pk"))

    def photos_sent(colourless_photos: bool) -> set[str]:
        query = retrieval.SourceQuery(
            text_vector=words, photo_text_vector=words, colourless_photos=colourless_photos
        )
        candidates = retrieval.retrieve(
            query, Filters(), encoder.version, (encoder.dims.text, encoder.dims.image)
        )
        sent = {
            sku for sku, pk in ids.items() if candidates.image[candidates.product_ids == pk].any()
        }
        colourless = {
            sku
            for sku, pk in ids.items()
            if candidates.colourless[candidates.product_ids == pk].any()
        }
        assert colourless == sent - {"PHOTO"}  # the wordless listing is not "colourless"
        return sent

    assert photos_sent(colourless_photos=True) == {"UNSTATED", "PHOTO"}
    assert photos_sent(colourless_photos=False) == {"PHOTO"}


def test_a_photo_query_compares_every_candidates_photo_in_the_database(make_product, encoder):
    make_product("WORDS", title="Puma Men Black Shoe", photos=[dataset_photo("6385")])
    make_product("PHOTO", title="Item 6385", photos=[dataset_photo("6385")], category_path=None)
    make_product("OTHER", title="Femella Women Blue Nightdress", photos=[dataset_photo("39239")])
    embed_stale(encoder)
    stored = {
        sku: np.asarray(features, dtype=np.float32)
        for sku, features in ProductIndex.objects.values_list("product__sku", "photo_features")
    }
    image = stored["WORDS"] / np.linalg.norm(stored["WORDS"])
    words = encoder.encode_texts(["black shoe"])[0]
    query = retrieval.SourceQuery(text_vector=words, photo_text_vector=words, image_vector=image)
    candidates = retrieval.retrieve(
        query, Filters(), encoder.version, (encoder.dims.text, encoder.dims.image)
    )
    sku_of = dict(Product.objects.values_list("pk", "sku"))
    found = {sku_of[pid]: row for row, pid in enumerate(candidates.product_ids)}
    for sku, row in found.items():
        expected = stored[sku] @ image / np.linalg.norm(stored[sku])
        assert candidates.image_similarity[row] == pytest.approx(expected, abs=1e-5)
    assert candidates.image_similarity[found["PHOTO"]] == pytest.approx(1.0, abs=1e-5)
    assert candidates.image_similarity[found["OTHER"]] < 0.9
    # The features themselves travel only for the products without words.
    assert not candidates.image[found["WORDS"]].any() and candidates.image[found["PHOTO"]].any()


def test_words_searched_again_are_not_encoded_again(make_product, encoder, monkeypatch):
    make_product("SHIRT", title="Blue cotton shirt", photos=[])
    embed_stale(encoder)
    encoded: list[str] = []

    def encode_texts(texts):
        encoded.extend(texts)
        return type(encoder).encode_texts(encoder, texts)

    monkeypatch.setattr(encoder, "encode_texts", encode_texts)
    query = SearchQuery(text="blue shirt, asked twice")  # words no other test searches
    first, second = search(query), search(query)
    assert [hit.product.sku for hit in first.hits] == [hit.product.sku for hit in second.hits]
    assert first.hits[0].product.sku == "SHIRT"
    assert encoded.count(first.words.for_encoder) == 1


def test_words_too_common_for_the_keyword_source_to_rank_are_left_to_the_vector_sources(
    crowded_catalogue, encoder, monkeypatch
):
    """Able to match more listings than the keyword source ranks (here 110 of 135: 120 are
    black shoes), "black shoes" searches no keywords, while each candidate's keyword rank is
    still read; "red kurta" (15 kurtas) searches them. Taken as independent, "black" and
    "shoes" (120 listings each) would have been expected to match 107 listings."""
    monkeypatch.setattr(selectors, "KEYWORD_MATCHES_RANKED", 110)
    asked = []

    def retrieve(query, *args, **kwargs):
        candidates = retrieval.retrieve(query, *args, **kwargs)
        asked.append((query, candidates))
        return candidates

    monkeypatch.setattr(selectors, "retrieve", retrieve)
    shoes = search(SearchQuery(text="black shoes", limit=20))
    query, candidates = asked[-1]
    assert query.keywords is None and "keywords" not in candidates.source_ranks
    assert len(shoes.hits) == 20 and all("keywords" in hit.why for hit in shoes.hits)
    assert all(hit.product.sku.startswith("SHOE") for hit in shoes.hits)
    kurtas = search(SearchQuery(text="red kurta", limit=20))
    query, candidates = asked[-1]
    assert query.keywords and "keywords" in candidates.source_ranks
    assert kurtas.hits[0].product.sku.startswith("KURTA")


def test_words_also_find_the_wordless_listings_that_look_like_their_best_results(
    make_product, encoder
):
    make_product("WORDS", title="Puma Men Black Shoe", photos=[dataset_photo("6385")])
    make_product("ALIKE", title="Item 1", photos=[dataset_photo("6385")], category_path=None)
    make_product("OTHER", title="Item 2", photos=[dataset_photo("39239")], category_path=None)
    embed_stale(encoder)
    words = encoder.encode_texts(["black shoe"])[0]
    dims = (encoder.dims.text, encoder.dims.image)
    sku_of = dict(Product.objects.values_list("pk", "sku"))
    query = retrieval.SourceQuery(text_vector=words, photo_text_vector=words, like_results=True)
    candidates = retrieval.retrieve(query, Filters(), encoder.version, dims, per_source=1)
    # The text source's first result is the described shoe: the wordless listing with its
    # photo is the nearest to what the results look like.
    first = {
        name: sku_of[int(candidates.product_ids[list(ranks).index(0)])]
        for name, ranks in candidates.source_ranks.items()
    }
    assert first["text"] == "WORDS" and first["like_results"] == "ALIKE"
    # Without text results to look like, the source finds nothing.
    query.text_vector = None
    candidates = retrieval.retrieve(query, Filters(), encoder.version, dims)
    assert "like_results" not in candidates.source_ranks
