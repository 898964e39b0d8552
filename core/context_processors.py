from django.conf import settings


def site(request):
    school = getattr(request, "school", None)
    return {
        "school": school,
        # The host's school for titles: pages may pass their own `school` (HR picking one).
        "host_school": school,
        "platform_name": settings.PLATFORM_NAME,
        "platform_domain": settings.PLATFORM_DOMAIN,
    }
