from django.apps import AppConfig


class RoadmapConfig(AppConfig):
    name = "pilothouse.roadmap"
    label = "roadmap"
    verbose_name = "Roadmap"
