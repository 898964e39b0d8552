variable "name" {
  type = string
}

variable "kms_key_arn" {
  type = string
}

variable "alarm_email" {
  type = string
}

variable "alb_arn_suffix" {
  type = string
}

variable "target_group_suffix" {
  type = string
}

variable "db_instance_id" {
  type = string
}

variable "cache_group_id" {
  type = string
}

variable "cluster_name" {
  type = string
}

variable "queue_namespace" {
  type = string
}
