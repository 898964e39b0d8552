# Wangqian on AWS (either partition): VPC over two zones, RDS PostgreSQL Multi-AZ, ElastiCache
# Redis, a private S3 bucket, ECS Fargate web / worker / beat, ALB with a wildcard certificate
# and DNS, Secrets Manager, CloudWatch. See docs/deployment.md for the topology and README.md
# here for what was and was not validated.

locals {
  name = "wangqian-${var.environment}"
  # Service principals and endpoints carry .com.cn in the China partition.
  dns_suffix = var.partition == "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com"
}

data "aws_caller_identity" "current" {}

resource "aws_kms_key" "main" {
  description             = "${local.name}: RDS, ElastiCache, S3, Secrets Manager, CloudWatch Logs"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "Account"
        Effect    = "Allow"
        Principal = { AWS = "arn:${var.partition}:iam::${data.aws_caller_identity.current.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "CloudWatchLogs"
        Effect    = "Allow"
        Principal = { Service = "logs.${var.region}.${local.dns_suffix}" }
        Action    = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
        Resource  = "*"
      },
    ]
  })
}

module "network" {
  source   = "./modules/network"
  name     = local.name
  vpc_cidr = var.vpc_cidr
  kms_key  = aws_kms_key.main.arn

  availability_zones = var.availability_zones
}

module "database" {
  source            = "./modules/database"
  name              = local.name
  vpc_id            = module.network.vpc_id
  subnet_ids        = module.network.data_subnet_ids
  client_sg_ids     = [module.ecs.tasks_security_group_id]
  instance_class    = var.db_instance_class
  allocated_storage = var.db_allocated_storage_gb
  read_replica      = var.db_read_replica
  kms_key_arn       = aws_kms_key.main.arn
  partition         = var.partition
}

module "cache" {
  source        = "./modules/cache"
  name          = local.name
  vpc_id        = module.network.vpc_id
  subnet_ids    = module.network.data_subnet_ids
  client_sg_ids = [module.ecs.tasks_security_group_id]
  node_type     = var.cache_node_type
  kms_key_arn   = aws_kms_key.main.arn
}

module "storage" {
  source      = "./modules/storage"
  name        = local.name
  kms_key_arn = aws_kms_key.main.arn
  partition   = var.partition
}

module "secrets" {
  source              = "./modules/secrets"
  name                = local.name
  kms_key_arn         = aws_kms_key.main.arn
  database_host       = module.database.address
  database_name       = module.database.name
  database_user       = module.database.username
  database_password   = module.database.password
  database_replica    = module.database.replica_address
  redis_host          = module.cache.primary_endpoint
  redis_auth_token    = module.cache.auth_token
  sentry_dsn          = var.sentry_dsn
}

module "edge" {
  source            = "./modules/edge"
  name              = local.name
  vpc_id            = module.network.vpc_id
  public_subnet_ids = module.network.public_subnet_ids
  platform_domain   = var.platform_domain
  route53_zone_id   = var.route53_zone_id
  certificate_arn   = var.certificate_arn
  partition         = var.partition
  region            = var.region
}

module "ecs" {
  source             = "./modules/ecs"
  name               = local.name
  partition          = var.partition
  region             = var.region
  vpc_id             = module.network.vpc_id
  private_subnet_ids = module.network.private_subnet_ids
  alb_sg_id          = module.edge.alb_security_group_id
  target_group_arn   = module.edge.target_group_arn
  image              = var.image
  pgbouncer_image    = var.pgbouncer_image
  platform_domain    = var.platform_domain
  bucket_name        = module.storage.bucket_name
  bucket_arn         = module.storage.bucket_arn
  kms_key_arn        = aws_kms_key.main.arn
  secret_arns        = module.secrets.arns
  web                = var.web
  worker             = var.worker
}

module "monitoring" {
  source             = "./modules/monitoring"
  name               = local.name
  kms_key_arn        = aws_kms_key.main.arn
  alarm_email        = var.alarm_email
  alb_arn_suffix     = module.edge.alb_arn_suffix
  target_group_suffix = module.edge.target_group_arn_suffix
  db_instance_id     = module.database.instance_id
  cache_group_id     = module.cache.replication_group_id
  cluster_name       = module.ecs.cluster_name
  queue_namespace    = module.ecs.queue_metric_namespace
}
