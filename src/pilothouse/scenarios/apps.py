from django.apps import AppConfig


class ScenariosConfig(AppConfig):
    name = "pilothouse.scenarios"
    label = "scenarios"
    verbose_name = "Scenarios"
