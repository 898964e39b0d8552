variable "name" {
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

variable "node_type" {
  type = string
}

variable "kms_key_arn" {
  type = string
}
