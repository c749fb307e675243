"""Gunicorn's configuration for `make serve` (`gunicorn -c python:vitrine.gunicorn`).

Its numbers come from the Django settings, which read them from the environment, so that the
database pool and the embedded server's connection limit are sized for the same workers and
threads (README, Production).
"""

import os
import threading

from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vitrine.settings")
# A request encodes one short query: one torch thread each. Threads that split it would spin
# against the other requests' and processes' on the same cores (the workers inherit this).
os.environ.setdefault("VITRINE_TORCH_THREADS", "1")
# torch.set_num_threads reaches only the thread that calls it (the one that loads the model):
# OpenMP gives every other thread, each request's among them, a team the size of the machine
# unless its environment says otherwise before torch loads (in the forked worker).
os.environ.setdefault("OMP_NUM_THREADS", os.environ["VITRINE_TORCH_THREADS"])

wsgi_app = "vitrine.wsgi:application"
bind = [f"{settings.WEB_HOST}:{settings.WEB_PORT}"]
# Fixed processes times fixed threads: each thread holds at most one pooled database connection.
worker_class = "gthread"
workers = settings.WEB_WORKERS
threads = settings.WEB_THREADS
timeout = settings.WEB_TIMEOUT
graceful_timeout = 30
keepalive = 5
# Each process loads the model itself, after the fork: torch's thread pools do not survive one.
preload_app = False
accesslog = "-"
# Gunicorn's control socket lives in one place per user ($HOME/.gunicorn): two sites on one
# host would fight over it, and nothing here uses it.
control_socket_disable = True


def pre_request(worker, request) -> None:
    """End a kept-alive connection after settings.WEB_REQUESTS_PER_CONNECTION requests: the
    answer says "Connection: close", so the client knows to open a new one (an idle timeout
    would close it under a client that may be reusing it)."""
    if request.req_number >= settings.WEB_REQUESTS_PER_CONNECTION:
        request.must_close = True


def post_worker_init(worker) -> None:
    """Warm the worker up beside its first requests: it answers /healthz at once and /readyz
    once warm, and its heartbeat goes on however long a loaded host takes to load the model
    (a warm-up that held the worker back past `timeout` would have it killed, again and again)."""
    from search.warmup import warm_up

    threading.Thread(target=warm_up, name="warm-up", daemon=True).start()
