"""Search's part of the readiness check (settings.VITRINE_READINESS_CHECKS)."""

from core.health import NotReady
from search.ml.encoders import encoder_loaded


def check_model_loaded() -> None:
    """A process that has not loaded the encoder would keep its first searches waiting."""
    if not encoder_loaded():
        raise NotReady("the search encoder is not loaded yet")
