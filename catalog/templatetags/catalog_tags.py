from decimal import Decimal

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

register = template.Library()

CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "INR": "₹", "JPY": "¥"}


@register.filter
def money(amount: Decimal | None, currency: str) -> str:
    """ "$34.99", "CHF 12.00", or "Price on request" for a listing without a price."""
    if amount is None:
        return "Price on request"
    number = intcomma(f"{amount:.2f}")
    symbol = CURRENCY_SYMBOLS.get(currency)
    return f"{symbol}{number}" if symbol else f"{currency} {number}"
