"""The dashboard's charts, drawn on the server as inline SVG by pygal: no script library,
nothing fetched from elsewhere."""

import pygal
from django.utils.safestring import SafeString, mark_safe
from pygal.style import DefaultStyle

from search.analytics import SearchAnalytics

# About this many dates are written under a chart; the other days are ticks only.
DATE_LABELS = 8


def search_analytics_chart(analytics: SearchAnalytics) -> SafeString:
    """Searches that showed the merchant's products, and clicks on them, per day."""
    chart = pygal.Line(
        js=[],  # pygal's tooltips script lives on its own site: none
        disable_xml_declaration=True,  # inline in the page
        width=800,
        height=300,
        style=DefaultStyle,
        legend_at_bottom=True,
        show_minor_x_labels=False,
        x_labels_major_every=max(1, len(analytics.days) // DATE_LABELS),
        truncate_label=-1,
        min_scale=1,
        include_x_axis=True,
    )
    chart.x_labels = [day.day.strftime("%b %-d") for day in analytics.days]
    chart.add("Searches showing your products", [day.impressions for day in analytics.days])
    chart.add("Clicks", [day.clicks for day in analytics.days])
    # Only numbers, dates and the series' names above go in: no shopper's text.
    return mark_safe(chart.render(is_unicode=True))
