from django.apps import AppConfig


class SettingsPerSchoolConfig(AppConfig):
    name = "settings_per_school"
    verbose_name = "学校设置"
