"""Order emails go through a real Celery worker once the order commits, retried when the mail
server fails, each try bounded by EMAIL_TIMEOUT."""

import socket
import time

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.db import transaction

from shop import notifications
from shop.models import Order
from tests.conftest import wait_for
from tests.shop.conftest import checkout

pytestmark = pytest.mark.django_db(transaction=True)


class FailsOnce:
    """An SMTP server's handler that turns the first message away (a temporary failure, as
    a busy server does) and takes the rest."""

    def __init__(self):
        self.tries = 0
        self.delivered: list[str] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.tries += 1
        if self.tries == 1:
            return "451 Try again later"
        self.delivered.append(envelope.content.decode())
        return "250 OK"


@pytest.fixture
def smtp_server(settings):
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]  # a free port (the controller checks it by connecting)
    handler = FailsOnce()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    yield handler
    controller.stop()


def test_the_confirmation_is_sent_by_a_worker_once_the_order_commits(
    default_worker, shopper, make_product
):
    product = make_product(stock=3)
    with transaction.atomic():
        [order] = checkout(shopper, (product, 1))
        time.sleep(1)  # a worker had the time to send, were anything queued before the commit
        assert mail.outbox == []
    wait_for(lambda: len(mail.outbox) == 1, 30, "the confirmation")
    assert mail.outbox[0].subject == f"Your order {order.number}"
    assert mail.outbox[0].to == [shopper.email]


def test_a_rolled_back_checkout_sends_nothing(default_worker, shopper, make_product):
    product = make_product(stock=3)
    with pytest.raises(RuntimeError), transaction.atomic():
        checkout(shopper, (product, 1))
        raise RuntimeError("the request failed after the checkout")
    time.sleep(2)
    assert mail.outbox == [] and not Order.objects.exists()


def test_a_mail_server_failure_is_retried_until_the_email_goes(
    smtp_server, default_worker, shopper, make_product
):
    [order] = checkout(shopper, (make_product(stock=3), 1))
    wait_for(lambda: smtp_server.delivered, 60, "the retried email")
    assert smtp_server.tries == 2
    assert f"Subject: Your order {order.number}" in smtp_server.delivered[0]


def test_a_mail_server_that_never_answers_times_out(settings, shopper, make_product):
    [order] = checkout(shopper, (make_product(stock=3), 1))
    silent = socket.create_server(("127.0.0.1", 0))  # accepts connections, never says a word
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", silent.getsockname()[1]
    settings.EMAIL_TIMEOUT = 1
    started = time.monotonic()
    try:
        with pytest.raises(OSError, match="timed out"):  # the task retries OSErrors
            notifications.send(order.pk, "order_placed", order.status)
    finally:
        silent.close()
    assert time.monotonic() - started < 5
