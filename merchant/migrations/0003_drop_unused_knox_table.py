from django.db import migrations


class Migration(migrations.Migration):
    """knox's own migrations create its token table even though KNOX_TOKEN_MODEL swaps in
    merchant.ApiToken. Nothing reads it, and it would keep a foreign key to every user that a
    flush (Django's test cases, `manage.py flush`) cannot empty around: it goes."""

    dependencies = [
        ("merchant", "0002_drop_plain_drf_tokens"),
        ("knox", "0009_extend_authtoken_field"),
    ]

    operations = [
        migrations.RunSQL(
            "DROP TABLE IF EXISTS knox_authtoken", reverse_sql=migrations.RunSQL.noop
        ),
    ]
