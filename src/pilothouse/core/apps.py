from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "pilothouse.core"
    label = "core"
    verbose_name = "Core"
