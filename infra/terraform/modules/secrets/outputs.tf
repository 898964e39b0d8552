output "arns" {
  description = "Secret ARN by environment variable name."
  value       = { for key, secret in aws_secretsmanager_secret.app : key => secret.arn }
}
