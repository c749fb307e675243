"""Reads of the search log for search analytics: the queries whose first page showed some
products (a merchant's), how often shoppers clicked those products from them, day by day, and
the shop's queries that found nothing. Aggregated in SQL, over SearchLog's indexes: the GIN
index on the shown products for `&&`, the partial index for zero results."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from catalog.models import Product
from search.models import SearchEvent, SearchLog

# The periods offered, in days (all within the default retention of the logs).
PERIODS = (7, 30, 90)
DEFAULT_PERIOD = 30
TOP_QUERIES = 20


@dataclass(frozen=True)
class QueryFigures:
    query_text: str  # "" for a photo without words
    impressions: int  # logged searches whose first page showed one of the products or more
    clicks: int  # clicks on the products from this query (once per searcher and product)

    @property
    def click_through_rate(self) -> float | None:
        return self.clicks / self.impressions if self.impressions else None


@dataclass(frozen=True)
class DayFigures:
    day: date
    impressions: int
    clicks: int


@dataclass(frozen=True)
class ZeroResultQuery:
    query_text: str
    searches: int


@dataclass(frozen=True)
class SearchAnalytics:
    first_day: date
    days: list[DayFigures]  # every day of the period, oldest first, empty days included
    top_queries: list[QueryFigures]  # most impressions first
    zero_result_queries: list[ZeroResultQuery]  # shop-wide: they name no product

    @property
    def impressions(self) -> int:
        return sum(day.impressions for day in self.days)

    @property
    def clicks(self) -> int:
        return sum(day.clicks for day in self.days)

    @property
    def click_through_rate(self) -> float | None:
        return self.clicks / self.impressions if self.impressions else None


def search_analytics(
    products: QuerySet[Product], days: int, top: int = TOP_QUERIES
) -> SearchAnalytics:
    """How search showed these products over the last `days` days (today included), and the
    shop's zero-result queries then."""
    first_day = timezone.localdate() - timedelta(days=days - 1)
    since = datetime.combine(first_day, time.min, tzinfo=timezone.get_current_timezone())
    showing = SearchLog.objects.filter(
        created_at__gte=since, shown_product_ids__overlap=products.values("pk")
    )
    clicks = SearchEvent.objects.filter(
        action=SearchEvent.Action.CLICK, created_at__gte=since, product__in=products.values("pk")
    )
    top_queries = list(
        showing.values("query_text")
        .annotate(impressions=Count("pk"))
        .order_by("-impressions", "query_text")[:top]
    )
    clicks_by_query = dict(
        clicks.filter(query_text__in=[row["query_text"] for row in top_queries])
        .values("query_text")
        .annotate(clicks=Count("pk"))
        .values_list("query_text", "clicks")
    )
    impressions_by_day = _count_by_day(showing)
    clicks_by_day = _count_by_day(clicks)
    return SearchAnalytics(
        first_day=first_day,
        days=[
            DayFigures(day, impressions_by_day.get(day, 0), clicks_by_day.get(day, 0))
            for day in (first_day + timedelta(days=n) for n in range(days))
        ],
        top_queries=[
            QueryFigures(
                row["query_text"], row["impressions"], clicks_by_query.get(row["query_text"], 0)
            )
            for row in top_queries
        ],
        zero_result_queries=zero_result_queries(since, top),
    )


def zero_result_queries(since: datetime, top: int = TOP_QUERIES) -> list[ZeroResultQuery]:
    """The shop's queries with words that found nothing since then, most frequent first."""
    rows = (
        SearchLog.objects.filter(created_at__gte=since, result_count=0)
        .exclude(query_text="")
        .values("query_text")
        .annotate(searches=Count("pk"))
        .order_by("-searches", "query_text")
        .values_list("query_text", "searches")[:top]
    )
    return [ZeroResultQuery(query_text, searches) for query_text, searches in rows]


def _count_by_day(rows: QuerySet) -> dict[date, int]:
    return dict(
        rows.annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(count=Count("pk"))
        .values_list("day", "count")
    )
