"""Prepare a data dir for bench/load.py: N verified shopper accounts, and every active product
priced and stocked so that the bench's checkouts never fail for want of either.

Runs with the Django settings of the same VITRINE_DATA_DIR as the server under load, and prints
one JSON line: the accounts' names and password, some products' ids and pages, and the category
pages.

    VITRINE_DATA_DIR=/work/loaddata .venv/bin/python bench/load_shoppers.py --shoppers 64
"""

import argparse
import json
import os
import sys
from decimal import Decimal

from common import ROOT

sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vitrine.settings")

import django

django.setup()

from allauth.account.models import EmailAddress  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402

from catalog.models import Category, Product  # noqa: E402

PASSWORD = "load-bench-shopper-1"
# Far more than a run can sell: a checkout that fails for stock would be the bench's fault.
STOCK = 1_000_000


def prepare(shoppers: int) -> dict:
    users = get_user_model()
    names = [f"loadshopper{i:03d}" for i in range(shoppers)]
    missing = set(names) - set(
        users.objects.filter(username__in=names).values_list("username", flat=True)
    )
    password = make_password(PASSWORD)  # hashed once: the hasher is slow on purpose
    users.objects.bulk_create(
        users(username=name, email=f"{name}@example.com", password=password, is_active=True)
        for name in sorted(missing)
    )
    # Verified, as a pay-on-delivery checkout asks (accounts of an earlier run too).
    EmailAddress.objects.bulk_create(
        EmailAddress(user_id=pk, email=email, verified=True, primary=True)
        for pk, email in users.objects.filter(
            username__in=names, emailaddress__isnull=True
        ).values_list("pk", "email")
    )
    active = Product.objects.filter(status=Product.Status.ACTIVE)
    active.filter(price__isnull=True).update(price=Decimal("19.90"))
    active.update(stock=STOCK)
    return {
        "shoppers": names,
        "password": PASSWORD,
        # Each product's id (for the cart) and page (its slugged URL: no redirect to follow).
        "products": [
            [product.pk, product.get_absolute_url()]
            for product in active.order_by("?").only("id", "title")[:500]
        ],
        "categories": [category.get_absolute_url() for category in Category.objects.all()],
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shoppers", type=int, default=64)
    print(json.dumps(prepare(parser.parse_args().shoppers)))
