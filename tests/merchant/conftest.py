# The merchant's advice is read off a trained search: the search tests' small catalogue.
from tests.search.conftest import small_catalogue  # noqa: F401

# A shopper to buy while a merchant edits (the stale-form tests).
from tests.shop.conftest import make_shopper  # noqa: F401
