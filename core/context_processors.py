from django.conf import settings


def site(request):
    school = getattr(request, "school", None)
    return {
        "school": school,
        "platform_name": settings.PLATFORM_NAME,
        "platform_domain": settings.PLATFORM_DOMAIN,
    }
