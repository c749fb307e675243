import json
from decimal import Decimal

from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import SafeString, mark_safe

from catalog.currencies import format_price

register = template.Library()

# As Django's json_script escapes: no "</script>" or "<!--" in a title can end the script.
JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.filter
def money(amount: Decimal | None, currency: str) -> str:
    """ "$34.99", "¥1,200", or "Price on request" for a product without a price (format_price)."""
    return format_price(amount, currency)


@register.simple_tag(takes_context=True)
def slot(context: template.Context, name: str) -> str:
    """What the apps above the catalogue show in this place of its pages: the templates that
    settings.VITRINE_CATALOG_SLOTS lists for `name`, rendered with the page's context. The
    catalogue names its places; the project decides what fills them."""
    # Loaded once per page render, as {% include %} does: a grid repeats a card's slot.
    loaded = context.render_context.setdefault("catalog_slots", {})
    parts = []
    for template_name in settings.VITRINE_CATALOG_SLOTS.get(name, ()):
        if template_name not in loaded:
            loaded[template_name] = context.template.engine.get_template(template_name)
        parts.append(loaded[template_name].render(context))
    return mark_safe("".join(parts))


@register.filter
def json_ld(data: dict) -> SafeString:
    """`data` in a <script type="application/ld+json">, escaped as json_script escapes (whose
    own script element is typed application/json, which structured-data readers skip)."""
    text = json.dumps(data, cls=DjangoJSONEncoder).translate(JSON_SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')
