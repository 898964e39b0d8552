"""Employer pages on a school's site."""

from django.urls import path

from employers import views

app_name = "employers"
urlpatterns = [
    path("employers/lookup/", views.lookup, name="lookup"),
]
