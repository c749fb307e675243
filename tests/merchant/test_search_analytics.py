"""The merchant's search analytics, on the dashboard and in the API: impressions, clicks and
click-through for their own products only, the shop's zero-result queries, and a chart."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from search.models import SearchEvent, SearchLog
from tests.api_helpers import assert_error, token_client

API = "/api/v1/merchant/search-analytics/"


def log_search(query: str, shown: list, count: int | None = None, age=timedelta()) -> None:
    log = SearchLog.objects.create(
        query_text=query,
        result_count=len(shown) if count is None else count,
        took_ms=12.5,
        shown_product_ids=[product.pk for product in shown],
        searcher="a" * 32,
        source=SearchLog.Source.PAGE,
    )
    SearchLog.objects.filter(pk=log.pk).update(created_at=timezone.now() - age)


def act(product, query: str, searcher: str, action=SearchEvent.Action.CLICK, age=timedelta()):
    event = SearchEvent.objects.create(
        product=product, query_text=query, action=action, position=0, searcher=searcher
    )
    SearchEvent.objects.filter(pk=event.pk).update(created_at=timezone.now() - age)


@pytest.fixture
def searches(make_product, other_merchant):
    """Alice's kurta and dress, Bob's boots; searches of the last days and of long ago."""
    kurta = make_product("A-KURTA", title="Red kurta")
    dress = make_product("A-DRESS", title="Blue dress")
    boots = make_product("B-BOOTS", owner=other_merchant, title="Red boots")
    for _ in range(3):
        log_search("red kurta", [kurta, boots])
    log_search("red boots", [boots])
    log_search("blue dress", [dress], age=timedelta(days=2))
    # An hour earlier on the same day, unless the day had not begun an hour before (near
    # midnight the chart's day of the second search would be another).
    now = timezone.localtime()
    since_midnight = now - now.replace(hour=0, minute=0, second=0, microsecond=0)
    log_search(
        "blue dress", [dress], age=timedelta(days=2) + min(timedelta(hours=1), since_midnight)
    )
    log_search("kurta", [kurta], age=timedelta(days=40))  # in the last 90 days only
    log_search("unicorn saddle", [], count=0)
    log_search("unicorn saddle", [], count=0, age=timedelta(days=1))
    log_search("<script>alert('moon')</script>", [], count=0)
    act(kurta, "red kurta", "s1")
    act(kurta, "red kurta", "s2")
    act(kurta, "red kurta", "s1", action=SearchEvent.Action.ADD_TO_CART)  # not a click
    act(boots, "red kurta", "s3")
    act(boots, "red boots", "s3")
    return kurta, dress, boots


@pytest.fixture
def alice_client(client, merchant):
    client.force_login(merchant.user)
    return client


def top_queries(page: str) -> dict[str, list[str]]:
    """The top-queries table: query -> [searches, clicks, click-through]."""
    table = page.split("data-top-queries", 1)[1].split("</table>", 1)[0]
    rows = re.findall(
        r"<tr>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>", table, re.S
    )
    return {re.sub(r"<[^>]+>", "", query): [a, b, c] for query, a, b, c in rows}


def test_the_page_shows_the_merchants_own_figures(alice_client, searches):
    page = alice_client.get(reverse("merchant:search_analytics")).content.decode()
    assert top_queries(page) == {
        "red kurta": ["3", "2", "66.7%"],
        "blue dress": ["2", "0", "0.0%"],
    }
    assert 'data-figure="impressions">5<' in page and 'data-figure="clicks">2<' in page
    assert 'data-figure="ctr">40.0%<' in page
    assert "red boots" not in page  # Bob's product's query


def test_the_period_is_chosen(alice_client, searches):
    week = alice_client.get(reverse("merchant:search_analytics"), {"days": "7"})
    quarter = alice_client.get(reverse("merchant:search_analytics"), {"days": "90"})
    assert "kurta" not in top_queries(week.content.decode())
    assert top_queries(quarter.content.decode())["kurta"] == ["1", "0", "0.0%"]
    nonsense = alice_client.get(reverse("merchant:search_analytics"), {"days": "100000"})
    assert nonsense.status_code == 200 and nonsense.context["days"] == 30


def test_the_shops_zero_result_queries_come_most_frequent_first_escaped(alice_client, searches):
    page = alice_client.get(reverse("merchant:search_analytics")).content.decode()
    table = page.split("data-zero-result-queries", 1)[1].split("</table>", 1)[0]
    assert table.index("unicorn saddle") < table.index("alert")
    assert "<td>2</td>" in table
    assert "<script>alert" not in page and "&lt;script&gt;alert(&#x27;moon&#x27;)" in table


def test_the_chart_is_an_inline_svg_of_both_series_per_day(alice_client, searches):
    page = alice_client.get(reverse("merchant:search_analytics"), {"days": "7"}).content.decode()
    svg = page.split('<figure class="analytics-chart">', 1)[1].split("</figure>", 1)[0]
    assert svg.lstrip().startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert "Searches showing your products" in svg and "Clicks" in svg
    # One point per day and series, and the values: 2 two days ago, 3 and 2 (clicks) today.
    values = re.findall(r'<desc class="value">([^<]*)</desc>', svg)
    assert values == ["0", "0", "0", "0", "2", "0", "3"] + ["0"] * 6 + ["2"]
    assert "<script" not in svg.replace('<script type="text/javascript">window.pygal', "")
    assert not re.search(r'(src|href)="(https?:)?//', svg)  # nothing fetched from elsewhere


def test_bob_sees_his_figures_not_alices(client, other_merchant, searches):
    client.force_login(other_merchant.user)
    page = client.get(reverse("merchant:search_analytics")).content.decode()
    assert top_queries(page) == {
        "red kurta": ["3", "1", "33.3%"],
        "red boots": ["1", "1", "100.0%"],
    }


def test_only_merchants_see_the_page(client, db):
    assert client.get(reverse("merchant:search_analytics")).status_code == 302
    shopper = get_user_model().objects.create_user("sam", password="pw-shopper-123")
    client.force_login(shopper)
    assert client.get(reverse("merchant:search_analytics")).status_code == 403


def test_the_api_answers_the_same_figures(merchant, searches):
    body = token_client(merchant).get(API, {"days": 30}).json()
    assert (body["impressions"], body["clicks"], body["click_through_rate"]) == (5, 2, 0.4)
    assert body["top_queries"] == [
        {"query": "red kurta", "impressions": 3, "clicks": 2, "click_through_rate": 2 / 3},
        {"query": "blue dress", "impressions": 2, "clicks": 0, "click_through_rate": 0.0},
    ]
    assert body["zero_result_queries"][0] == {"query": "unicorn saddle", "searches": 2}
    assert len(body["days"]) == 30 and body["days"][-1]["day"] == str(timezone.localdate())
    assert body["days"][-1] == {"day": str(timezone.localdate()), "impressions": 3, "clicks": 2}
    assert body["first_day"] == body["days"][0]["day"]
    quarter = token_client(merchant).get(API, {"days": 90}).json()
    assert quarter["impressions"] == 6 and len(quarter["days"]) == 90


def test_the_api_gives_each_merchant_their_own_and_refuses_others(other_merchant, searches):
    body = token_client(other_merchant).get(API).json()
    assert [query["query"] for query in body["top_queries"]] == ["red kurta", "red boots"]
    assert (body["impressions"], body["clicks"]) == (4, 2)
    assert_error(APIClient().get(API), 401, "not_authenticated")
    shopper = get_user_model().objects.create_user("sam", password="pw-shopper-123")
    as_shopper = APIClient()
    as_shopper.force_authenticate(shopper)
    assert_error(as_shopper.get(API), 403, "permission_denied")
    assert_error(
        token_client(other_merchant).get(API, {"days": 365}), 400, "invalid_choice", {"days"}
    )
