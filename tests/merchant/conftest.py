# A shopper to buy while a merchant edits (the stale-form tests).
from tests.shop.conftest import make_shopper  # noqa: F401
