from django.db import migrations


class Migration(migrations.Migration):
    """DRF's authtoken app kept API tokens in plain text. They are not converted: whoever read
    the table (a backup, a dump) could use them, so they stop working and the table goes. Its
    migration records go too, so that the app could be installed again cleanly."""

    dependencies = [
        ("merchant", "0001_api_tokens"),
    ]

    operations = [
        migrations.RunSQL(
            [
                "DROP TABLE IF EXISTS authtoken_token",
                "DELETE FROM django_migrations WHERE app = 'authtoken'",
            ],
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
