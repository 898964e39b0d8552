from saas_platform.celery import app


@app.task(name="students.check_roster")
def check_roster(import_id: str) -> str:
    from students.services import run_roster_import

    return run_roster_import(import_id, apply=False).status


@app.task(name="students.apply_roster")
def apply_roster(import_id: str) -> str:
    from students.services import run_roster_import

    return run_roster_import(import_id, apply=True).status


@app.task(name="students.sweep_roster_files_all_schools")
def sweep_roster_files_all_schools() -> int:
    """Beat entry point (public schema): one roster-file sweep per school, in its schema."""
    from django_tenants.utils import schema_context

    from tenants.selectors import school_list

    queued = 0
    for schema_name in school_list().filter(is_active=True).values_list("schema_name", flat=True):
        with schema_context(schema_name):
            sweep_roster_files.delay()
        queued += 1
    return queued


@app.task(name="students.sweep_roster_files")
def sweep_roster_files() -> dict:
    """Expire imports left unconfirmed, delete roster files no import needs (this school)."""
    from students import roster_files

    return roster_files.sweep()
