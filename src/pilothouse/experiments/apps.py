from django.apps import AppConfig


class ExperimentsConfig(AppConfig):
    name = "pilothouse.experiments"
    label = "experiments"
    verbose_name = "Experiments"

    def ready(self) -> None:
        # The roadmap and the metric catalog know nothing of experiments: the panel of the
        # feature page and the marks on a metric's chart are registered from here.
        from pilothouse.experiments import annotations, panels

        panels.register()
        annotations.register()
