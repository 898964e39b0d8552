variable "partition" {
  description = "AWS partition: aws (global regions) or aws-cn (cn-north-1 Beijing, cn-northwest-1 Ningxia). Every ARN is built from it."
  type        = string
  default     = "aws-cn"
  validation {
    condition     = contains(["aws", "aws-cn"], var.partition)
    error_message = "partition must be aws or aws-cn."
  }
}

variable "region" {
  description = "Region, e.g. cn-northwest-1 or cn-north-1 (aws-cn), ap-east-1 (aws)."
  type        = string
  default     = "cn-northwest-1"
}

variable "environment" {
  description = "Name of this deployment (prefix of every resource name)."
  type        = string
  default     = "prod"
}

variable "platform_domain" {
  description = "PLATFORM_DOMAIN: the platform is served on it, each school on <subdomain>.<platform_domain>."
  type        = string
}

variable "route53_zone_id" {
  description = "Existing public hosted zone of platform_domain (the apex and the *. wildcard records go there)."
  type        = string
}

variable "certificate_arn" {
  description = "ARN of a certificate for platform_domain and *.platform_domain. Required in aws-cn, where ACM issues no public certificates (import one); empty in aws creates a DNS-validated ACM certificate."
  type        = string
  default     = ""
}

variable "image" {
  description = "The application image (Dockerfile at the repository root), e.g. <account>.dkr.ecr.cn-northwest-1.amazonaws.com.cn/wangqian:<git sha>."
  type        = string
}

variable "pgbouncer_image" {
  description = "PgBouncer image run as a sidecar of web and worker tasks (transaction pooling; Debian's pgbouncer package)."
  type        = string
}

variable "availability_zones" {
  description = "Two zones of the region, by name."
  type        = list(string)
  default     = ["cn-northwest-1a", "cn-northwest-1b"]
}

variable "vpc_cidr" {
  type    = string
  default = "10.40.0.0/16"
}

variable "db_instance_class" {
  type    = string
  default = "db.r6g.2xlarge"
}

variable "db_allocated_storage_gb" {
  type    = number
  default = 500
}

variable "db_read_replica" {
  description = "A read replica for the statistics dashboards and national exports."
  type        = bool
  default     = true
}

variable "cache_node_type" {
  type    = string
  default = "cache.r6g.large"
}

variable "web" {
  description = "Web tier (gunicorn): size of a task and autoscaling bounds."
  type = object({
    cpu = number, memory = number, min = number, max = number, cpu_target = number
  })
  default = { cpu = 1024, memory = 2048, min = 3, max = 60, cpu_target = 55 }
}

variable "worker" {
  description = "Celery workers: size of a task, bounds, and the queue depth per task to hold."
  type = object({
    cpu = number, memory = number, min = number, max = number, cpu_target = number,
    queue_depth_target = number
  })
  default = { cpu = 1024, memory = 2048, min = 2, max = 40, cpu_target = 60, queue_depth_target = 200 }
}

variable "alarm_email" {
  description = "Where CloudWatch alarms are e-mailed (empty: no subscription)."
  type        = string
  default     = ""
}

variable "sentry_dsn" {
  description = "SENTRY_DSN (stored in Secrets Manager; empty disables Sentry)."
  type        = string
  default     = ""
  sensitive   = true
}
