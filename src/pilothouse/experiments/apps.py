from django.apps import AppConfig


class ExperimentsConfig(AppConfig):
    name = "pilothouse.experiments"
    label = "experiments"
    verbose_name = "Experiments"

    def ready(self) -> None:
        # The roadmap knows nothing of experiments: the panel of its feature page is
        # registered from here.
        from pilothouse.experiments import panels

        panels.register()
