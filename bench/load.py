"""Load bench: simulated shoppers against `make serve` on the 10,000-listing catalogue.

Each shopper logs in with a verified test account (bench/load_shoppers.py makes them) and loops
over a fixed mix: home, a category, a product, the HTML search page and an API text search; every
fifth loop also an API photo search and a checkout (add to cart, pay on delivery). The bench
starts the server itself with the per-address limits raised by their settings (one address
stands for every shopper here), then measures:

1. 16 first searches at once, as soon as the server answers /healthz;
2. `--users` shoppers pausing ~2 s between requests for `--paced-seconds`;
3. the same shoppers without pauses for `--flat-out-seconds`.

Each phase's shoppers log in together when it starts; the phase is timed from when all are in,
and their logins are reported apart. Each shopper starts at a place of its own in the mix.

It prints p50/p95 per endpoint, requests/s and failures (429s apart) for each phase, then one JSON
line, and writes bench/results/load.json.

    VITRINE_DATA_DIR=/work/loaddata .venv/bin/python bench/load.py [--port 8765] [--users 32]

The data dir must hold the catalogue, embedded (bench/README.md, "Load").
"""

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import csv  # noqa: E402
import html  # noqa: E402
import itertools  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402
import requests  # noqa: E402
from common import ROOT, SHARED, record_result  # noqa: E402
from locust import HttpUser, between, constant, task  # noqa: E402
from locust.env import Environment  # noqa: E402

EVAL = SHARED / "eval"
PHOTOS = SHARED / "datasets" / "fashion-product-images-small" / "images"
# One address stands for every shopper: its limits are raised, not switched off.
RAISED_LIMITS = {
    "VITRINE_API_RATE_ANON": "100000/min",
    "VITRINE_API_RATE_USER": "100000/min",
    "VITRINE_API_RATE_SEARCH_ANON": "100000/min",
    "VITRINE_API_RATE_SEARCH_USER": "100000/min",
    "VITRINE_RATE_PHOTO_SEARCH_ANON": "100000/min",
    "VITRINE_RATE_PHOTO_SEARCH_USER": "100000/min",
    "VITRINE_RATE_SIGNUP": "100000/hour",
    "VITRINE_MAX_OPEN_UNPAID_ORDERS": "1000000",
    "VITRINE_LOGIN_FAILURE_LIMIT": "100000",
    # The shoppers all log in from this machine's one address.
    "VITRINE_RATE_LOGIN": "100000/min",
}
# No TLS proxy stands in front of the bench: plain HTTP, with cookies sent over it.
PLAIN_HTTP = {"DJANGO_SECURE_SSL_REDIRECT": "0", "DJANGO_SECURE_COOKIES": "0"}
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
HIDDEN_PRICES = re.compile(r'name="shown_prices" value="([^"]*)"')
ADDRESS = {
    "full_name": "Load Shopper",
    "address_line1": "1 Bench Street",
    "city": "Testville",
    "postal_code": "12345",
    "country": "Netherlands",
    "phone": "+31 20 000 0000",
    "payment_method": "pay_on_delivery",
}


class Shopper(HttpUser):
    """One logged-in shopper walking the fixed mix; the fixtures are set on the class."""

    abstract = True
    accounts: itertools.cycle
    password: str
    products: list[tuple[int, str]]  # id and page
    categories: list[str]
    text_queries: list[str]
    photos: list[Path]
    throttled: dict[str, int]
    logged_in: int

    def on_start(self) -> None:
        self.username = next(self.accounts)
        page = self.client.get("/accounts/login/", name="login page")
        self.client.post(
            "/accounts/login/",
            {"login": self.username, "password": self.password, **_csrf(page.text)},
            name="login",
        )
        type(self).logged_in += 1
        self.product = random.choice(self.products)
        self.query = random.choice(self.text_queries)
        # Each shopper starts at a place of its own in the mix, as shoppers arrive at different
        # times (all starting at home would send every search of the phase in one burst); not
        # inside a checkout, whose steps need the cart that its first step fills.
        loops, checkout = self._steps()
        start = random.randrange(len(loops))
        self.walk = itertools.islice(itertools.cycle(loops + checkout), start, None)

    @task
    def step(self) -> None:
        """One request of the mix; Locust's wait_time pauses between requests."""
        next(self.walk)()

    def _steps(self) -> tuple[list[Callable[[], object]], list[Callable[[], object]]]:
        """Five loops of the mix, then the fifth loop's photo search and checkout."""
        loop = [self._home, self._category, self._product, self._search_page, self._api_search]
        checkout = [self._photo_search, self._add_to_cart, self._checkout_page, self._checkout]
        return loop * 5, checkout

    def _home(self) -> None:
        self._get("/", "home")

    def _category(self) -> None:
        self._get(random.choice(self.categories), "category")

    def _product(self) -> None:
        self.product = random.choice(self.products)
        self._get(self.product[1], "product")

    def _search_page(self) -> None:
        self.query = random.choice(self.text_queries)
        self._get("/search/", "search page", params={"q": self.query})

    def _api_search(self) -> None:
        self._get("/api/v1/search/", "api text search", params={"q": self.query})

    def _photo_search(self) -> None:
        with random.choice(self.photos).open("rb") as photo:
            self._send("/api/v1/search/", "api photo search", files={"image": photo})

    def _add_to_cart(self) -> None:
        self._send("/cart/add/", "cart add", data={"product": self.product[0], "quantity": 1})

    def _checkout_page(self) -> None:
        page = self._get("/checkout/", "checkout page")
        prices = HIDDEN_PRICES.search(page.text or "")
        self.shown_prices = html.unescape(prices.group(1)) if prices else ""

    def _checkout(self) -> None:
        self._send(
            "/checkout/",
            "checkout",
            data={
                **ADDRESS,
                "email": f"{self.username}@example.com",
                "shown_prices": self.shown_prices,
            },
            expect_path="/checkout/thank-you/",
        )

    def _get(self, path: str, name: str, **kwargs):
        with self.client.get(path, name=name, catch_response=True, **kwargs) as response:
            self._judge(response, name)
        return response

    def _send(self, path: str, name: str, expect_path: str | None = None, **kwargs) -> None:
        token = self.client.cookies.get("csrftoken", "")
        with self.client.post(
            path, name=name, catch_response=True, headers={"X-CSRFToken": token}, **kwargs
        ) as response:
            self._judge(response, name)
            if expect_path and response.ok and not response.url.endswith(expect_path):
                response.failure(f"ended at {response.url}, not {expect_path}")

    def _judge(self, response, name: str) -> None:
        # A 429 is the shop's limits speaking, not a failure to answer: counted apart.
        if response.status_code == 429:
            self.throttled[name] = self.throttled.get(name, 0) + 1
            response.success()


class PacedShopper(Shopper):
    wait_time = between(1.5, 2.5)


class FlatOutShopper(Shopper):
    wait_time = constant(0)


def _csrf(html: str) -> dict[str, str]:
    found = CSRF_FIELD.search(html or "")
    return {"csrfmiddlewaretoken": found.group(1)} if found else {}


def run_phase(user_class: type[Shopper], host: str, users: int, seconds: int) -> dict:
    user_class.throttled = {}
    user_class.logged_in = 0
    env = Environment(user_classes=[user_class], host=host)
    runner = env.create_local_runner()
    runner.start(users, spawn_rate=users)
    # Every shopper logs in at once when a phase starts (a password hash each, seconds of CPU
    # together): the phase is timed from when all are in, and the logins are reported apart.
    deadline = time.monotonic() + 300
    while user_class.logged_in < users and time.monotonic() < deadline:
        gevent.sleep(0.1)
    logins = {
        name: _figures(entry, user_class)
        for (name, _method), entry in env.stats.entries.items()
        if name.startswith("login")
    }
    env.stats.reset_all()
    gevent.spawn_later(seconds, runner.quit)
    runner.greenlet.join()
    endpoints = {
        name: _figures(entry, user_class)
        for (name, _method), entry in sorted(env.stats.entries.items())
        if entry.num_requests
    }
    total = env.stats.total
    errors = [
        f"{e.method} {e.name}: {e.error} (x{e.occurrences})" for e in env.stats.errors.values()
    ]
    return {
        "users": users,
        "seconds": seconds,
        "requests": total.num_requests,
        "requests_per_second": round(total.num_requests / seconds, 1),
        "failures": total.num_failures,
        "throttled": sum(user_class.throttled.values()),
        "endpoints": endpoints,
        "errors": errors[:20],
        "load_average": os.getloadavg(),
        "logins": logins,
    }


def _figures(entry, user_class: type[Shopper]) -> dict:
    return {
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        "throttled": user_class.throttled.get(entry.name, 0),
        "p50_ms": entry.get_response_time_percentile(0.5),
        "p95_ms": entry.get_response_time_percentile(0.95),
    }


def first_searches(host: str, queries: list[str], count: int) -> dict:
    """`count` API text searches at once, the first the server sees."""

    def one(query: str) -> tuple[int, float]:
        started = time.monotonic()
        try:
            status = requests.get(
                f"{host}/api/v1/search/", params={"q": query}, timeout=120
            ).status_code
        except requests.RequestException:
            status = 0
        return status, (time.monotonic() - started) * 1000

    jobs = [gevent.spawn(one, query) for query in random.sample(queries, count)]
    gevent.joinall(jobs)
    answers = [job.value for job in jobs]
    return {
        "sent": count,
        "answered": sum(status == 200 for status, _ in answers),
        "statuses": sorted(status for status, _ in answers),
        "slowest_ms": round(max(ms for _, ms in answers)),
    }


def start_server(port: int, log: Path | None) -> subprocess.Popen:
    env = {**os.environ, **RAISED_LIMITS, **PLAIN_HTTP, "WEB_PORT": str(port)}
    output = log.open("w") if log else subprocess.DEVNULL
    server = subprocess.Popen(
        # -o: never rebuild the virtualenv from here, whatever the timestamps say.
        ["make", "-o", ".venv/.installed", "serve"],
        cwd=ROOT,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    host = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{host}/healthz", timeout=2).ok:
                return server
        except requests.RequestException:
            pass
        if server.poll() is not None:
            sys.exit(f"make serve exited with status {server.returncode}")
        time.sleep(0.2)
    stop_server(server)
    sys.exit("the server did not answer /healthz within 5 minutes")


def stop_server(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGINT)
    try:
        server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


def wait_ready(host: str) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{host}/readyz", timeout=5).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(1)
    sys.exit("the server was not ready within 5 minutes")


def print_phase(title: str, phase: dict) -> None:
    load = phase["load_average"][0]
    print(f"\n{title}: {phase['users']} shoppers, {phase['seconds']} s, load average {load:.2f}")
    print(f"{'endpoint':<18}{'requests':>9}{'failed':>8}{'429':>6}{'p50 ms':>9}{'p95 ms':>9}")
    for name, row in phase["endpoints"].items():
        print(
            f"{name:<18}{row['requests']:>9}{row['failures']:>8}{row['throttled']:>6}"
            f"{row['p50_ms']:>9.0f}{row['p95_ms']:>9.0f}"
        )
    print(
        f"total: {phase['requests']} requests, {phase['requests_per_second']}/s, "
        f"{phase['failures']} failed, {phase['throttled']} throttled (429)"
    )
    for error in phase["errors"]:
        print(f"  {error}")
    for name, row in phase["logins"].items():
        print(f"before the phase, {name}: {row['requests']} requests, p50 {row['p50_ms']:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--users", type=int, default=32)
    parser.add_argument("--paced-seconds", type=int, default=60)
    parser.add_argument("--flat-out-seconds", type=int, default=30)
    parser.add_argument("--first-searches", type=int, default=16)
    parser.add_argument("--server-log", type=Path, help="where the server's output goes")
    args = parser.parse_args()
    if "VITRINE_DATA_DIR" not in os.environ:
        sys.exit("Set VITRINE_DATA_DIR to the data dir that holds the embedded catalogue.")

    prepared = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "load_shoppers.py"),
            "--shoppers",
            str(2 * args.users),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    fixtures = json.loads(prepared.stdout.strip().splitlines()[-1])
    with (EVAL / "text_queries_dev.csv").open() as queries:
        text_queries = [row["query"] for row in csv.DictReader(queries)]
    with (EVAL / "photo_queries_dev.csv").open() as queries:
        photos = [PHOTOS / row["image"] for row in csv.DictReader(queries)]
    Shopper.accounts = itertools.cycle(fixtures["shoppers"])
    Shopper.password = fixtures["password"]
    Shopper.products = fixtures["products"]
    Shopper.categories = fixtures["categories"]
    Shopper.text_queries = text_queries
    Shopper.photos = photos

    host = f"http://127.0.0.1:{args.port}"
    server = start_server(args.port, args.server_log)
    try:
        first = first_searches(host, text_queries, args.first_searches)
        wait_ready(host)
        paced = run_phase(PacedShopper, host, args.users, args.paced_seconds)
        flat_out = run_phase(FlatOutShopper, host, args.users, args.flat_out_seconds)
    finally:
        stop_server(server)

    print(
        f"first searches: {first['answered']} of {first['sent']} answered "
        f"(slowest {first['slowest_ms']} ms, statuses {first['statuses']})"
    )
    print_phase("paced (~2 s between requests)", paced)
    print_phase("flat out (no pauses)", flat_out)
    result = {"first_searches": first, "paced": paced, "flat_out": flat_out}
    out = record_result("load", result)
    print(json.dumps(result))
    print(f"recorded in {out}")


if __name__ == "__main__":
    main()
