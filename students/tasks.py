from saas_platform.celery import app


@app.task(name="students.check_roster")
def check_roster(import_id: str) -> str:
    from students.services import run_roster_import

    return run_roster_import(import_id, apply=False).status


@app.task(name="students.apply_roster")
def apply_roster(import_id: str) -> str:
    from students.services import run_roster_import

    return run_roster_import(import_id, apply=True).status
