"""Load the repository's code tables (a later revision adds a migration calling the same loader)."""

from django.db import migrations


def load(apps, schema_editor):
    if schema_editor.connection.schema_name != "public":
        return
    from codetables.loader import load_all

    load_all(apps=apps)


class Migration(migrations.Migration):
    dependencies = [("codetables", "0001_dest_code_tables")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
