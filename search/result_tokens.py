"""Signed search answers: each answer carries a token naming the results it showed, to whom, for
which query; a click or an add to cart counts (as training data) only with a valid token, for a
result it shows, from the searcher it was issued to. Forging a signal then costs a real search
from a real client per result, within the search rate limits.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from core.throttling import client_address

if TYPE_CHECKING:
    from search.selectors import SearchResults

SALT = "vitrine.search.results"


class InvalidResultToken(ValueError):
    """A token that is forged, expired, or issued to another searcher."""


@dataclass(frozen=True)
class ShownResults:
    query_text: str
    had_photo: bool
    product_ids: tuple[int, ...]  # in the order shown
    offset: int  # the first one's position in the whole ranking
    searcher: str  # who searched: searcher_of(request)

    def position(self, product_id: int) -> int:
        """The product's 0-based rank in the answer; ValueError when it was not shown."""
        return self.offset + self.product_ids.index(product_id)


def searcher_of(request: HttpRequest) -> str:
    """A keyed hash of who is searching: the account when signed in, else the session, else the
    client's address (a client that drops its cookies is then one searcher, not many)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        identity = f"user:{user.pk}"
    elif getattr(request, "session", None) is not None and request.session.session_key:
        identity = f"session:{request.session.session_key}"
    else:
        identity = f"address:{client_address(request)}"
    return salted_hmac(SALT, identity).hexdigest()[:32]


def shown(request: HttpRequest, query_text: str, found: "SearchResults") -> ShownResults:
    """What a search answer showed this searcher."""
    return ShownResults(
        query_text=" ".join(query_text.split()),
        had_photo=found.had_photo,
        product_ids=tuple(hit.product.pk for hit in found.shown),
        offset=found.offset,
        searcher=searcher_of(request),
    )


def sign(shown: ShownResults) -> str:
    return signing.dumps(
        [shown.query_text, shown.had_photo, list(shown.product_ids), shown.offset, shown.searcher],
        salt=SALT,
        compress=True,
    )


def read(token: str, request: HttpRequest) -> ShownResults:
    """The answer a token was signed for, if it is valid, fresh and this searcher's."""
    try:
        query_text, had_photo, product_ids, offset, searcher = signing.loads(
            token, salt=SALT, max_age=settings.VITRINE_SEARCH_TOKEN_MAX_AGE_SECONDS
        )
    except signing.SignatureExpired as error:
        raise InvalidResultToken("This search is too old; search again.") from error
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise InvalidResultToken("This is not a token of a search answer.") from error
    if searcher != searcher_of(request):
        raise InvalidResultToken("This search answer was given to someone else.")
    return ShownResults(query_text, bool(had_photo), tuple(product_ids), int(offset), searcher)
