from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "pilothouse.metrics"
    label = "metrics"
    verbose_name = "Metrics"

    def ready(self) -> None:
        from pilothouse.metrics import panels

        panels.register()
