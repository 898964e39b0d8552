# Secrets Manager, KMS encrypted: what the tasks receive as environment variables (the ECS
# agent injects them at start; they are never in the task definition or the image).
# WeChat AppSecrets are per school, encrypted in the database with FIELD_ENCRYPTION_KEYS.

resource "random_password" "secret_key" {
  length  = 64
  special = false
}

# Fernet key: 32 random bytes, url-safe base64.
resource "random_bytes" "field_key" {
  length = 32
}

locals {
  # Web and worker tasks reach PostgreSQL through their PgBouncer sidecar (transaction mode).
  pooled_url = "postgres://${var.database_user}:${var.database_password}@127.0.0.1:6432/${var.database_name}"
  direct_url = "postgres://${var.database_user}:${var.database_password}@${var.database_host}:5432/${var.database_name}?sslmode=require"
  replica    = var.database_replica == "" ? local.direct_url : "postgres://${var.database_user}:${var.database_password}@${var.database_replica}:5432/${var.database_name}?sslmode=require"
  values = {
    DATABASE_URL          = local.pooled_url
    DATABASE_DIRECT_URL   = local.direct_url
    DATABASE_REPLICA_URL  = local.replica
    PGBOUNCER_UPSTREAM    = "host=${var.database_host} port=5432 dbname=${var.database_name} user=${var.database_user} password=${var.database_password} sslmode=require"
    REDIS_URL             = "rediss://:${var.redis_auth_token}@${var.redis_host}:6379/0"
    SECRET_KEY            = random_password.secret_key.result
    FIELD_ENCRYPTION_KEYS = replace(replace(random_bytes.field_key.base64, "+", "-"), "/", "_")
    SENTRY_DSN            = var.sentry_dsn
  }
}

resource "aws_secretsmanager_secret" "app" {
  #checkov:skip=CKV2_AWS_57: no rotation Lambda: the DB and Redis passwords are rotated by `terraform apply -replace` on random_password with a rolling deploy; SECRET_KEY and FIELD_ENCRYPTION_KEYS rotate by prepending a new key (old ones keep decrypting), see docs/deployment.md
  for_each                = local.values
  name                    = "${var.name}/${each.key}"
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = 30
}

resource "aws_secretsmanager_secret_version" "app" {
  for_each      = local.values
  secret_id     = aws_secretsmanager_secret.app[each.key].id
  secret_string = each.value
}
