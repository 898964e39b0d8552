"""The workers' queue-depth signal: LLEN of each Celery queue, put into CloudWatch."""

from __future__ import annotations

import uuid

import redis
from django.conf import settings

from core.queue_metrics import publish, queue_depths


class RecordingCloudWatch:
    """Stands in for boto3's CloudWatch client (no AWS here); records what would be sent."""

    def __init__(self):
        self.calls = []

    def put_metric_data(self, **kwargs):
        self.calls.append(kwargs)


def test_queue_depths_are_read_from_the_broker_and_published_per_queue():
    client = redis.Redis.from_url(settings.REDIS_URL)
    busy, idle = f"test-queue-{uuid.uuid4().hex}", f"test-queue-{uuid.uuid4().hex}"
    try:
        client.rpush(busy, *[f"message-{i}" for i in range(7)])
        depths = queue_depths(client, [busy, idle])
        assert depths == {busy: 7, idle: 0}

        cloudwatch = RecordingCloudWatch()
        publish(cloudwatch, "Wangqian/Celery", depths)
        (call,) = cloudwatch.calls
        assert call["Namespace"] == "Wangqian/Celery"
        sent = {m["Dimensions"][0]["Value"]: m["Value"] for m in call["MetricData"]}
        assert sent == {busy: 7, idle: 0}
        assert {m["MetricName"] for m in call["MetricData"]} == {"QueueDepth"}
    finally:
        client.delete(busy, idle)
