"""Emails sent by Celery tasks: how their tries are retried."""

# Options of an email task: a mail server down for a while is tried again with backoff, from
# about 1 s to 10 min, ~1 h in all. smtplib's errors and timeouts are OSErrors (EMAIL_TIMEOUT
# bounds each try).
EMAIL_TASK_RETRIES = {
    "autoretry_for": (OSError,),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "max_retries": 10,
}
