variable "name" {
  type = string
}

variable "availability_zones" {
  description = "The two zones, by name (cn-north-1 has a, b and d; cn-northwest-1 a, b and c)."
  type        = list(string)
}

variable "vpc_cidr" {
  type = string
}

variable "kms_key" {
  description = "KMS key ARN for the flow-log group."
  type        = string
}
