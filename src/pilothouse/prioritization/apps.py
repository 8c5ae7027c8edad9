from django.apps import AppConfig


class PrioritizationConfig(AppConfig):
    name = "pilothouse.prioritization"
    label = "prioritization"
    verbose_name = "Prioritization"

    def ready(self) -> None:
        from pilothouse.prioritization import panels

        panels.register()
