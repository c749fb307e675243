"""What the catalogue announces. It knows nothing of search; search listens."""

from django.dispatch import Signal

# Sent inside the transaction that created or changed listings, with `product_ids`.
# Receivers' writes commit or roll back with the listing itself.
listings_changed = Signal()
