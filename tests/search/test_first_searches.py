"""Shoppers arriving together at a process that just started: its models load once, under a
lock, and every one of them gets an answer (loads in parallel used to crash the process's
model loading: 14 of 16 first searches answered 500)."""

import io
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from PIL import Image

from search.indexing import embed_stale
from tests.processes import (
    current_database_url,
    free_port,
    project_env,
    start_runserver,
    stop_process_group,
    wait_for_page,
)

pytestmark = pytest.mark.slow  # started first: tests/conftest.py

SHOPPERS = 16


def answer(request: urllib.request.Request | str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(request, timeout=180) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def text_search(base: str) -> tuple[int, bytes]:
    return answer(f"{base}/api/v1/search/?{urllib.parse.urlencode({'q': 'red kurta'})}")


def page_search(base: str) -> tuple[int, bytes]:
    return answer(f"{base}/search/?q=kurta")


def photo_search(base: str) -> tuple[int, bytes]:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 80), "red").save(buffer, "JPEG")
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="q.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        + buffer.getvalue()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(
        f"{base}/api/v1/search/",
        data=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    return answer(request)


@pytest.mark.django_db(transaction=True)
def test_sixteen_first_searches_at_once_all_answer(make_product, encoder, tmp_path):
    make_product("KURTA", title="Mother Earth Women Red Kurta")
    embed_stale(encoder)
    port = free_port()
    env = project_env(
        VITRINE_DATA_DIR=str(tmp_path),
        DATABASE_URL=current_database_url(),
        REDIS_URL=settings.REDIS_URL,
        DJANGO_DEBUG="1",  # plain HTTP, as the development server speaks it
        VITRINE_SEARCH_MODELS_DIR=str(tmp_path / "search-models"),
        VITRINE_API_RATE_SEARCH_ANON="1000/min",
        VITRINE_RATE_PHOTO_SEARCH_ANON="1000/min",
    )
    server = start_runserver(port, env, tmp_path / "server.log")
    base = f"http://127.0.0.1:{port}"
    try:
        assert wait_for_page(port, "/healthz", timeout=60) == 200  # up, no model loaded yet
        searches = [text_search, page_search, photo_search, text_search] * (SHOPPERS // 4)
        with ThreadPoolExecutor(SHOPPERS) as shoppers:
            answers = list(shoppers.map(lambda run: run(base), searches))
    finally:
        stop_process_group(server)
    log = (tmp_path / "server.log").read_text()
    assert [status for status, _ in answers] == [200] * SHOPPERS, log
    assert all(b"KURTA" in body or b"Mother Earth" in body for _, body in answers[:2])
    assert log.count("Loaded pretrained weights") <= 1 and "Traceback" not in log
