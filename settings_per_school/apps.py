from django.apps import AppConfig


class SettingsPerSchoolConfig(AppConfig):
    name = "settings_per_school"
    verbose_name = "学校设置"

    def ready(self) -> None:
        from tenants.signals import school_onboarded

        school_onboarded.connect(_create_settings, dispatch_uid="settings_per_school.defaults")


def _create_settings(sender, school, **kwargs) -> None:
    from settings_per_school.services import create_default_settings

    create_default_settings(school_name=school.name)
