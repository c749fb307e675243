"""What a product is, by its words or its photo, and how a photo query agrees with it."""

from dataclasses import replace

import numpy as np
import pytest

from search.candidate_features import QueryVectors, head_inputs
from search.ml.attribute_classifier import (
    AttributeClassifier,
    AttributeProfiles,
    agreement,
    predicted_title_match,
    stated_chance,
)
from search.ml.colour import COLOUR_DIMS
from search.ml.ranking import photo_map_input
from search.ml.trained import SearchModel
from search.ml.vocabulary import Vocabulary
from search.query_words import QueryWords
from search.retrieval import Candidates

CLASSES = {
    "noun": ["kurta", "shoe"],
    "colour": ["black", "red"],
    "gender": ["men", "unisex", "women"],
}


VOCABULARY = Vocabulary.learn(
    ["Puma Men Black Shoe", "Fabindia Women Red Kurta"], ["Footwear > Shoes", "Apparel > Kurtas"]
)


@pytest.fixture
def classifier() -> AttributeClassifier:
    return AttributeClassifier(input_dim=4, classes=CLASSES, hidden=8).eval()


def a_black_shoe_for_men() -> AttributeProfiles:
    """A query photo the classifier is sure of."""
    return AttributeProfiles(
        noun=np.array([[0.0, 1.0]]), colour=np.array([[1.0, 0.0]]), gender=np.array([[1, 0, 0.0]])
    )


def test_described_products_are_read_from_their_words_and_the_rest_from_their_photo(classifier):
    titles = ["Puma Men Black Shoe", "Fabindia Women Red Kurta", "Nike Black Shoe", "Item 37051"]
    categories = ["Footwear > Shoes", "", "", ""]
    profiles = classifier.profiles(
        titles,
        categories,
        classifier.predict(np.ones((4, 4), np.float32)),
        described=np.array([1, 1, 1, 0], bool),
    )
    assert profiles.noun[:3].tolist() == [[0, 1], [1, 0], [0, 1]]
    assert profiles.colour[:3].tolist() == [[1, 0], [0, 1], [1, 0]]
    # A title that names no gender suits any shopper.
    assert profiles.gender[:3].tolist() == [[1, 0, 0], [0, 0, 1], [0, 1, 0]]
    # The product without words: the classifier's distributions.
    for values in (profiles.noun[3], profiles.colour[3], profiles.gender[3]):
        assert values.sum() == pytest.approx(1) and (values > 0).all()


def test_a_photo_query_agrees_with_the_same_thing_in_its_colour_for_its_shopper(classifier):
    products = classifier.profiles(
        ["Puma Men Black Shoe", "Fabindia Women Red Kurta", "ADIDAS Unisex Red Shoe"],
        ["", "", ""],
        classifier.predict(np.zeros((3, 4), np.float32)),
        described=np.ones(3, bool),
    )
    agreements = agreement(CLASSES, a_black_shoe_for_men(), products)
    assert agreements.tolist() == [[1, 1, 1], [0, 0, 0], [1, 0, 1]]


def test_a_product_without_words_is_matched_to_a_text_query_by_its_predicted_attributes():
    predicted = AttributeProfiles(
        noun=np.array([[0.2, 0.8], [0.9, 0.1]]),
        colour=np.array([[0.7, 0.3], [0.4, 0.6]]),
        gender=np.full((2, 3), 1 / 3),
    )
    matches = predicted_title_match(CLASSES, predicted, VOCABULARY.attributes("men black shoes"))
    # Kind and colours as the photo shows them; no words of its own; the audience's expected
    # value from the chance of men's or unisex (2/3 here): 2 * 2/3 - 1.
    assert matches == pytest.approx(np.array([[0.8, 0.7, 0.0, 1 / 3], [0.1, 0.4, 0.0, 1 / 3]]))
    # A kind the query names by two of the catalogue's words: the chance of either.
    either = replace(VOCABULARY.attributes("men black shoes"), kinds=frozenset({"shoe", "kurta"}))
    assert predicted_title_match(CLASSES, predicted, either)[:, 0] == pytest.approx([1.0, 1.0])
    # A noun, colour or audience no title names: nothing to match.
    unknown = predicted_title_match(CLASSES, predicted, VOCABULARY.attributes("teal umbrella"))
    assert unknown.tolist() == [[0, 0, 0, 0], [0, 0, 0, 0]]


def test_the_chance_a_photo_shows_what_words_state_of_colour_and_audience():
    predicted = AttributeProfiles(
        noun=np.full((2, 2), 0.5),
        colour=np.array([[0.7, 0.3], [0.4, 0.6]]),
        gender=np.array([[0.5, 0.25, 0.25], [0.1, 0.1, 0.8]]),
    )
    # Black, for men: a unisex product suits them too.
    chance = stated_chance(CLASSES, predicted, VOCABULARY.attributes("men black shoes"))
    assert chance == pytest.approx([0.7 * 0.75, 0.4 * 0.2])
    assert stated_chance(CLASSES, predicted, VOCABULARY.attributes("red kurta")) == pytest.approx(
        [0.3, 0.6]
    )
    # Words that state neither (or a colour no title names) leave the photos unjudged.
    assert stated_chance(CLASSES, predicted, VOCABULARY.attributes("shoes")) is None
    assert stated_chance(CLASSES, predicted, VOCABULARY.attributes("teal umbrella")) is None


def test_words_that_state_no_colour_leave_the_colour_asked_for_to_the_photo():
    """The head's colour input for a text query: from a title that names one, else from what
    the classifier reads in the photo, for a titled listing as for a wordless one."""
    image_dim, text_dim = 2, 3
    classifier = AttributeClassifier(image_dim + COLOUR_DIMS, CLASSES, hidden=8).eval()
    model = SearchModel("v1", "encoder", head=None, photo_map=None, attribute_classifier=classifier)
    rng = np.random.default_rng(0)
    # A titled listing that states its colour travels without its photo; one that states
    # none, and one without words, with theirs (retrieval.SourceQuery.colourless_photos).
    image = np.vstack([np.zeros(image_dim), rng.normal(size=(2, image_dim))]).astype(np.float32)
    colour = np.vstack([np.zeros(COLOUR_DIMS), rng.random((2, COLOUR_DIMS))]).astype(np.float32)
    candidates = Candidates(
        product_ids=np.arange(3),
        text=np.vstack([np.ones((2, text_dim)), np.zeros((1, text_dim))]).astype(np.float32),
        photo=np.zeros((3, text_dim), np.float32),
        image=image,
        colour=colour,
        image_similarity=np.zeros(3, np.float32),
        keyword_rank=np.zeros(3, np.float32),
        titles=["Puma Men Red Shoe", "Puma Men Shoe", "Item 37051"],
        categories=["", "", ""],
    )
    assert candidates.colourless.tolist() == [False, True, False]
    query = QueryVectors(text=np.ones(text_dim, np.float32))

    inputs = head_inputs(candidates, query, QueryWords("black shoe"), VOCABULARY, model)

    colours = inputs.candidates.title_match[0, :, 1].numpy()
    black = CLASSES["colour"].index("black")
    read = classifier.predict(photo_map_input(image, colour)).colour[:, black]
    assert colours[0] == 0  # its words say red
    assert colours[1:] == pytest.approx(read[1:])
    assert 0 < read[1] < 1
    # Its words still say what it is: a shoe, for men.
    assert inputs.candidates.title_match[0, 1, 0] == 1
