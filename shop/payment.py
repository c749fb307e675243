"""How an order is paid: one small interface, so that a gateway can be added beside the one
method there is today, pay on delivery.

The order services call a method's hooks inside their own transaction, with the order row
locked; a hook sets the order's payment fields and never saves the order itself. A hook needs
only those fields (`Payable`), so this module knows nothing of the order model.
"""

from abc import ABC, abstractmethod
from typing import Protocol

from django.db import models


class PaymentStatus(models.TextChoices):
    DUE = "due", "Due"
    PAID = "paid", "Paid"
    VOID = "void", "Void"


class Payable(Protocol):
    """What a payment method sees of an order: where its money stands."""

    payment_status: str


class PaymentMethod(ABC):
    code: str
    label: str
    description: str
    # The goods leave before the money comes: a shopper's open orders with it are capped.
    paid_on_delivery: bool = False

    @abstractmethod
    def order_placed(self, order: Payable) -> None:
        """The order was just placed: start taking the money, or note that it is due."""

    @abstractmethod
    def order_delivered(self, order: Payable) -> None:
        """The shopper has the goods."""

    @abstractmethod
    def order_cancelled(self, order: Payable) -> None:
        """The order will not be fulfilled: release or refund what was taken."""


class PayOnDelivery(PaymentMethod):
    """The shopper pays the courier: nothing is taken online, the money is in at delivery."""

    code = "pay_on_delivery"
    paid_on_delivery = True
    label = "Pay on delivery"
    description = "Pay the courier in cash or by card when your order arrives."

    def order_placed(self, order: Payable) -> None:
        order.payment_status = PaymentStatus.DUE

    def order_delivered(self, order: Payable) -> None:
        order.payment_status = PaymentStatus.PAID

    def order_cancelled(self, order: Payable) -> None:
        order.payment_status = PaymentStatus.VOID


PAYMENT_METHODS: dict[str, PaymentMethod] = {method.code: method for method in [PayOnDelivery()]}


def payment_method(code: str) -> PaymentMethod:
    """The method with this code; KeyError for one we do not offer."""
    return PAYMENT_METHODS[code]
