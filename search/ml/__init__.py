"""Search's machine learning: encoders, the models trained on the catalogue, and their training.

Nothing here answers a request on its own; the request path (search.selectors) calls in.
"""
