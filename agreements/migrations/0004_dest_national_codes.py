"""The employer and job sections' vocabularies become the national codes (codetables).

Only the representation changes (private → 39, I → 62, engineering → 13): every version
keeps its meaning, and the pages show the same names as before.
"""

from django.db import migrations

CODED = {"nature": "unit_nature", "industry": "unit_industry", "job_category": "job_category"}


def _recode(content: dict) -> bool:
    from codetables import files

    changed = False
    for field, table in CODED.items():
        value = content.get(field)
        if isinstance(value, str) and value:
            code = files.normalize(table, value)
            if code != value:
                content[field] = code
                changed = True
    return changed


def forwards(apps, schema_editor):
    Agreement = apps.get_model("agreements", "Agreement")
    AgreementVersion = apps.get_model("agreements", "AgreementVersion")
    for model, field in ((Agreement, "draft_content"), (AgreementVersion, "content")):
        batch = []
        for row in model.objects.only("id", field).iterator(chunk_size=2000):
            if _recode(getattr(row, field) or {}):
                batch.append(row)
            if len(batch) >= 2000:
                model.objects.bulk_update(batch, [field])
                batch = []
        model.objects.bulk_update(batch, [field])


class Migration(migrations.Migration):
    dependencies = [("agreements", "0003_print_number_paper")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
