"""On PostgreSQL the staging table is UNLOGGED: its rows are disposable (a crash fails the load,
which can be re-run from the kept raw file), so they need not be written to the WAL twice."""

from django.db import migrations


def set_unlogged(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE registry_stagedrow SET UNLOGGED")


def set_logged(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE registry_stagedrow SET LOGGED")


class Migration(migrations.Migration):
    dependencies = [("registry", "0003_record_without_redundant_index")]
    operations = [migrations.RunPython(set_unlogged, set_logged)]
