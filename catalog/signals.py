"""What the catalogue announces, naming none of the apps that listen (search, workers)."""

from django.dispatch import Signal

# Sent inside the transaction that created or changed products, with `product_ids` and `bulk`
# (one of many changes made at once, such as an import's batch, rather than a merchant's edit
# of one listing). Receivers' writes commit or roll back with the products themselves.
products_changed = Signal()
