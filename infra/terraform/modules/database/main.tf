# RDS PostgreSQL: Multi-AZ, encrypted with the platform's key, point-in-time recovery
# (35 days of WAL), TLS required, never publicly accessible; one read replica for the
# statistics dashboards and the national exports.

resource "aws_db_subnet_group" "main" {
  name       = var.name
  subnet_ids = var.subnet_ids
}

resource "aws_security_group" "db" {
  name        = "${var.name}-db"
  description = "PostgreSQL: reachable from the ECS tasks only"
  vpc_id      = var.vpc_id
  ingress {
    description     = "PostgreSQL from ECS tasks (PgBouncer sidecars, migrate task)"
    from_port       = 5432
    to_port         = 5432
    protocol        = "tcp"
    security_groups = var.client_sg_ids
  }
}

resource "aws_db_parameter_group" "main" {
  name   = "${var.name}-pg16"
  family = "postgres16"
  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }
  parameter {
    name  = "log_min_duration_statement"
    value = "500"
  }
  parameter {
    name  = "log_statement"
    value = "ddl"
  }
  # 3,000 schemas × ~90 tables: keep relcache/catcache warm per backend, few backends.
  parameter {
    name         = "max_connections"
    value        = "800"
    apply_method = "pending-reboot"
  }
}

resource "random_password" "master" {
  length  = 40
  special = false
}

resource "aws_iam_role" "monitoring" {
  name = "${var.name}-rds-monitoring"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "monitoring.rds.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "monitoring" {
  role       = aws_iam_role.monitoring.name
  policy_arn = "arn:${var.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
}

resource "aws_db_instance" "main" {
  identifier                            = var.name
  engine                                = "postgres"
  engine_version                        = "16"
  instance_class                        = var.instance_class
  allocated_storage                     = var.allocated_storage
  max_allocated_storage                 = var.allocated_storage * 4
  storage_type                          = "gp3"
  storage_encrypted                     = true
  kms_key_id                            = var.kms_key_arn
  db_name                               = "wangqian"
  username                              = "wangqian"
  password                              = random_password.master.result
  multi_az                              = true
  publicly_accessible                   = false
  db_subnet_group_name                  = aws_db_subnet_group.main.name
  vpc_security_group_ids                = [aws_security_group.db.id]
  parameter_group_name                  = aws_db_parameter_group.main.name
  backup_retention_period               = 35
  backup_window                         = "18:00-19:00" # 02:00-03:00 Beijing time
  maintenance_window                    = "sun:19:30-sun:20:30"
  copy_tags_to_snapshot                 = true
  deletion_protection                   = true
  skip_final_snapshot                   = false
  final_snapshot_identifier             = "${var.name}-final"
  auto_minor_version_upgrade            = true
  iam_database_authentication_enabled   = true
  performance_insights_enabled          = true
  performance_insights_kms_key_id       = var.kms_key_arn
  performance_insights_retention_period = 7
  monitoring_interval                   = 30
  monitoring_role_arn                   = aws_iam_role.monitoring.arn
  enabled_cloudwatch_logs_exports       = ["postgresql", "upgrade"]
}

resource "aws_db_instance" "replica" {
  count                                 = var.read_replica ? 1 : 0
  identifier                            = "${var.name}-replica"
  replicate_source_db                   = aws_db_instance.main.identifier
  instance_class                        = var.instance_class
  storage_encrypted                     = true
  kms_key_id                            = var.kms_key_arn
  publicly_accessible                   = false
  multi_az                              = true
  vpc_security_group_ids                = [aws_security_group.db.id]
  parameter_group_name                  = aws_db_parameter_group.main.name
  copy_tags_to_snapshot                 = true
  deletion_protection                   = true
  skip_final_snapshot                   = true
  auto_minor_version_upgrade            = true
  iam_database_authentication_enabled   = true
  performance_insights_enabled          = true
  performance_insights_kms_key_id       = var.kms_key_arn
  performance_insights_retention_period = 7
  monitoring_interval                   = 30
  monitoring_role_arn                   = aws_iam_role.monitoring.arn
  enabled_cloudwatch_logs_exports       = ["postgresql", "upgrade"]
}
