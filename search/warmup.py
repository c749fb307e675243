"""A web process warms up before it takes traffic: the first shoppers must not wait for (or
race on) the models' loading."""

import logging

from PIL import Image

from core.long_lived import keep_out_of_full_collections
from search.ml.encoders import encoder_loaded
from search.selectors import SearchQuery, prepare_query_reading, search

logger = logging.getLogger(__name__)


def warm_up() -> bool:
    """Run one text+photo search, which loads and first runs everything a search needs (the
    encoder, the active trained model, the catalogue's vocabulary), and prepare what a query's
    unknown words will need; then leave all that out of the garbage collector's full passes.
    Returns whether the search model is ready; when it is not, searches answer from keywords
    meanwhile."""
    search(SearchQuery(text="warm up", photo=Image.new("RGB", (64, 64), "white"), limit=1))
    if encoder_loaded():
        prepare_query_reading()
    else:
        logger.warning("The search model is unavailable; searches use keywords meanwhile.")
    keep_out_of_full_collections()
    return encoder_loaded()
