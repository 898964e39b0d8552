from saas_platform.celery import app


@app.task(name="agreements.sweep_all_schools")
def sweep_all_schools() -> int:
    """Beat entry point (public schema): queue one sweep per school, each in its own schema."""
    from django_tenants.utils import schema_context

    from tenants.selectors import active_schema_names

    queued = 0
    for schema_name in active_schema_names():
        with schema_context(schema_name):
            sweep_school.delay()  # tenant-schemas-celery stamps the current schema on the task
        queued += 1
    return queued


@app.task(name="agreements.sweep_school")
def sweep_school() -> dict:
    """Remind three days before, then expire what is past its validity (the current school)."""
    from agreements.services import expire_due_invitations, remind_expiring_invitations
    from core.context import Actor

    actor = Actor(user=None, via="task", user_agent="agreements.sweep_school")
    return {
        "reminded": remind_expiring_invitations(),
        "expired": expire_due_invitations(actor=actor),
    }


@app.task(name="agreements.render_signed_pdf")
def render_signed_pdf(agreement_id: int) -> list[str]:
    """Render and store the PDFs of a just-signed agreement (the current school)."""
    from agreements.printing import render_all_variants

    return render_all_variants(agreement_id)
