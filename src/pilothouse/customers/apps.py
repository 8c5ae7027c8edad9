from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "pilothouse.customers"
    label = "customers"
    verbose_name = "Customer voice"

    def ready(self) -> None:
        from pilothouse.customers import panels

        panels.register()
