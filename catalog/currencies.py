"""ISO 4217 currency codes a product may be priced in, and how a price is written in each:
through Babel's locale data (CLDR), with the currency's own decimal places."""

from decimal import Decimal
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency, get_currency_precision
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation

ISO_4217_CODES = frozenset(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP
    BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP
    GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR
    KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK
    MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR
    SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS
    UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL
    """.split()
)


def validate_currency(code: str) -> None:
    if code not in ISO_4217_CODES:
        raise ValidationError(
            "%(code)s is not an ISO 4217 currency code.", code="bad_currency", params={"code": code}
        )


PRICE_ON_REQUEST = "Price on request"


def format_price(amount: Decimal | None, currency: str, locale: str | None = None) -> str:
    """ "¥1,200", "$34.99", "12,50 €" (in German), or "Price on request" for a product without
    a price: the currency's own decimal places, written as the locale (by default the active
    language's) writes money. Every page and email shows prices through this."""
    if amount is None:
        return PRICE_ON_REQUEST
    return format_currency(amount, currency, locale=_babel_locale(locale or active_locale()))


def active_locale() -> str:
    """The active language's locale ("en-us" -> "en_US"); outside a request, LANGUAGE_CODE's."""
    return translation.to_locale(translation.get_language() or settings.LANGUAGE_CODE)


@lru_cache(maxsize=64)
def _babel_locale(name: str) -> Locale:
    # A language Babel has no data for writes money as the site's default language does.
    try:
        return Locale.parse(name)
    except (UnknownLocaleError, ValueError):
        return Locale.parse(translation.to_locale(settings.LANGUAGE_CODE))


def currency_decimals(code: str) -> int:
    """How many decimal places the currency's prices have: JPY 0, USD 2, KWD 3."""
    return get_currency_precision(code)


def validate_price_decimals(price: Decimal | None, currency: str) -> None:
    """Refuse a price finer than its currency counts: 1200.50 JPY (a yen has no smaller unit)."""
    if price is None or currency not in ISO_4217_CODES:
        return
    decimals = currency_decimals(currency)
    if price % Decimal(1).scaleb(-decimals):
        if decimals == 0:
            message = "Prices in %(currency)s are whole numbers, without decimals: not %(price)s."
        else:
            message = "Prices in %(currency)s have at most %(decimals)d decimals: not %(price)s."
        raise ValidationError(
            message,
            code="bad_price_decimals",
            params={"currency": currency, "decimals": decimals, "price": price},
        )
