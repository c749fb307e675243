"""What search engines and link previews find: slugged product URLs and their redirects, the
sitemap, robots.txt, canonical links, OpenGraph tags and the product's JSON-LD."""

import json
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import quote
from xml.etree import ElementTree

from django.urls import reverse

from catalog.models import Product
from tests.conftest import cotton_tee

SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


class Head(HTMLParser):
    """A page's <link>, <meta> and JSON-LD scripts, as a crawler reads them."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.links: dict[str, list[str]] = {}
        self.meta: dict[str, list[str]] = {}
        self.json_ld: list[str] = []
        self._in_json_ld = False
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "link":
            self.links.setdefault(attributes.get("rel"), []).append(attributes.get("href"))
        elif tag == "meta":
            key = attributes.get("property") or attributes.get("name")
            self.meta.setdefault(key, []).append(attributes.get("content"))
        elif tag == "script" and attributes.get("type") == "application/ld+json":
            self._in_json_ld = True
            self.json_ld.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_json_ld = False

    def handle_data(self, data: str) -> None:
        if self._in_json_ld:
            self.json_ld[-1] += data

    def one(self, key: str) -> str:
        [content] = self.meta[key]
        return content

    @property
    def canonical(self) -> str:
        [href] = self.links["canonical"]
        return href

    @property
    def product_data(self) -> dict:
        [text] = self.json_ld
        return json.loads(text)


def head_of(client, url: str) -> Head:
    response = client.get(url)
    assert response.status_code == 200
    return Head(response.content.decode())


# Slugged URLs


def test_a_product_url_carries_its_title_as_a_slug(client, make_product):
    product = make_product(title="Red Cotton Kurta (Size M)")
    assert product.get_absolute_url() == f"/products/{product.pk}-red-cotton-kurta-size-m/"
    assert client.get(product.get_absolute_url()).status_code == 200


def test_the_old_url_and_a_wrong_slug_redirect_permanently_keeping_the_query(client, make_product):
    product = make_product(title="Red kurta")
    canonical = f"/products/{product.pk}-red-kurta/"
    for old in (f"/products/{product.pk}/", f"/products/{product.pk}-blue-jeans/"):
        response = client.get(old)
        assert (response.status_code, response["Location"]) == (301, canonical)
    response = client.get(f"/products/{product.pk}/", {"utm_source": "mail", "page": "2"})
    assert (response.status_code, response["Location"]) == (
        301,
        f"{canonical}?utm_source=mail&page=2",
    )
    assert client.get(f"/products/{product.pk}-RED-KURTA/").status_code == 301


def test_a_renamed_product_s_old_url_leads_to_the_new_one(client, make_product):
    product = make_product(title="Red kurta")
    old = product.get_absolute_url()
    Product.objects.filter(pk=product.pk).update(title="Crimson kurta")
    response = client.get(old, follow=True)
    assert response.redirect_chain == [(f"/products/{product.pk}-crimson-kurta/", 301)]
    assert response.status_code == 200 and "Crimson kurta" in response.content.decode()


def test_unicode_symbol_only_and_long_titles_give_working_urls(client, make_product):
    cyrillic = make_product("A", title="Синяя кофта")
    assert cyrillic.slug == "синяя-кофта"
    assert cyrillic.get_absolute_url() == f"/products/{cyrillic.pk}-{quote('синяя-кофта')}/"
    symbols = make_product("B", title="!!! ★ ???")
    assert symbols.get_absolute_url() == f"/products/{symbols.pk}-product/"
    long = make_product("C", title="Extraordinarily " * 12 + "long")
    assert len(long.slug) <= 80 and long.slug.endswith("extraordinarily")
    for product in (cyrillic, symbols, long):
        assert client.get(product.get_absolute_url()).status_code == 200
        # The short URL finds the same page.
        response = client.get(f"/products/{product.pk}/", follow=True)
        assert response.status_code == 200 and response.redirect_chain[0][1] == 301


def test_a_draft_answers_404_at_every_url_but_to_its_merchant(client, make_product, merchant):
    draft = make_product(title="Secret kurta", status=Product.Status.DRAFT)
    for url in (f"/products/{draft.pk}/", f"/products/{draft.pk}-x/", draft.get_absolute_url()):
        # Not even a redirect: its Location would tell the unpublished title.
        assert client.get(url).status_code == 404
    client.force_login(merchant.user)
    assert client.get(f"/products/{draft.pk}/")["Location"] == draft.get_absolute_url()
    page = head_of(client, draft.get_absolute_url())
    assert page.one("robots") == "noindex"


def test_product_links_on_the_site_are_the_canonical_ones(client, make_product):
    product = make_product(title="Red kurta")
    for url in (reverse("catalog:home"), reverse("catalog:category", args=["apparel"])):
        assert f'href="/products/{product.pk}-red-kurta/"' in client.get(url).content.decode()


# Sitemap


def sitemap_locations(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)
    return [element.text for element in root.iterfind("*/sm:loc", SITEMAP_NS)]


def test_the_sitemap_index_lists_the_sections_and_each_its_pages(client, make_product):
    kurta = make_product("A", title="Red kurta", photos=[], category_path="Apparel > Topwear")
    lamp = make_product("B", title="Desk lamp", photos=[], category_path="Home > Lamps")
    make_product("C", title="Secret draft", photos=[], status=Product.Status.DRAFT)

    sections = sitemap_locations(client, "/sitemap.xml")
    assert sections == [
        "http://testserver/sitemap-home.xml",
        "http://testserver/sitemap-categories.xml",
        "http://testserver/sitemap-products.xml",
    ]
    assert sitemap_locations(client, "/sitemap-home.xml") == ["http://testserver/"]
    assert sitemap_locations(client, "/sitemap-categories.xml") == [
        "http://testserver/c/apparel/",
        "http://testserver/c/apparel/topwear/",
        "http://testserver/c/home/",
        "http://testserver/c/home/lamps/",
    ]
    assert sitemap_locations(client, "/sitemap-products.xml") == [
        f"http://testserver/products/{kurta.pk}-red-kurta/",
        f"http://testserver/products/{lamp.pk}-desk-lamp/",
    ]


def test_the_product_sitemap_gives_each_lastmod_and_reads_all_in_one_query(
    client, make_product, django_assert_max_num_queries
):
    products = [make_product(f"P{number}", photos=[]) for number in range(8)]
    Product.objects.filter(pk=products[0].pk).update(updated_at="2024-05-06T07:08:09Z")
    with django_assert_max_num_queries(2):  # the page count, the page's rows
        response = client.get("/sitemap-products.xml")
    root = ElementTree.fromstring(response.content)
    lastmods = [element.text for element in root.iterfind("*/sm:lastmod", SITEMAP_NS)]
    assert len(lastmods) == 8 and lastmods[0] == "2024-05-06"
    # The index's lastmod is the newest product's.
    index = ElementTree.fromstring(client.get("/sitemap.xml").content)
    [products_entry] = [
        entry
        for entry in index.iterfind("sm:sitemap", SITEMAP_NS)
        if entry.find("sm:loc", SITEMAP_NS).text.endswith("sitemap-products.xml")
    ]
    newest = max(Product.objects.values_list("updated_at", flat=True))
    assert products_entry.find("sm:lastmod", SITEMAP_NS).text == newest.isoformat()


# robots.txt


def test_robots_txt_keeps_crawlers_to_the_storefront_and_names_the_sitemap(client, make_product):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    disallowed = [line.removeprefix("Disallow: ") for line in lines if line.startswith("Disallow")]
    assert set(disallowed) == {
        "/cart/",
        "/wishlist/",
        "/checkout/",
        "/orders/",
        "/accounts/",
        "/merchant/",
        "/admin/",
        "/api/",
        "/search/",
    }
    private = [
        reverse("shop:cart"),
        reverse("shop:wishlist"),
        reverse("shop:checkout"),
        reverse("login"),
        reverse("account_signup"),
        reverse("merchant:dashboard"),
        reverse("admin:index"),
        reverse("api-docs"),
        reverse("search:search") + "?q=kurta",
    ]
    assert all(any(url.startswith(path) for path in disallowed) for url in private)
    public = [
        reverse("catalog:home") + "?x=1",
        reverse("catalog:category", args=["apparel"]),
        make_product(photos=[]).get_absolute_url(),
        "/sitemap.xml",
    ]
    assert not any(url.startswith(path) for url in public for path in disallowed)


# Canonical links and OpenGraph


def test_home_and_category_pages_have_absolute_canonical_links(client, make_product):
    make_product(photos=[])
    assert head_of(client, "/?utm_source=mail").canonical == "http://testserver/"
    category = head_of(client, "/c/apparel/?sort=price")
    assert category.canonical == "http://testserver/c/apparel/"
    assert category.one("og:url") == category.canonical
    assert category.one("og:title") == "Apparel"
    # Each page of a long category is a canonical page of its own.
    for number in range(25):
        make_product(f"P{number}", photos=[])
    assert head_of(client, "/c/apparel/?page=2&sort=price").canonical == (
        "http://testserver/c/apparel/?page=2"
    )


def test_a_product_page_has_canonical_link_opengraph_and_twitter_tags(client, make_product):
    product = make_product(title="Red kurta", description="Soft cotton.\n\nHand-stitched.")
    page = head_of(client, product.get_absolute_url() + "?utm_source=mail")
    canonical = f"http://testserver/products/{product.pk}-red-kurta/"
    assert page.canonical == canonical and page.one("og:url") == canonical
    assert page.one("og:type") == "product"
    assert page.one("og:title") == "Red kurta"
    assert page.one("og:description") == "Soft cotton. Hand-stitched."
    assert page.one("description") == "Soft cotton. Hand-stitched."
    image = product.images.get()
    assert page.one("og:image") == f"http://testserver{image.image.url}"
    assert (page.one("og:image:width"), page.one("og:image:height")) == ("60", "80")
    assert page.one("product:price:amount") == "19.99"
    assert page.one("product:price:currency") == "USD"
    assert page.one("twitter:card") == "summary_large_image"
    assert "robots" not in page.meta


def test_a_product_without_photo_or_description_leaves_those_tags_out(client, make_product):
    page = head_of(client, make_product(photos=[], price=None).get_absolute_url())
    assert "og:image" not in page.meta and "og:description" not in page.meta
    assert "product:price:amount" not in page.meta
    assert page.one("twitter:card") == "summary"


def test_search_pages_ask_not_to_be_indexed(client, db):
    assert head_of(client, reverse("search:search")).one("robots") == "noindex"


# JSON-LD


def test_product_json_ld_has_price_currency_and_availability(client, make_product):
    product = make_product(
        title="Red kurta",
        description="Soft cotton.",
        price=Decimal("1234.5"),
        currency="EUR",
        stock=3,
        category_path="Apparel > Topwear",
    )
    data = head_of(client, product.get_absolute_url()).product_data
    url = f"http://testserver/products/{product.pk}-red-kurta/"
    assert data == {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": "Red kurta",
        "sku": "SKU-1",
        "url": url,
        "description": "Soft cotton.",
        "image": [f"http://testserver{product.images.get().image.url}"],
        "category": "Apparel > Topwear",
        "offers": {
            "@type": "Offer",
            "url": url,
            "price": "1234.50",
            "priceCurrency": "EUR",
            "availability": "https://schema.org/InStock",
            "seller": {"@type": "Organization", "name": "Alice's Shop"},
        },
    }


def test_json_ld_says_out_of_stock_and_has_no_offer_without_a_price(client, make_product):
    sold_out = make_product("A", stock=0, photos=[])
    offer = head_of(client, sold_out.get_absolute_url()).product_data["offers"]
    assert offer["availability"] == "https://schema.org/OutOfStock"
    assert offer["price"] == "19.99"
    on_request = make_product("B", price=None, stock=4, photos=[])
    data = head_of(client, on_request.get_absolute_url()).product_data
    assert data["name"] == "Red cotton kurta" and "offers" not in data
    assert "image" not in data and "brand" not in data


def test_a_title_cannot_break_out_of_the_json_ld_script(client, make_product):
    title = 'Kurta </script><script>alert("x")</script> <!-- & more'
    product = make_product(title=title, description="</SCRIPT> too", photos=[])
    page = client.get(product.get_absolute_url()).content.decode()
    start = page.index('<script type="application/ld+json">')
    body = page[start:].split(">", 1)[1]
    text = body[: body.index("</")]  # what a browser takes as the script: up to any "</"
    data = json.loads(text)
    assert (data["name"], data["description"]) == (title, "</SCRIPT> too")
    assert "<" not in text
    # The title's own markup shows escaped everywhere else.
    assert "<script>alert" not in page
    assert Head(page).one("og:title") == title


def test_a_product_with_variants_offers_each_at_its_price_stock_and_address(client, make_product):
    tee = cotton_tee(make_product)
    data = head_of(client, tee.get_absolute_url()).product_data
    url = f"http://testserver/products/{tee.pk}-cotton-tee/"
    offers = {offer["sku"]: offer for offer in data["offers"]}
    assert set(offers) == {"TEE-M-BLK", "TEE-L-BLK", "TEE-L-WHT"}
    assert offers["TEE-L-BLK"]["price"] == "24.00"  # its own price
    assert offers["TEE-M-BLK"]["price"] == "20.00"  # the product's
    assert offers["TEE-L-WHT"]["availability"] == "https://schema.org/OutOfStock"
    assert offers["TEE-M-BLK"]["availability"] == "https://schema.org/InStock"
    assert offers["TEE-L-BLK"]["name"] == "size: L, colour: black"
    # Each offer's address opens the page on its variant.
    assert offers["TEE-L-WHT"]["url"] == f"{url}?option-size=L&option-colour=white"
    page = client.get(offers["TEE-L-WHT"]["url"].removeprefix("http://testserver"))
    assert page.context["variant_choice"].variant.sku == "TEE-L-WHT"
