from django.apps import AppConfig


class StudentsConfig(AppConfig):
    name = "students"
    verbose_name = "毕业生与生源核查"
