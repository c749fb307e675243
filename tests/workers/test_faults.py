"""Faults while the shop is busy: Redis stops and PostgreSQL restarts while shoppers check out
and merchants save products. Each ends with every listing indexed, no order lost or duplicated
and no stock below zero."""

import http.client
import json
import shutil
import subprocess
import tempfile
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from pathlib import Path
from urllib.parse import urlencode

import pgserver
import psycopg
import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from catalog.models import Product
from core.broker import redis_client
from core.embedded import EmbeddedPostgres
from search.models import ProductIndex
from shop.forms import CheckoutForm
from shop.models import Cart, Order
from tests.accounts_helpers import verified_shopper
from tests.processes import (
    PROJECT_ROOT,
    SETUP,
    SWEEP,
    current_database_url,
    free_port,
    http_get,
    project_env,
    run_python,
    spawn_worker,
    start_runserver,
    stop_process_group,
    wait_for_page,
    wait_until,
    worker_env,
)
from tests.shop.conftest import ADDRESS, cart_of
from vitrine.celery import app
from vitrine.settings import celery_url

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

PRODUCTS_SAVED = 6
# Two checkouts to a product save; more shoppers than the stock serves, so that some checkouts
# must be refused.
SHOPPERS = 2 * PRODUCTS_SAVED
UNITS = 2
STOCK = 15


def publish_to(broker_url: str) -> None:
    """Send this process's tasks to `broker_url`. The app's connection pool and its producer
    pool are made on first use, for the broker of that time: an earlier test's publish (any
    product saved) would keep this test's tasks going to the old broker."""
    app.conf.broker_url = app.conf.result_backend = broker_url  # one Redis, as in settings
    app.close()  # the connection pool
    del app.amqp  # the producer pool, bound to the old broker


@pytest.fixture
def site_on_own_redis(own_redis, settings):
    """This process's broker and project keys on the test's own Redis, which it may stop."""
    settings.REDIS_URL = own_redis.url
    previous_broker = app.conf.broker_url
    publish_to(celery_url(own_redis.url))
    redis_client.cache_clear()
    yield own_redis
    publish_to(previous_broker)
    redis_client.cache_clear()


def product_form(sku: str) -> dict[str, str]:
    """The merchant's new-product form, filled in."""
    return {
        "sku": sku,
        "title": f"Linen shirt {sku}",
        "description": "Saved while a service may be down",
        "category_path": "Apparel > Topwear",
        "price": "24.99",
        "currency": "USD",
        "stock": "5",
        "status": "active",
    }


def checkout_page_form(cart: Cart, email: str) -> dict:
    shown = CheckoutForm.encode_prices(cart.lines.select_related("product"))
    return {**ADDRESS, "email": email, "payment_method": "pay_on_delivery", "shown_prices": shown}


def test_checkouts_and_product_saves_while_redis_stops_and_starts(
    tmp_path, site_on_own_redis, merchant, make_product
):
    redis = site_on_own_redis
    scarce = make_product("SCARCE", title="Scarce kurta", stock=STOCK)
    shoppers = [
        verified_shopper(f"shopper{n}", f"shopper{n}@example.com", "pw-1") for n in range(SHOPPERS)
    ]
    for shopper in shoppers:
        cart_of(shopper, (scarce, UNITS))
    # The worker runs through the outage, as in production: it must find Redis again.
    env = worker_env(tmp_path, redis)
    worker = spawn_worker(env, tmp_path / "worker.log", queues="embed,default")

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
            response = client.post(
                reverse("merchant:product_create"), product_form(f"OUTAGE-{number}")
            )
            return {"redis_up": redis_up, "status": response.status_code}
        finally:
            connection.close()

    try:
        # Both kinds of request, interleaved, so that both meet the outage.
        with ThreadPoolExecutor(3) as pool:
            checkouts, saves = [], []
            for number in range(PRODUCTS_SAVED):
                pair = shoppers[2 * number : 2 * number + 2]
                checkouts += [pool.submit(check_out, shopper) for shopper in pair]
                saves.append(pool.submit(save_product, number))
            jobs = checkouts + saves
            wait(jobs, return_when=FIRST_COMPLETED)
            redis.stop()
            wait_until(lambda: sum(job.done() for job in jobs) >= len(jobs) // 2, 60, "requests")
            redis.ensure_running()
        checkouts = [job.result() for job in checkouts]
        saves = [job.result() for job in saves]
        # The outage fell among the requests: some of each kind met it.
        assert any(not c["redis_up"] for c in checkouts), checkouts
        assert any(not s["redis_up"] for s in saves), saves

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
        # Beat's sweeper, once, for the products saved while Redis was down.
        sweep = run_python(SWEEP, {**env, "VITRINE_SWEEP_AFTER_SECONDS": "0"})
        assert sweep.returncode == 0, sweep.stderr
        wait_until(lambda: not ProductIndex.objects.filter(dirty=True).exists(), 90, "the index")
        assert worker.poll() is None  # the same worker, never restarted
    finally:
        stop_process_group(worker)
    indexed = ProductIndex.objects.filter(dirty=False, text_vector__isnull=False)
    assert indexed.count() == Product.objects.count() == PRODUCTS_SAVED + 1


# The site runs behind a TLS proxy, which says so in this header.
VIA_TLS = {"X-Forwarded-Proto": "https"}
# Any 32 letters serve as a CSRF secret, sent as the cookie and as the form's token.
CSRF_SECRET = "faultsfaultsfaultsfaultsfaults12"
# Seconds a request waits for a pooled connection before it fails (the server's setting).
POOL_TIMEOUT = 3
# How long PostgreSQL stays down while requests run, at least.
OUTAGE_SECONDS = 18
# The version of an encoder before this one.
OLD_ENCODER = "embedded:old"
SEED = """
import json
from decimal import Decimal
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.test import Client
from catalog import services
from catalog.models import Product
from search.models import ProductIndex
from shop.forms import CheckoutForm
from shop.models import Cart
from shop.services.cart import add_to_cart
merchant = services.create_merchant("alice", "correct-horse-battery", name="Alice's Shop")
client = Client()
client.force_login(merchant.user)
merchant_session = client.cookies["sessionid"].value
product = services.save_product(Product(merchant=merchant, sku="SCARCE", title="Scarce kurta",
    price=Decimal("19.99"), stock=stock, status="active"), category_path="Apparel > Topwear")
# As if an earlier encoder had embedded it: a worker starting with this one must embed it again.
ProductIndex.objects.filter(product=product).update(dirty=False, encoder_version=old_encoder)
sessions = {}
for number in range(shoppers):
    user = get_user_model().objects.create_user(f"shopper{number}", f"s{number}@example.com")
    # Verified, as a pay-on-delivery order asks.
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    cart = Cart.objects.create(user=user)
    add_to_cart(cart, product, units)
    client = Client()
    client.force_login(user)
    sessions[user.username] = client.cookies["sessionid"].value
print(json.dumps({"product": product.pk, "page": product.get_absolute_url(),
                  "sessions": sessions, "merchant": merchant_session,
                  "shown_prices": CheckoutForm.encode_prices(cart.lines.all())}))
"""
OUTCOME = (
    SETUP
    + """
import json
from catalog.models import Product
from search.models import ProductIndex
from shop.models import Cart
print(json.dumps({
    "stock": Product.objects.get(sku="SCARCE").stock,
    "shoppers": {cart.user.username: {"orders": cart.user.orders.count(),
                                      "cart_units": sum(line.quantity for line in cart.lines.all())}
                 for cart in Cart.objects.select_related("user")},
    "indexed": {p.sku: not p.search_index.dirty and p.search_index.text_vector is not None
                for p in Product.objects.select_related("search_index")},
    "encoder_versions": sorted({row.encoder_version for row in ProductIndex.objects.all()}),
}))
"""
)


def post_form(port: int, path: str, session: str, form: dict[str, str]) -> tuple[int | None, str]:
    """A form page's POST with a signed-in session: the status and where it leads, or no
    status when no answer came."""
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        client.request(
            "POST",
            path,
            body=urlencode({**form, "csrfmiddlewaretoken": CSRF_SECRET}),
            headers={
                **VIA_TLS,
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"sessionid={session}; csrftoken={CSRF_SECRET}",
                "Origin": f"https://127.0.0.1:{port}",
            },
        )
        response = client.getresponse()
        response.read()
        return response.status, response.headers.get("Location", "")
    except OSError:
        return None, ""
    finally:
        client.close()


class Readers:
    """Threads that read product pages and the product API until stopped, and note
    when each request started, how long it took and its status (None: no answer)."""

    def __init__(self, port: int, product: int, page: str, threads: int = 2) -> None:
        # Not search: its first use loads the model, which takes longer than this test.
        self.paths = [page, f"/api/v1/products/{product}/"]
        self.port, self.log, self._stop = port, [], threading.Event()
        self._threads = [threading.Thread(target=self._read, args=(n,)) for n in range(threads)]

    def __enter__(self) -> "Readers":
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()

    def _read(self, offset: int) -> None:
        number = offset
        while not self._stop.is_set():
            path = self.paths[number % len(self.paths)]
            started = time.monotonic()
            try:
                status = http_get(self.port, path, VIA_TLS, timeout=30)[0]
            except OSError:
                status = None
            self.log.append((started, time.monotonic() - started, path, status))
            number += 1
            time.sleep(0.05)


@pytest.fixture
def own_postgres() -> EmbeddedPostgres:
    """A PostgreSQL of this test's own, which it may stop and start, holding a copy of the
    test database (its schema and migrations, without migrating again). Its folder is under
    var/, where PostgreSQL's own system user may reach it."""
    folder = Path(tempfile.mkdtemp(prefix="fault-db-", dir=PROJECT_ROOT / "var"))
    server = EmbeddedPostgres(folder)
    url = f"postgresql://postgres@/vitrine?host={server.ensure_running()}"
    binaries = pgserver._commands.POSTGRES_BIN_PATH
    dump = subprocess.run(
        [binaries / "pg_dump", "--no-owner", "--dbname", current_database_url()],
        capture_output=True,
        check=True,
    )
    subprocess.run(
        [binaries / "psql", "--quiet", "--set", "ON_ERROR_STOP=1", "--dbname", url],
        input=dump.stdout,
        capture_output=True,
        check=True,
    )
    yield server
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)


def test_requests_fail_cleanly_while_postgresql_restarts_and_succeed_after(
    tmp_path, own_redis, own_postgres
):
    shoppers, units, stock = 8, 2, 11  # too little stock for all: some checkouts are refused
    database = own_postgres
    port = free_port()
    database_url = f"postgresql://postgres@/vitrine?host={database.socket_dir()}"
    env = project_env(
        # Production's settings, its connection pool included (the test settings have none).
        DJANGO_SETTINGS_MODULE="tests.served_settings",
        VITRINE_DATA_DIR=str(tmp_path / "site"),
        DATABASE_URL=database_url,
        REDIS_URL=own_redis.url,
        DATABASE_POOL_TIMEOUT=str(POOL_TIMEOUT),
        DJANGO_BEHIND_TLS_PROXY="1",
        # A batch cut short by the outage is taken again soon, not after five minutes.
        VITRINE_EMBED_LEASE_SECONDS="5",
    )
    seeded = run_python(
        SETUP
        + f"shoppers, units, stock, old_encoder = {shoppers}, {units}, {stock}, {OLD_ENCODER!r}"
        + SEED,
        env,
    )
    assert seeded.returncode == 0, seeded.stderr
    seed = json.loads(seeded.stdout)
    form = {**ADDRESS, "email": "shopper@example.com", "payment_method": "pay_on_delivery"}
    form["shown_prices"] = seed["shown_prices"]
    sessions = seed["sessions"]
    names = list(sessions)
    before, after_restart, during = names[:2], names[2:4], names[4:]

    def check_out(name: str) -> tuple[int | None, str]:
        return post_form(port, "/checkout/", sessions[name], form)

    def save_product(sku: str) -> tuple[int | None, str]:
        return post_form(port, "/merchant/products/new/", seed["merchant"], product_form(sku))

    worker_log = tmp_path / "worker.log"
    server = start_runserver(port, env, tmp_path / "server.log")
    worker = None
    try:
        assert wait_for_page(port, "/healthz", timeout=60) == 200
        answers = {name: check_out(name) for name in before}
        saved_before = save_product("BEFORE")
        # A restart between requests: the connections the site's pool holds die with it.
        database.stop()
        database.ensure_running()
        answers |= {name: check_out(name) for name in after_restart}
        # An outage while shoppers check out, the merchant saves, readers load pages and the
        # API, and a worker starts (it cannot flag the rows of the older encoder); long enough
        # that a pool retrying with a growing delay would still be waiting once it is over.
        with Readers(port, seed["product"], seed["page"]) as readers:
            database.stop()
            down = time.monotonic()
            worker = spawn_worker(env, worker_log, queues="embed")
            failed_while_down = {name: check_out(name) for name in during}
            refused_while_down = save_product("DURING")
            wait_until(lambda: "Could not flag" in worker_log.read_text(), 90, "the worker's start")
            time.sleep(max(0.0, down + OUTAGE_SECONDS - time.monotonic()))
            # The server takes connections before ensure_running returns (it then creates the
            # database and role where missing): the outage ends as the restart begins.
            restarting = time.monotonic()
            database.ensure_running()
            back = time.monotonic()
            # The shoppers and the merchant try again, as the error page asks.
            answers |= {name: check_out(name) for name in during}
            saved_after = save_product("DURING")
            time.sleep(POOL_TIMEOUT)
        # Beat's sweeper, once; then the worker, started during the outage, indexes everything.
        sweep = run_python(SWEEP, {**env, "VITRINE_SWEEP_AFTER_SECONDS": "0"})
        assert sweep.returncode == 0, sweep.stderr
        table = ProductIndex._meta.db_table
        stale = f"SELECT count(*) FROM {table} WHERE dirty OR encoder_version = %s"
        with psycopg.connect(database_url, autocommit=True) as watcher:
            wait_until(
                lambda: watcher.execute(stale, [OLD_ENCODER]).fetchone() == (0,), 90, "the index"
            )
        assert worker.poll() is None
    finally:
        stop_process_group(server)
        if worker is not None:
            stop_process_group(worker)
    counted = run_python(OUTCOME, env)
    assert counted.returncode == 0, counted.stderr
    outcome = json.loads(counted.stdout)

    # Every request got an answer, in about the pool's timeout at most: none hung.
    assert all(
        status is not None and took < POOL_TIMEOUT + 5 for _, took, _, status in readers.log
    ), readers.log
    # A request that started a pool's timeout before the restart had given up by then.
    outage = [
        status
        for started, _, _, status in readers.log
        if down < started < restarting - POOL_TIMEOUT
    ]
    assert outage and all(status >= 500 for status in outage), outage
    assert all(status >= 500 for status, _ in failed_while_down.values()), failed_while_down
    # Once PostgreSQL is back, every request succeeds at once.
    after = [(path, status) for started, _, path, status in readers.log if started > back]
    assert after and all(status == 200 for _, status in after), after

    # Each shopper has one order and an empty cart, or no order and the cart as it was; the
    # stock went to the first who asked for it, and never below zero.
    placed = [name for name, answer in answers.items() if answer == (302, "/checkout/thank-you/")]
    refused = [name for name, answer in answers.items() if answer == (302, "/cart/")]
    assert sorted(placed + refused) == sorted(names), answers
    assert len(placed) == min(shoppers, stock // units)
    for name in placed:
        assert outcome["shoppers"][name] == {"orders": 1, "cart_units": 0}
    for name in refused:
        assert outcome["shoppers"][name] == {"orders": 0, "cart_units": units}
    assert outcome["stock"] == stock - units * len(placed) >= 0

    # The product saved during the outage was refused whole, then saved whole; every listing
    # is indexed by the current encoder.
    assert saved_before[0] == saved_after[0] == 302 and refused_while_down[0] >= 500
    assert outcome["indexed"] == {"SCARCE": True, "BEFORE": True, "DURING": True}
    assert (
        len(outcome["encoder_versions"]) == 1 and "embedded:old" not in outcome["encoder_versions"]
    )
