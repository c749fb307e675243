"""The storefront search page (text, photo, or both). Its answer carries a signed token, for the
clicks and adds to cart on its results (search.api.SearchEventView)."""

import math
from urllib.parse import urlencode

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from PIL import Image

from catalog.models import Category
from catalog.variants import parse_option_filter
from core.throttling import SEARCH_THROTTLES, throttled
from search import result_tokens
from search.facets import Facets
from search.filters import Filters
from search.keyword import MAX_QUERY_LENGTH
from search.ml.lexicon import FAMILIES
from search.models import SearchLog
from search.photos import decode_query_photo
from search.selectors import SearchQuery, SearchResults, SearchUnavailable, search
from search.services import log_search

RESULTS_PER_PAGE = 24
TEMPLATE = "search/results.html"
ACCEPTED_TYPES = "image/jpeg,image/png,image/webp,image/gif"  # what check_image accepts


class SearchForm(forms.Form):
    q = forms.CharField(
        label="What are you looking for?",
        required=False,
        strip=False,
        widget=forms.TextInput(
            attrs={"type": "search", "maxlength": MAX_QUERY_LENGTH, "placeholder": "red kurta…"}
        ),
    )
    photo = forms.FileField(
        label="Search with a photo",
        required=False,
        widget=forms.FileInput(attrs={"accept": ACCEPTED_TYPES, "class": "photo-input"}),
    )
    category = forms.ModelChoiceField(
        Category.objects.all(), to_field_name="path", required=False, empty_label="All"
    )
    min_price = forms.DecimalField(
        label="Min price", required=False, min_value=0, max_digits=12, decimal_places=2
    )
    max_price = forms.DecimalField(
        label="Max price", required=False, min_value=0, max_digits=12, decimal_places=2
    )
    in_stock = forms.BooleanField(label="In stock only", required=False)
    option = forms.CharField(
        label="Option in stock",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "size:M"}),
    )
    colour = forms.ChoiceField(
        required=False,
        choices=[("", "Any"), *((family, family.capitalize()) for family in sorted(FAMILIES))],
    )
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=[
            ("relevance", "Relevance"),
            ("price", "Price: low to high"),
            ("-price", "Price: high to low"),
            ("newest", "Newest"),
        ],
    )
    # "Search instead for <the words as typed>": no typo corrected, no term added.
    exact = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean_q(self) -> str:
        # Any text is a valid query; overlong ones are cut, as the keyword search does.
        return " ".join(self.cleaned_data["q"].split())[:MAX_QUERY_LENGTH]

    def clean_photo(self) -> Image.Image | None:
        upload = self.cleaned_data["photo"]
        if not upload:
            return None
        return decode_query_photo(upload)

    def clean(self) -> dict:
        data = super().clean()
        low, high = data.get("min_price"), data.get("max_price")
        if low is not None and high is not None and low > high:
            self.add_error("max_price", "The max price is below the min price.")
        return data

    def clean_option(self) -> tuple[str, str] | None:
        text = self.cleaned_data["option"].strip()
        return parse_option_filter(text) if text else None

    def clean_sort(self) -> str:
        return self.cleaned_data["sort"] or "relevance"

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            category=data["category"],
            min_price=data["min_price"],
            max_price=data["max_price"],
            in_stock=data["in_stock"],
            options=(data["option"],) if data["option"] else (),
            colour=data["colour"],
        )

    def querystring(self, **changes: str) -> str:
        """The text search as GET parameters: the bookmarkable address of its results, with
        `changes` to them (a facet's filter)."""
        data = self.cleaned_data
        params = {
            "q": data["q"],
            "category": data["category"].path if data["category"] else "",
            "min_price": data["min_price"] if data["min_price"] is not None else "",
            "max_price": data["max_price"] if data["max_price"] is not None else "",
            "in_stock": "on" if data["in_stock"] else "",
            "option": ":".join(data["option"]) if data["option"] else "",
            "colour": data["colour"],
            "exact": "on" if data["exact"] else "",
            "sort": data["sort"] if data["sort"] != "relevance" else "",
        } | changes
        return urlencode({name: value for name, value in params.items() if value != ""})

    def facet_links(self, facets: Facets) -> dict:
        """Each facet's value with the address of the same search narrowed to it (and, for
        colours and options, whether the search is narrowed to it already)."""
        data = self.cleaned_data
        chosen_option = (data["option"][0], data["option"][1].lower()) if data["option"] else None
        return {
            "categories": [
                (category, count, self.querystring(category=category.path))
                for category, count in facets.categories
            ],
            "price_bands": [
                (band, self.querystring(min_price=str(band.low), max_price=str(band.high or "")))
                for band in facets.price_bands
            ],
            "in_stock": (facets.in_stock, self.querystring(in_stock="on")),
            "colours": [
                (colour, count, self.querystring(colour=colour), colour == data["colour"])
                for colour, count in facets.colours
            ],
            "options": [
                (
                    option.name,
                    [
                        (
                            value,
                            count,
                            self.querystring(option=f"{option.name}:{value}"),
                            (option.name, value.lower()) == chosen_option,
                        )
                        for value, count in option.values
                    ],
                )
                for option in facets.options
            ],
        }

    def exact_querystring(self) -> str:
        """The same search, for the words exactly as typed."""
        return self.querystring() + ("" if self.cleaned_data["exact"] else "&exact=on")


def _page_number(value: str | None) -> int:
    try:
        return max(1, int(value or 1))
    except ValueError:
        return 1


@require_http_methods(["GET", "POST"])
@throttled(*SEARCH_THROTTLES)  # the API's limits: one set for searching, by page or API
def search_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = SearchForm(request.POST, request.FILES)
    else:
        form = SearchForm(request.GET)
    if not form.is_valid():
        query = " ".join(str(form.data.get("q", "")).split())[:MAX_QUERY_LENGTH]
        return render(request, TEMPLATE, {"form": form, "query": query}, status=400)
    text, photo = form.cleaned_data["q"], form.cleaned_data["photo"]
    context = {"form": form, "query": text, "had_photo": photo is not None}
    if photo is None and request.method == "POST" and text:
        # Without a photo the search needs no upload: send it to its bookmarkable address.
        return HttpResponseRedirect(f"{reverse('search:search')}?{form.querystring()}")
    if not text and photo is None:
        return render(request, TEMPLATE, context)
    # A photo search is a POST: its results have one page, as a link cannot resend the photo.
    number = _page_number(request.GET.get("page")) if photo is None else 1
    try:
        results = _search(form, number)
    except SearchUnavailable as unavailable:
        return render(request, TEMPLATE, context | {"unavailable": str(unavailable)}, status=503)
    pages = max(1, math.ceil(results.count / RESULTS_PER_PAGE))
    if number > pages:
        number = pages
        results = _search(form, number)
    shown = result_tokens.shown(request, text, results)
    log_search(shown, results, form.filters(), SearchLog.Source.PAGE)
    return render(
        request,
        TEMPLATE,
        context
        | {
            "results": results,
            "offset": (number - 1) * RESULTS_PER_PAGE,
            "page_number": number,
            "num_pages": pages if photo is None else 1,
            "querystring": form.querystring(),
            "exact_querystring": form.exact_querystring(),
            "search_token": result_tokens.sign(shown),
            "facets": form.facet_links(results.facets) if results.facets else None,
        },
    )


def _search(form: SearchForm, number: int) -> SearchResults:
    data = form.cleaned_data
    return search(
        SearchQuery(
            text=data["q"],
            photo=data["photo"],
            filters=form.filters(),
            limit=RESULTS_PER_PAGE,
            offset=(number - 1) * RESULTS_PER_PAGE,
            exact=data["exact"],
            sort=data["sort"],
        )
    )
