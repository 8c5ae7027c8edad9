from django.urls import path, re_path

from pilothouse.portfolio.urls import PRODUCT_KEY
from pilothouse.web import views

# Pages that gather data from several apps; they sit at the paths of the section
# they belong to (/portfolio/..., /strategy/...).
app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("portfolio/", views.portfolio, name="portfolio"),
    re_path(rf"^portfolio/products/{PRODUCT_KEY}/$", views.product_detail, name="product_detail"),
    path("strategy/objectives/<int:pk>/", views.objective_detail, name="objective_detail"),
    path("strategy/initiatives/<int:pk>/", views.initiative_detail, name="initiative_detail"),
]
