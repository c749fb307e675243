"""The search log: one row per search answered by the page or the API (its first page), with
what was asked and shown and no personal data; a database that refuses the row costs the row,
never the search; old rows go after the retention period."""

import logging
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from search.analytics import search_analytics
from search.models import SearchLog
from search.tasks import delete_old_search_logs
from tests.api_helpers import upload
from tests.conftest import DATASET_IMAGES, NIGHTDRESS
from tests.processes import project_env, run_python
from vitrine.celery import app

URL = "/api/v1/search/"
ADDRESS, USER_AGENT = "203.0.113.7", "Secret-Browser/1.0 (alice's laptop)"
# Nothing that names a person: no address, account, or browser.
LOG_FIELDS = {
    "id",
    "query_text",
    "corrected_query",
    "had_photo",
    "category",
    "min_price",
    "max_price",
    "in_stock",
    "colour",
    "options",
    "merchant",
    "result_count",
    "took_ms",
    "shown_product_ids",
    "searcher",
    "source",
    "created_at",
}


def assert_no_personal_data(log: SearchLog, *personal: str) -> None:
    assert {field.name for field in SearchLog._meta.fields} == LOG_FIELDS
    values = " ".join(str(getattr(log, field.attname)) for field in SearchLog._meta.fields)
    assert not [value for value in personal if value in values]
    assert len(log.searcher) == 32 and int(log.searcher, 16) >= 0  # a hash


def test_a_page_search_logs_what_was_asked_and_shown(client, three_products):
    shopper = get_user_model().objects.create_user("carol", password="pw-carol-12345")
    client.force_login(shopper)
    response = client.get(
        "/search/",
        {"q": "blue  nightdres", "category": "apparel", "min_price": "10", "in_stock": "on"},
        REMOTE_ADDR=ADDRESS,
        HTTP_USER_AGENT=USER_AGENT,
    )
    assert response.status_code == 200
    log = SearchLog.objects.get()
    assert (log.query_text, log.corrected_query) == ("blue nightdres", "blue nightdress")
    assert (log.source, log.had_photo, log.category.path) == ("page", False, "apparel")
    assert (log.min_price, log.max_price, log.in_stock) == (Decimal("10"), None, True)
    assert log.result_count == response.context["results"].count >= 1
    assert log.took_ms == response.context["results"].took_ms
    assert log.shown_product_ids[0] == three_products[NIGHTDRESS].pk
    assert log.shown_product_ids == [hit.product.pk for hit in response.context["results"].hits]
    assert_no_personal_data(log, ADDRESS, USER_AGENT, "carol", shopper.email or "@")


def test_an_api_search_logs_its_first_page_only(db, three_products):
    client = APIClient()
    first = client.get(
        URL, {"q": "shirt", "limit": 2, "max_price": "45"}, REMOTE_ADDR=ADDRESS
    ).json()
    log = SearchLog.objects.get()
    assert (log.source, log.query_text, log.corrected_query) == ("api", "shirt", "")
    assert (log.min_price, log.max_price, log.in_stock, log.category) == (
        None,
        Decimal("45"),
        False,
        None,
    )
    assert log.result_count == first["count"] and log.took_ms == first["took_ms"]
    assert log.shown_product_ids == [hit["id"] for hit in first["results"]]
    assert_no_personal_data(log, ADDRESS)
    # The next page is the same search paged through: it counts no impression again.
    assert client.get(URL, {"q": "shirt", "limit": 2, "offset": 2}).status_code == 200
    assert SearchLog.objects.count() == 1
    # What the merchant analytics count (the products are the `merchant` fixture's).
    owner = three_products[NIGHTDRESS].merchant
    assert search_analytics(owner.products.all(), days=7).impressions == 1


def test_a_photo_search_logs_that_it_had_a_photo(db, three_products):
    photo = (DATASET_IMAGES / f"{NIGHTDRESS}.jpg").read_bytes()
    response = APIClient().post(URL, {"image": upload(photo)}, format="multipart")
    assert response.status_code == 200
    log = SearchLog.objects.get()
    assert (log.had_photo, log.query_text, log.source) == (True, "", "api")
    assert log.shown_product_ids[0] == three_products[NIGHTDRESS].pk


def test_a_database_that_refuses_the_log_still_answers_the_search(client, three_products, caplog):
    # As a database failed over to a read-only standby would: the INSERT fails, reads work.
    # (In a savepoint rolled back after, which takes the read-only mode back with it.)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION READ ONLY")
        with caplog.at_level(logging.ERROR, logger="search.services"):
            page = client.get("/search/", {"q": "blue nightdress"})
            api = APIClient().get(URL, {"q": "blue nightdress"})
        assert not SearchLog.objects.exists()
        transaction.set_rollback(True)
    assert page.status_code == 200 and "Femella Women Blue Nightdress" in page.content.decode()
    assert api.status_code == 200
    assert api.json()["results"][0]["id"] == three_products[NIGHTDRESS].pk
    assert caplog.text.count("could not be logged") == 2


def make_log(query: str, age: timedelta, **fields) -> SearchLog:
    log = SearchLog.objects.create(
        query_text=query, result_count=1, took_ms=5.0, source=SearchLog.Source.API, **fields
    )
    SearchLog.objects.filter(pk=log.pk).update(created_at=timezone.now() - age)
    return log


def test_beat_deletes_logs_past_their_retention_daily(db, settings, monkeypatch):
    assert app.conf.beat_schedule["delete-old-search-logs"]["task"] == delete_old_search_logs.name
    settings.VITRINE_SEARCH_LOG_RETENTION_DAYS = 30
    monkeypatch.setattr("search.services.SEARCH_LOG_DELETE_BATCH", 2)  # several batches
    for n in range(5):
        make_log(f"old {n}", timedelta(days=30, minutes=1 + n))
    kept = {make_log("recent", timedelta(days=29, hours=23)).pk, make_log("new", timedelta()).pk}
    assert delete_old_search_logs() == 5
    assert set(SearchLog.objects.values_list("pk", flat=True)) == kept


def test_the_retention_comes_from_the_environment_and_is_at_least_a_day(tmp_path):
    show = "import vitrine.settings as s; print(s.VITRINE_SEARCH_LOG_RETENTION_DAYS)"
    env = {"VITRINE_DATA_DIR": str(tmp_path)}
    default = run_python(show, project_env(**env))
    assert default.returncode == 0, default.stderr
    assert default.stdout.strip() == "90"
    week = run_python(show, project_env(**env, VITRINE_SEARCH_LOG_RETENTION_DAYS="7"))
    assert week.stdout.strip() == "7"
    none = run_python(show, project_env(**env, VITRINE_SEARCH_LOG_RETENTION_DAYS="0"))
    assert none.returncode != 0
    assert "VITRINE_SEARCH_LOG_RETENTION_DAYS must be at least 1" in none.stderr


def test_the_admin_shows_the_log_read_only(client, db):
    log = make_log("red kurta", timedelta(hours=1), shown_product_ids=[7])
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw-root-12345")
    client.force_login(admin)
    listing = client.get(reverse("admin:search_searchlog_changelist"))
    assert listing.status_code == 200 and "red kurta" in listing.content.decode()
    change = reverse("admin:search_searchlog_change", args=[log.pk])
    assert client.get(change).status_code == 200
    assert client.post(change, {"query_text": "changed", "result_count": 9}).status_code == 403
    log.refresh_from_db()
    assert (log.query_text, log.result_count) == ("red kurta", 1)
    assert client.get(reverse("admin:search_searchlog_add")).status_code == 403
