"""What a web process loads before it takes its first request (gunicorn's post_worker_init)."""


def warm_up() -> None:
    """Load the search encoder now, so that no shopper's search waits for it and /readyz
    answers 200 only once it is in memory."""
    from search.ml.encoders import get_encoder

    get_encoder()
