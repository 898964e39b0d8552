from django.urls import path

from workcalendar import views

app_name = "workcalendar"
urlpatterns = [path("", views.calendar_page, name="calendar")]
