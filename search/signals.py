"""What search announces, naming none of the apps that listen (workers)."""

from django.dispatch import Signal

# Sent once a search model whose photo map the stored photos do not all have yet has been
# activated, with its `version`: the workers re-map those photos (workers.remapping). Sent
# outside any transaction: the model is active from the moment its ACTIVE file is renamed.
photo_map_activated = Signal()
