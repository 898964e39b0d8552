output "cluster_name" {
  value = aws_ecs_cluster.main.name
}

output "tasks_security_group_id" {
  value = aws_security_group.tasks.id
}

output "migrate_task_definition_arn" {
  value = aws_ecs_task_definition.migrate.arn
}

output "queue_metric_namespace" {
  value = local.queue_namespace
}
