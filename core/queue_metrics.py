"""Celery queue depth -> CloudWatch, the workers' queue-based scaling signal.

    python -m core.queue_metrics        # a sidecar of the beat task (infra/terraform/modules/ecs)

Every QUEUE_METRICS_INTERVAL seconds it reads LLEN of each queue in the broker (Redis) and
puts `QueueDepth` (dimension Queue) into QUEUE_METRICS_NAMESPACE. It runs beside beat, not as
a Celery task: a task would wait behind the very backlog it is meant to report.
"""

from __future__ import annotations

import logging
import os
import time

import redis

logger = logging.getLogger(__name__)


def queue_depths(client: redis.Redis, queues: list[str]) -> dict[str, int]:
    with client.pipeline(transaction=False) as pipe:
        for queue in queues:
            pipe.llen(queue)
        return dict(zip(queues, pipe.execute(), strict=True))


def publish(cloudwatch, namespace: str, depths: dict[str, int]) -> None:
    cloudwatch.put_metric_data(
        Namespace=namespace,
        MetricData=[
            {
                "MetricName": "QueueDepth",
                "Dimensions": [{"Name": "Queue", "Value": queue}],
                "Value": depth,
                "Unit": "Count",
            }
            for queue, depth in depths.items()
        ],
    )


def main() -> None:
    import boto3

    logging.basicConfig(level=logging.INFO)
    client = redis.Redis.from_url(os.environ["REDIS_URL"], socket_timeout=5)
    namespace = os.environ.get("QUEUE_METRICS_NAMESPACE", "Wangqian/Celery")
    queues = os.environ.get("QUEUE_METRICS_QUEUES", "celery").split(",")
    interval = float(os.environ.get("QUEUE_METRICS_INTERVAL", "30"))
    cloudwatch = boto3.client("cloudwatch")
    while True:
        try:
            publish(cloudwatch, namespace, queue_depths(client, queues))
        except Exception:  # keep reporting after a broker or API hiccup
            logger.exception("queue depth not published")
        time.sleep(interval)


if __name__ == "__main__":
    main()
