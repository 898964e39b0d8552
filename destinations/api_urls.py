from django.urls import path

from destinations import apis

urlpatterns = [
    path("me", apis.MyDestinationApi.as_view(), name="api-destinations-me"),
    path("review-queue", apis.ReviewQueueApi.as_view(), name="api-destinations-review-queue"),
    path("<int:pk>/review", apis.ReviewApi.as_view(), name="api-destinations-review"),
    path("statistics", apis.StatisticsApi.as_view(), name="api-destinations-statistics"),
]
