"""Existing accounts get an allauth EmailAddress for the email they gave, primary and
unverified: they log in as before (by username or email), and verify the address once, by a
mailed link, before their next pay-on-delivery order."""

from django.conf import settings
from django.db import migrations


def add_email_addresses(apps, schema_editor):
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    EmailAddress = apps.get_model("account", "EmailAddress")
    # The migration's own connection (the owner's), not the site's role.
    database = schema_editor.connection.alias
    users = User.objects.using(database).exclude(email="").exclude(emailaddress__isnull=False)
    EmailAddress.objects.using(database).bulk_create(
        EmailAddress(user_id=user_id, email=email.lower(), verified=False, primary=True)
        for user_id, email in users.values_list("pk", "email").iterator()
    )


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(add_email_addresses, migrations.RunPython.noop)]
