from django.apps import AppConfig


class PortfoliosConfig(AppConfig):
    name = "coachloop.portfolios"
    label = "portfolios"
