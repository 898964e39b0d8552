output "platform_url" {
  value = "https://${var.platform_domain}/"
}

output "school_url_pattern" {
  value = "https://<subdomain>.${var.platform_domain}/"
}

output "alb_dns_name" {
  value = module.edge.alb_dns_name
}

output "database_endpoint" {
  value = module.database.address
}

output "database_replica_endpoint" {
  value = module.database.replica_address
}

output "redis_endpoint" {
  value = module.cache.primary_endpoint
}

output "bucket_name" {
  value = module.storage.bucket_name
}

output "ecs_cluster" {
  value = module.ecs.cluster_name
}

output "migrate_task_definition" {
  description = "Run once per deploy before the services roll: aws ecs run-task --task-definition <this> ..."
  value       = module.ecs.migrate_task_definition_arn
}
