"""/healthz and /readyz: the process is up; each service it needs answers."""

import json

import pytest

from tests.processes import project_env, run_python


def test_healthz_answers_without_touching_the_database(client):
    # No `db` fixture: any database access here would raise.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_readyz_is_200_when_every_service_answers(db, client, encoder):
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "redis", "broker", "search_model"}
    assert all(check["ok"] for check in body["checks"].values())


def test_readyz_is_503_naming_the_service_that_does_not_answer(db, client, encoder, settings):
    # A real broker address where nothing listens.
    settings.CELERY_BROKER_URL = "redis://10.255.255.1:1/0"
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "unavailable"
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["database"]["ok"] and body["checks"]["search_model"]["ok"]
    # The public answer names the kind of failure, never the address it tried.
    assert "10.255.255.1" not in response.content.decode()


def test_the_search_check_passes_only_once_the_encoder_is_loaded(tmp_path):
    code = """
import json, django
django.setup()
from core.health import NotReady
from search.health import check_model_loaded
from search.ml.encoders import get_encoder
try:
    check_model_loaded()
    before = "passed"
except NotReady as error:
    before = str(error)
get_encoder()
check_model_loaded()
print(json.dumps(before))
"""
    result = run_python(code, project_env(VITRINE_DATA_DIR=str(tmp_path)), timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == (
        "the search encoder is not loaded yet"
    )


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_are_not_redirected_to_https(db, client, encoder, settings, path):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/").status_code == 301  # pages are
    assert client.get(path).status_code == 200


def test_probes_only_read(client):
    assert client.post("/healthz").status_code == 405
    assert client.get("/healthz", HTTP_X_FORWARDED_FOR="1.2.3.4").status_code == 200
