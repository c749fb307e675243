# The merchant's advice is read off a trained search: the search tests' small catalogue.
from tests.search.conftest import small_catalogue  # noqa: F401
