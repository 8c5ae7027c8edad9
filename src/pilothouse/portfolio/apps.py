from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    name = "pilothouse.portfolio"
    label = "portfolio"
    verbose_name = "Portfolio"
