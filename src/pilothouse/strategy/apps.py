from django.apps import AppConfig


class StrategyConfig(AppConfig):
    name = "pilothouse.strategy"
    label = "strategy"
    verbose_name = "Strategy"
