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

variable "public_subnet_ids" {
  type = list(string)
}

variable "platform_domain" {
  type = string
}

variable "route53_zone_id" {
  type = string
}

variable "certificate_arn" {
  type = string
}
