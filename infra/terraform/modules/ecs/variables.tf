variable "name" {
  type = string
}

variable "partition" {
  type = string
}

variable "region" {
  type = string
}

variable "vpc_id" {
  type = string
}

variable "private_subnet_ids" {
  type = list(string)
}

variable "alb_sg_id" {
  type = string
}

variable "target_group_arn" {
  type = string
}

variable "image" {
  type = string
}

variable "pgbouncer_image" {
  type = string
}

variable "platform_domain" {
  type = string
}

variable "bucket_name" {
  type = string
}

variable "bucket_arn" {
  type = string
}

variable "kms_key_arn" {
  type = string
}

variable "secret_arns" {
  description = "Secrets Manager ARN by environment variable name (modules/secrets)."
  type        = map(string)
}

variable "web" {
  type = object({ cpu = number, memory = number, min = number, max = number, cpu_target = number })
}

variable "worker" {
  type = object({
    cpu = number, memory = number, min = number, max = number, cpu_target = number,
    queue_depth_target = number
  })
}
