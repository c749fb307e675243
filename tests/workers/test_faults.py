"""Faults while the shop is busy: Redis stops and PostgreSQL restarts while shoppers check out
and merchants save products. Each ends with every listing indexed, no order lost or duplicated
and no stock below zero."""

import signal
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.urls import reverse

from catalog.models import Product
from core.broker import redis_client
from search.models import ProductIndex
from shop.forms import CheckoutForm
from shop.models import Cart, Order
from tests.processes import (
    SWEEP,
    run_python,
    spawn_worker,
    stop_process_group,
    wait_until,
    worker_env,
)
from tests.shop.conftest import ADDRESS, cart_of
from vitrine.celery import app
from vitrine.settings import celery_url

pytestmark = pytest.mark.django_db(transaction=True)

# More shoppers than the stock serves, so that some checkouts must be refused.
SHOPPERS = 12
UNITS = 2
STOCK = 15
PRODUCTS_SAVED = 6


@pytest.fixture
def site_on_own_redis(own_redis, settings):
    """This process's broker and project keys on the test's own Redis, which it may stop."""
    settings.REDIS_URL = own_redis.url
    saved = app.conf.broker_url, app.conf.result_backend
    app.conf.broker_url = app.conf.result_backend = celery_url(own_redis.url)
    app.close()  # the pooled connections go to the old broker
    redis_client.cache_clear()
    yield own_redis
    app.conf.broker_url, app.conf.result_backend = saved
    app.close()
    redis_client.cache_clear()


def checkout_page_form(cart: Cart, email: str) -> dict:
    shown = CheckoutForm.encode_prices(cart.lines.select_related("product"))
    return {**ADDRESS, "email": email, "payment_method": "pay_on_delivery", "shown_prices": shown}


def test_checkouts_and_product_saves_while_redis_stops_and_starts(
    tmp_path, site_on_own_redis, merchant, make_product
):
    redis = site_on_own_redis
    scarce = make_product("SCARCE", title="Scarce kurta", stock=STOCK)
    shoppers = [
        get_user_model().objects.create_user(f"shopper{n}", f"shopper{n}@example.com", "pw-1")
        for n in range(SHOPPERS)
    ]
    for shopper in shoppers:
        cart_of(shopper, (scarce, UNITS))

    def check_out(shopper) -> dict:
        try:
            client = Client()
            client.force_login(shopper)
            form = checkout_page_form(Cart.objects.get(user=shopper), shopper.email)
            redis_up = redis.is_running()
            response = client.post(reverse("shop:checkout"), form, follow=True)
            return {
                "shopper": shopper,
                "redis_up": redis_up,
                "status": response.status_code,
                "landed": response.redirect_chain[-1][0] if response.redirect_chain else None,
                "page": response.content.decode(),
            }
        finally:
            connection.close()

    def save_product(number: int) -> dict:
        try:
            client = Client()
            client.force_login(merchant.user)
            redis_up = redis.is_running()
            form = {
                "sku": f"OUTAGE-{number}",
                "title": f"Linen shirt {number}",
                "description": "Saved while Redis may be down",
                "category_path": "Apparel > Topwear",
                "price": "24.99",
                "currency": "USD",
                "stock": "5",
                "status": "active",
            }
            response = client.post(reverse("merchant:product_create"), form)
            return {"redis_up": redis_up, "status": response.status_code}
        finally:
            connection.close()

    # The test holds one of the pool's WEB_THREADS (4) connections; the requests share the rest.
    with ThreadPoolExecutor(3) as pool:
        jobs = [pool.submit(check_out, shopper) for shopper in shoppers]
        jobs += [pool.submit(save_product, number) for number in range(PRODUCTS_SAVED)]
        wait(jobs, return_when=FIRST_COMPLETED)
        redis.stop()
        wait_until(lambda: sum(job.done() for job in jobs) >= 2 * len(jobs) // 3, 60, "requests")
        redis.ensure_running()
    results = [job.result() for job in jobs]
    checkouts, saves = results[:SHOPPERS], results[SHOPPERS:]
    # The outage fell among the requests: some of each kind met it.
    assert any(not c["redis_up"] for c in checkouts) and any(not s["redis_up"] for s in saves)

    placed = 0
    for result in checkouts:
        orders = Order.objects.filter(user=result["shopper"])
        lines = Cart.objects.get(user=result["shopper"]).lines
        assert result["status"] == 200
        if result["landed"] == reverse("shop:order_placed"):
            placed += 1
            assert orders.count() == 1 and orders.get().lines.get().quantity == UNITS
            assert not lines.exists()
        else:  # a clear refusal that keeps the cart
            assert result["landed"] == reverse("shop:cart")
            assert "left: lower the quantity in your cart" in result["page"]
            assert not orders.exists() and lines.get().quantity == UNITS
    assert placed == Order.objects.count() == min(SHOPPERS, STOCK // UNITS)
    scarce.refresh_from_db()
    assert scarce.stock == STOCK - UNITS * placed >= 0

    assert all(save["status"] == 302 for save in saves)
    assert Product.objects.filter(sku__startswith="OUTAGE-").count() == PRODUCTS_SAVED
    env = worker_env(tmp_path, redis)
    worker = spawn_worker(env, tmp_path / "worker.log", queues="embed,default")
    try:
        sweep = run_python(SWEEP, {**env, "VITRINE_SWEEP_AFTER_SECONDS": "0"})
        assert sweep.returncode == 0, sweep.stderr
        wait_until(lambda: not ProductIndex.objects.filter(dirty=True).exists(), 120, "the index")
    finally:
        stop_process_group(worker, signal.SIGTERM)
    indexed = ProductIndex.objects.filter(dirty=False, text_vector__isnull=False)
    assert indexed.count() == Product.objects.count() == PRODUCTS_SAVED + 1
