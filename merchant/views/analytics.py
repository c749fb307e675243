"""The merchant's search analytics: how search showed their products, and what shoppers looked
for that the shop does not have."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from merchant.access import merchant_required
from merchant.charts import search_analytics_chart
from search.analytics import DEFAULT_PERIOD, PERIODS, search_analytics

# Shoppers' text, shown this long at most (the log keeps up to 200 characters).
QUERY_DISPLAY_LENGTH = 80


@merchant_required
def search_analytics_page(request: HttpRequest) -> HttpResponse:
    wanted = request.GET.get("days", "")
    days = int(wanted) if wanted in {str(period) for period in PERIODS} else DEFAULT_PERIOD
    analytics = search_analytics(request.merchant.products.all(), days)
    return render(
        request,
        "merchant/search_analytics.html",
        {
            "analytics": analytics,
            "chart": search_analytics_chart(analytics),
            "days": days,
            "periods": PERIODS,
            "query_length": QUERY_DISPLAY_LENGTH,
        },
    )
