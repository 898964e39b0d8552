output "address" {
  value = aws_db_instance.main.address
}

output "replica_address" {
  value = var.read_replica ? aws_db_instance.replica[0].address : ""
}

output "name" {
  value = aws_db_instance.main.db_name
}

output "username" {
  value = aws_db_instance.main.username
}

output "password" {
  value     = random_password.master.result
  sensitive = true
}

output "instance_id" {
  value = aws_db_instance.main.identifier
}
