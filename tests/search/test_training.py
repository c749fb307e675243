"""train_search on a small real catalogue: the trained search must beat untrained fusion, and
its model is saved, activated and applied to the index."""

import json

import numpy as np
import pytest

from catalog.models import Product
from search import services, trained
from search.embedding import embed_stale
from search.evaluation import evaluate, read_text_queries
from search.models import ProductIndex
from search.service import SearchQuery, search
from search.training import NotEnoughData, train_search
from search.training.catalogue import load_snapshot, logged_text_queries
from search.training.match_head import text_query_lists
from search.training.pseudo_queries import TextQuery
from tests.search.conftest import KIT


def text_ndcg(truth) -> float:
    queries = read_text_queries(KIT / "text_queries_dev.csv")

    def ranked(query):
        return [hit.product.sku for hit in search(SearchQuery(text=query.text, limit=100)).hits]

    return evaluate(queries, ranked, truth)["text"]["ndcg@10"]


def test_the_trained_search_beats_untrained_fusion_and_is_applied(small_catalogue, encoder):
    untrained = text_ndcg(small_catalogue)

    model = train_search(encoder, log=lambda message: None)

    assert trained.active_version() == model.version
    assert trained.active_model(encoder.version).version == model.version
    saved = json.loads((trained.models_dir() / model.version / "metrics.json").read_text())
    assert saved["photo_map"]["recall_at_10"] > saved["photo_map"]["zero_shot_recall_at_10"]
    # On listings it never saw, the photo classifier names what they are better than a guess.
    for attribute in ("noun", "colour"):
        figures = saved["attribute_classifier"][attribute]
        assert figures["accuracy"] > figures["most_common_share"] + 0.1
    # Every photo now goes through the trained map.
    with_photos = ProductIndex.objects.filter(image_vector__isnull=False)
    assert with_photos.exclude(map_version=model.version).count() == 0
    assert text_ndcg(small_catalogue) > untrained + 0.02


def test_training_refuses_a_catalogue_too_small(make_product, encoder):
    make_product("ONE")
    embed_stale(encoder)
    with pytest.raises(NotEnoughData, match="needs"):
        train_search(encoder)


def test_a_shoppers_choice_counts_as_fully_relevant_in_training(make_product, encoder):
    make_product("COAT", title="Grey wool coat")
    make_product("SCARF", title="Green silk scarf")
    embed_stale(encoder)
    snapshot = load_snapshot(encoder.version, encoder.dims.text, encoder.dims.image)
    scarf = snapshot.titles.index("Green silk scarf")
    services.log_search_event(
        product=Product.objects.get(sku="SCARF"), action="click", position=3, query_text="coat"
    )
    [query] = logged_text_queries(snapshot, limit=10)
    assert query == TextQuery("coat", clicked=scarf)

    lists = text_query_lists(
        snapshot,
        snapshot.text,
        [query],
        encode_texts=encoder.encode_texts,
        keyword_ranks=lambda queries, rows: np.zeros(rows.shape, dtype=np.float32),
        plays_sparse=np.zeros(len(snapshot), dtype=bool),
    )
    gains = dict(zip(lists.candidates[0].tolist(), lists.gains[0].tolist(), strict=True))
    assert gains[scarf] == 2  # chosen, though its title does not say "coat"
    assert gains[snapshot.titles.index("Grey wool coat")] == 2
    # Only the coat's own title names what the shopper typed.
    names = dict(zip(lists.candidates[0].tolist(), lists.title_match[0, :, 0], strict=True))
    assert (names[snapshot.titles.index("Grey wool coat")], names[scarf]) == (1, 0)
