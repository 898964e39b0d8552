from saas_platform.celery import app


@app.task(name="tenants.refill_schema_pool")
def refill_schema_pool() -> int:
    from django.core.cache import cache

    from tenants import pool

    # One refill at a time across workers; the lock expires if a worker dies.
    try:
        acquired = cache.add("schema-pool-refill-lock", "1", timeout=600)
    except Exception:
        acquired = True
    if not acquired:
        return 0
    try:
        return pool.refill()
    finally:
        try:
            cache.delete("schema-pool-refill-lock")
        except Exception:
            pass
