# CloudWatch alarms to an SNS topic: what pages someone during the signing season.
# Logs: each service's log group (modules/ecs); errors with context: Sentry (SENTRY_DSN).

resource "aws_sns_topic" "alarms" {
  name              = "${var.name}-alarms"
  kms_master_key_id = var.kms_key_arn
}

resource "aws_sns_topic_subscription" "email" {
  count     = var.alarm_email == "" ? 0 : 1
  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = var.alarm_email
}

locals {
  alarms = {
    web-5xx = {
      namespace = "AWS/ApplicationELB", metric = "HTTPCode_Target_5XX_Count", stat = "Sum",
      threshold = 50, period = 60, dimensions = { LoadBalancer = var.alb_arn_suffix, TargetGroup = var.target_group_suffix }
    }
    web-p95-latency = {
      namespace = "AWS/ApplicationELB", metric = "TargetResponseTime", stat = "p95",
      threshold = 0.3, period = 300, dimensions = { LoadBalancer = var.alb_arn_suffix, TargetGroup = var.target_group_suffix }
    }
    web-unhealthy = {
      namespace = "AWS/ApplicationELB", metric = "UnHealthyHostCount", stat = "Maximum",
      threshold = 0, period = 60, dimensions = { LoadBalancer = var.alb_arn_suffix, TargetGroup = var.target_group_suffix }
    }
    db-cpu = {
      namespace = "AWS/RDS", metric = "CPUUtilization", stat = "Average",
      threshold = 80, period = 300, dimensions = { DBInstanceIdentifier = var.db_instance_id }
    }
    db-connections = {
      namespace = "AWS/RDS", metric = "DatabaseConnections", stat = "Maximum",
      threshold = 600, period = 300, dimensions = { DBInstanceIdentifier = var.db_instance_id }
    }
    redis-memory = {
      namespace = "AWS/ElastiCache", metric = "DatabaseMemoryUsagePercentage", stat = "Maximum",
      threshold = 75, period = 300, dimensions = { ReplicationGroupId = var.cache_group_id }
    }
    celery-backlog = {
      namespace = var.queue_namespace, metric = "QueueDepth", stat = "Maximum",
      threshold = 20000, period = 300, dimensions = { Queue = "celery" }
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "main" {
  for_each            = local.alarms
  alarm_name          = "${var.name}-${each.key}"
  namespace           = each.value.namespace
  metric_name         = each.value.metric
  statistic           = contains(["Sum", "Average", "Maximum", "Minimum"], each.value.stat) ? each.value.stat : null
  extended_statistic  = contains(["Sum", "Average", "Maximum", "Minimum"], each.value.stat) ? null : each.value.stat
  threshold           = each.value.threshold
  period              = each.value.period
  evaluation_periods  = 3
  datapoints_to_alarm = 2
  comparison_operator = "GreaterThanThreshold"
  dimensions          = each.value.dimensions
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}

# RDS free storage: the only "less than" alarm.
resource "aws_cloudwatch_metric_alarm" "db_storage" {
  alarm_name          = "${var.name}-db-free-storage"
  namespace           = "AWS/RDS"
  metric_name         = "FreeStorageSpace"
  statistic           = "Minimum"
  threshold           = 50 * 1024 * 1024 * 1024
  period              = 300
  evaluation_periods  = 2
  comparison_operator = "LessThanThreshold"
  dimensions          = { DBInstanceIdentifier = var.db_instance_id }
  alarm_actions       = [aws_sns_topic.alarms.arn]
}
