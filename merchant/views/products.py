"""The merchant dashboard: a merchant sees and changes only their own products."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from catalog import services
from catalog.models import Product, ProductImage
from merchant.access import merchant_required
from merchant.forms import ProductForm, StockForm, VariantFormSet
from search.selectors import with_index_state
from search.training_progress import training_progress

PRODUCTS_PER_PAGE = 50


def _own_product(request: HttpRequest, sku: str) -> Product:
    # Another merchant's SKU is a 404: nothing tells it exists.
    return get_object_or_404(Product, merchant=request.merchant, sku=sku)


@merchant_required
def product_list(request: HttpRequest) -> HttpResponse:
    products = (
        with_index_state(request.merchant.products.select_related("category"))
        .prefetch_related("images", "variants")
        .order_by("-updated_at", "-id")
    )
    page = Paginator(products, PRODUCTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request, "merchant/dashboard.html", {"page": page, "training": training_progress()}
    )


@merchant_required
def product_create(request: HttpRequest) -> HttpResponse:
    return _product_form(request, None)


@merchant_required
def product_edit(request: HttpRequest, sku: str) -> HttpResponse:
    return _product_form(request, _own_product(request, sku))


def _product_form(request: HttpRequest, product: Product | None) -> HttpResponse:
    """The product form: a new product when `product` is None."""
    form = ProductForm(
        request.POST or None, request.FILES or None, instance=product, merchant=request.merchant
    )
    variants = VariantFormSet.for_product(product, request.POST or None)
    if request.method == "POST" and form.is_valid() and variants.is_valid():
        try:
            saved = services.save_product(
                form.save(commit=False),
                photos=form.cleaned_data["photos"],
                category_path=form.cleaned_data["category_path"],
                expected_version=form.cleaned_data["version"],
                variants=variants.specs(),
            )
        except services.ProductConflict as conflict:
            if conflict.current is None:
                messages.error(request, "This product was deleted meanwhile: nothing was saved.")
                return redirect("merchant:dashboard")
            product = conflict.current
            form.refuse_stale(product)
        except ValidationError as error:
            # What only the save can tell (a variant SKU another product uses, a price finer
            # than the currency counts): nothing was saved.
            form.add_error(None, error.messages)
        else:
            messages.success(request, f"{'Saved' if product else 'Created'} {saved.title}.")
            return redirect("merchant:product_edit", sku=saved.sku)
    context = {"form": form, "variants": variants}
    if product is not None:
        context.update(product=product, images=product.images.all())
    return render(request, "merchant/product_form.html", context)


@merchant_required
def product_delete(request: HttpRequest, sku: str) -> HttpResponse:
    product = _own_product(request, sku)
    if request.method == "POST":
        services.delete_product(product)
        messages.success(request, f"Deleted {product.title}.")
        return redirect("merchant:dashboard")
    return render(request, "merchant/product_confirm_delete.html", {"product": product})


@require_POST
@merchant_required
def stock_update(request: HttpRequest, sku: str) -> HttpResponse:
    product = _own_product(request, sku)
    form = StockForm(request.POST)
    if form.is_valid():
        try:
            services.set_stock(
                product, form.cleaned_data["stock"], expected_version=form.cleaned_data["version"]
            )
        except services.ProductConflict:
            product.refresh_from_db()
            messages.error(
                request,
                f"{product.title} changed while the page was open (stock is now "
                f"{product.stock}): nothing was saved. Check the count and save it again.",
            )
        else:
            messages.success(request, f"{product.title}: stock set to {product.stock}.")
    else:
        messages.error(request, f"{product.title}: stock must be a whole number, 0 or more.")
    page = request.POST.get("page", "")
    return redirect(reverse("merchant:dashboard") + (f"?page={page}" if page.isdigit() else ""))


@require_POST
@merchant_required
def photo_delete(request: HttpRequest, sku: str, image_id: int) -> HttpResponse:
    image = get_object_or_404(ProductImage, pk=image_id, product=_own_product(request, sku))
    services.delete_product_image(image)
    messages.success(request, "Photo deleted.")
    return redirect("merchant:product_edit", sku=sku)


@require_POST
@merchant_required
def photo_move(request: HttpRequest, sku: str, image_id: int) -> HttpResponse:
    image = get_object_or_404(ProductImage, pk=image_id, product=_own_product(request, sku))
    try:
        position = int(request.POST.get("position", ""))
    except ValueError:
        messages.error(request, "Choose a position for the photo.")
    else:
        services.move_product_image(image, position)
    return redirect("merchant:product_edit", sku=sku)
