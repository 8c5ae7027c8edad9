from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "pilothouse.delivery"
    label = "delivery"
    verbose_name = "Delivery"

    def ready(self) -> None:
        # The roadmap knows nothing of teams: the team swimlanes of its timeline and the
        # team panel of its feature page are registered from here.
        from pilothouse.delivery import panels, timeline_lanes

        timeline_lanes.register()
        panels.register()
