"""Cursor pages whose `page_size` is checked: a size that is not a whole number from 1 is an
error (DRF would silently answer its default page), one past the maximum gets the maximum."""

from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request


class CheckedCursorPagination(CursorPagination):
    page_size_query_param = "page_size"

    def get_page_size(self, request: Request) -> int:
        text = request.query_params.get(self.page_size_query_param)
        if text is None:
            return self.page_size
        try:
            size = int(text)
        except ValueError:
            size = 0
        if size < 1:
            message = f"page_size: give a whole number from 1 to {self.max_page_size}."
            raise ValidationError(
                {self.page_size_query_param: [ErrorDetail(message, code="invalid_page_size")]}
            )
        return min(size, self.max_page_size)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {**parameter["schema"], "minimum": 1}
                parameter["description"] = (
                    f"Results per page, from 1 (more than {self.max_page_size} gets "
                    f"{self.max_page_size})."
                )
        return parameters
