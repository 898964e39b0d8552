"""Load the repository's code tables into the public schema: idempotent, versioned.

Loading twice changes nothing (rows are matched by table, version and code); a version
that is no longer the manifest's current one stays, so old records still resolve.
"""

from __future__ import annotations

from django.db import transaction

from codetables import files

ATTR_SKIP = {"code", "name", "parent"}


def load_all(*, apps=None, tables: tuple[str, ...] = files.TABLES) -> dict[str, int]:
    """{table: codes written}. `apps` is a migration's app registry (None: the real models)."""
    if apps is None:
        from codetables.models import Code, TableVersion
    else:
        TableVersion = apps.get_model("codetables", "TableVersion")
        Code = apps.get_model("codetables", "Code")
    written: dict[str, int] = {}
    with transaction.atomic():
        for table in tables:
            title = files.manifest()[table]["title"]
            current = files.current_version(table)
            versions = files.versions_in_repo(table)
            TableVersion.objects.filter(table=table, is_current=True).exclude(
                version=current
            ).update(is_current=False)
            count = 0
            for version in versions:
                row_version, _ = TableVersion.objects.update_or_create(
                    table=table,
                    version=version,
                    defaults={"title": title, "is_current": version == current},
                )
                existing = {c.code: c for c in Code.objects.filter(version=row_version)}
                new, changed = [], []
                for position, row in enumerate(files.rows(table, version)):
                    attrs = {k: v for k, v in row.items() if k not in ATTR_SKIP}
                    values = {
                        "name": row["name"],
                        "parent": row.get("parent", ""),
                        "attrs": attrs,
                        "position": position,
                    }
                    code = existing.get(row["code"])
                    if code is None:
                        new.append(Code(version=row_version, code=row["code"], **values))
                    elif any(getattr(code, k) != v for k, v in values.items()):
                        for k, v in values.items():
                            setattr(code, k, v)
                        changed.append(code)
                Code.objects.bulk_create(new, batch_size=2000)
                Code.objects.bulk_update(changed, ["name", "parent", "attrs", "position"])
                count += len(new) + len(changed)
            written[table] = count
    from codetables import selectors

    selectors.clear_cache()
    return written
