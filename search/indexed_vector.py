"""What the HNSW indexes hold of a vector column: the vector in half precision.

An index of `halfvec` is 43% smaller than one of `vector` (1,000,000 listings' 384-d text
vectors: 1.1 GB against 1.9; each entry keeps its neighbours' addresses too), so more of the
graphs stay in memory. The columns keep full precision: an exact search, the candidates'
vectors that the match head reads and training all use them, and the listings an index scan
finds are ranked by their full vectors' distance (search.candidate_statement); only the walk
goes by the half-precision distance, whose rounding (about 1e-3) is far below what separates
most neighbours. The size follows the active encoder, as the columns' does (search.fields); a
search must order by this same expression for the planner to use the index.
"""

from django.db.models import F, Func
from pgvector.django import HalfVectorField

from search.ml.encoders import active_dims
from search.ml.encoders.dims import VectorDims


class IndexedVector(Func):
    """`(column)::halfvec(N)`: N is `dimensions`, else the active encoder's size for the
    column's space."""

    def __init__(self, column: str, *, space: str, dimensions: int | None = None):
        self.column, self.space, self.dimensions = column, space, dimensions
        super().__init__(F(column), output_field=HalfVectorField())

    def sized(self, dims: VectorDims) -> "IndexedVector":
        """The same column, as sized for an encoder of `dims`."""
        return IndexedVector(self.column, space=self.space, dimensions=getattr(dims, self.space))

    def as_sql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        return self.sql(column, self.dimensions or getattr(active_dims(), self.space)), params

    @staticmethod
    def sql(expression: str, dimensions: int) -> str:
        """The SQL of `expression` (a column or a query's vector) as the indexes compare it."""
        return f"(({expression})::halfvec({dimensions}))"

    def deconstruct(self):
        options = {"space": self.space}
        if self.dimensions is not None:
            options["dimensions"] = self.dimensions
        return (f"{__name__}.{type(self).__name__}", (self.column,), options)
