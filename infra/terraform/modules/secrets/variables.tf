variable "name" {
  type = string
}

variable "kms_key_arn" {
  type = string
}

variable "database_host" {
  type = string
}

variable "database_name" {
  type = string
}

variable "database_user" {
  type = string
}

variable "database_password" {
  type      = string
  sensitive = true
}

variable "database_replica" {
  type = string
}

variable "redis_host" {
  type = string
}

variable "redis_auth_token" {
  type      = string
  sensitive = true
}

variable "sentry_dsn" {
  type      = string
  sensitive = true
}
