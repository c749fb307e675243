"""The live catalogue's vocabulary: a changed catalogue is learned again beside the searches."""

import pytest

from search.catalogue_vocabulary import CatalogueVocabulary


@pytest.mark.django_db(transaction=True)  # the learning thread reads through its own connection
def test_a_changed_catalogue_is_learned_again_while_searches_use_the_words_they_have(
    make_product, settings
):
    settings.VITRINE_VOCABULARY_LEARN_IN_BACKGROUND = True
    vocabularies = CatalogueVocabulary()
    make_product("LAMP", title="Brass desk lamp", photos=[], category_path="Lighting > Lamps")
    first = vocabularies.get()
    assert first.knows("lamp") and not first.knows("sofa")

    make_product("SOFA", title="Velvet sofa", photos=[], category_path="Furniture > Sofas")
    assert vocabularies.get() is first  # answered at once, with the words it had
    vocabularies.wait(timeout=60)
    assert vocabularies.get().knows("sofa")


def test_without_background_learning_the_next_search_waits_for_the_new_words(
    make_product, settings
):
    settings.VITRINE_VOCABULARY_LEARN_IN_BACKGROUND = False
    vocabularies = CatalogueVocabulary()
    make_product("LAMP", title="Brass desk lamp", photos=[], category_path="Lighting > Lamps")
    assert not vocabularies.get().knows("sofa")
    make_product("SOFA", title="Velvet sofa", photos=[], category_path="Furniture > Sofas")
    assert vocabularies.get().knows("sofa")
