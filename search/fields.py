"""A pgvector column whose size follows the active encoder instead of the migration files."""

from pgvector.django import VectorField

from search.ml.encoders import active_dims
from search.ml.encoders.dims import VectorDims


class EncoderVectorField(VectorField):
    """`vector(N)`, N being the active encoder's size for this vector space.

    Migrations stay the same whatever the encoder; search.schema resizes the columns when the
    encoder changes.
    """

    def __init__(self, *args, space: str, **kwargs):
        self.space = space
        kwargs.pop("dimensions", None)
        super().__init__(*args, **kwargs)

    def db_type(self, connection) -> str:
        return f"vector({self.dimensions_for(active_dims())})"

    def dimensions_for(self, dims: VectorDims) -> int:
        return getattr(dims, self.space)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("dimensions", None)
        kwargs["space"] = self.space
        return name, path, args, kwargs
