"""Account emails (verification links, password resets, change notices), sent by a worker."""

from celery import shared_task
from django.core.mail import EmailMultiAlternatives

from core.mail import EMAIL_TASK_RETRIES


@shared_task(name="accounts.tasks.send_account_email", **EMAIL_TASK_RETRIES)
def send_account_email(
    subject: str, body: str, from_email: str, to: list[str], html: str | None = None
) -> None:
    message = EmailMultiAlternatives(subject, body, from_email, to)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
