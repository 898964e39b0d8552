from django.urls import path

from students import views

app_name = "students"
urlpatterns = [
    path("me/", views.my_record, name="my_record"),
    path("me/edit/", views.my_edit, name="my_edit"),
    path("", views.graduate_list, name="graduate_list"),
    path("<int:pk>/", views.graduate_detail, name="graduate_detail"),
    path("<int:pk>/reset-password/", views.reset_password, name="reset_password"),
    path("review/", views.review_queue, name="review_queue"),
    path("export.xlsx", views.roster_export, name="roster_export"),
    path("template.xlsx", views.roster_template, name="roster_template"),
    path("imports/", views.imports, name="imports"),
    path("imports/<uuid:pk>/", views.import_detail, name="import_detail"),
    path("imports/<uuid:pk>/status", views.import_status, name="import_status"),
    path("colleges/", views.colleges, name="colleges"),
    path("colleges/<int:pk>/", views.college_edit, name="college_edit"),
    path("staff/", views.staff, name="staff"),
    path("staff/<int:pk>/", views.staff_edit, name="staff_edit"),
]
