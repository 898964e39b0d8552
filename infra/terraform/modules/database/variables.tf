variable "name" {
  type = string
}

variable "partition" {
  type = string
}

variable "vpc_id" {
  type = string
}

variable "subnet_ids" {
  type = list(string)
}

variable "client_sg_ids" {
  type = list(string)
}

variable "instance_class" {
  type = string
}

variable "allocated_storage" {
  type = number
}

variable "read_replica" {
  type = bool
}

variable "kms_key_arn" {
  type = string
}
