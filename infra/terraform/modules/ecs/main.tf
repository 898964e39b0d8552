# ECS Fargate: web (gunicorn behind the ALB), worker (Celery), beat (exactly one), and a
# one-off migrate task. One image, several commands. Web and worker tasks carry a PgBouncer
# sidecar in transaction mode (tenancy is safe behind it: core/db_backend); the server
# connections a task can open are bounded by its pool, whatever the number of tasks' workers.

data "aws_region" "current" {}

locals {
  queue_namespace = "Wangqian/Celery"
  # Each service receives these from Secrets Manager (injected by the ECS agent at start).
  app_secret_names = ["DATABASE_URL", "REDIS_URL", "SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "SENTRY_DSN"]
  app_secrets      = [for key in local.app_secret_names : { name = key, valueFrom = var.secret_arns[key] }]
  # The migrate task and beat talk to PostgreSQL directly (DDL, no pooler in the way).
  direct_secrets = [for key in local.app_secret_names : {
    name      = key
    valueFrom = key == "DATABASE_URL" ? var.secret_arns["DATABASE_DIRECT_URL"] : var.secret_arns[key]
  }]
  app_environment = [
    { name = "PLATFORM_DOMAIN", value = var.platform_domain },
    { name = "DEBUG", value = "0" },
    { name = "AWS_STORAGE_BUCKET_NAME", value = var.bucket_name },
    { name = "AWS_S3_REGION_NAME", value = data.aws_region.current.name },
    { name = "DATABASE_POOL_MODE", value = "transaction" },
    { name = "DB_CONN_MAX_AGE", value = "60" },
    { name = "QUEUE_METRICS_NAMESPACE", value = local.queue_namespace },
  ]
  direct_environment = [for item in local.app_environment : item if item.name != "DATABASE_POOL_MODE"]
  tmp_volume         = [{ sourceVolume = "tmp", containerPath = "/tmp", readOnly = false }]
  pgbouncer = {
    name                   = "pgbouncer"
    image                  = var.pgbouncer_image
    essential              = true
    readonlyRootFilesystem = true
    user                   = "10002:10002"
    mountPoints            = local.tmp_volume
    secrets                = [{ name = "PGBOUNCER_UPSTREAM", valueFrom = var.secret_arns["PGBOUNCER_UPSTREAM"] }]
    environment = [
      { name = "POOL_MODE", value = "transaction" },
      { name = "DEFAULT_POOL_SIZE", value = "5" }, # >= gunicorn workers (3) or Celery concurrency (4)
      { name = "MAX_CLIENT_CONN", value = "200" },
    ]
    healthCheck = {
      command  = ["CMD-SHELL", "pg_isready -h 127.0.0.1 -p 6432 || exit 1"]
      interval = 15
      retries  = 3
      timeout  = 5
    }
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.service["pgbouncer"].name
        awslogs-region        = data.aws_region.current.name
        awslogs-stream-prefix = "pgbouncer"
      }
    }
  }
}

resource "aws_ecs_cluster" "main" {
  name = var.name
  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

resource "aws_cloudwatch_log_group" "service" {
  for_each          = toset(["web", "worker", "beat", "migrate", "pgbouncer"])
  name              = "/${var.name}/${each.key}"
  retention_in_days = 365
  kms_key_id        = var.kms_key_arn
}

# --- IAM: the agent's role (pull, logs, secrets) and the application's role (S3, metrics) ---

data "aws_iam_policy_document" "assume_tasks" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "execution" {
  name               = "${var.name}-ecs-execution"
  assume_role_policy = data.aws_iam_policy_document.assume_tasks.json
}

resource "aws_iam_role_policy_attachment" "execution" {
  role       = aws_iam_role.execution.name
  policy_arn = "arn:${var.partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

resource "aws_iam_role_policy" "execution_secrets" {
  name = "read-app-secrets"
  role = aws_iam_role.execution.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = ["secretsmanager:GetSecretValue"], Resource = values(var.secret_arns) },
      { Effect = "Allow", Action = ["kms:Decrypt"], Resource = [var.kms_key_arn] },
    ]
  })
}

resource "aws_iam_role" "task" {
  name               = "${var.name}-ecs-task"
  assume_role_policy = data.aws_iam_policy_document.assume_tasks.json
}

resource "aws_iam_role_policy" "task" {
  name = "app"
  role = aws_iam_role.task.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:GetObjectVersion"]
        Resource = ["${var.bucket_arn}/*"]
      },
      { Effect = "Allow", Action = ["s3:ListBucket"], Resource = [var.bucket_arn] },
      {
        Effect   = "Allow"
        Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
        Resource = [var.kms_key_arn]
      },
      {
        # PutMetricData has no resource-level permissions; the namespace condition bounds it.
        Effect    = "Allow"
        Action    = ["cloudwatch:PutMetricData"]
        Resource  = "*"
        Condition = { StringEquals = { "cloudwatch:namespace" = local.queue_namespace } }
      },
    ]
  })
}

# --- Network: tasks in private subnets; in from the ALB only ---

resource "aws_security_group" "tasks" {
  name        = "${var.name}-tasks"
  description = "ECS tasks (web, worker, beat, migrate)"
  vpc_id      = var.vpc_id
  ingress {
    description     = "gunicorn from the load balancer"
    from_port       = 8000
    to_port         = 8000
    protocol        = "tcp"
    security_groups = [var.alb_sg_id]
  }
  egress {
    description = "HTTPS out: WeChat API, S3, Secrets Manager, CloudWatch, Sentry"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"] #tfsec:ignore:aws-ec2-no-public-egress-sgr
  }
  egress {
    description = "PostgreSQL and Redis inside the VPC"
    from_port   = 5432
    to_port     = 6379
    protocol    = "tcp"
    cidr_blocks = [data.aws_vpc.main.cidr_block]
  }
}

data "aws_vpc" "main" {
  id = var.vpc_id
}

# --- Task definitions ---

resource "aws_ecs_task_definition" "web" {
  family                   = "${var.name}-web"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.web.cpu
  memory                   = var.web.memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn
  volume {
    name = "tmp"
  }
  container_definitions = jsonencode([
    {
      name                   = "web"
      image                  = var.image
      essential              = true
      readonlyRootFilesystem = true
      command                = ["gunicorn", "-c", "saas_platform/gunicorn.conf.py"]
      portMappings           = [{ containerPort = 8000, protocol = "tcp" }]
      environment            = concat(local.app_environment, [{ name = "GUNICORN_WORKERS", value = tostring(max(2, floor(var.web.cpu / 512) + 1)) }])
      secrets                = local.app_secrets
      mountPoints            = local.tmp_volume
      dependsOn              = [{ containerName = "pgbouncer", condition = "HEALTHY" }]
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.service["web"].name
          awslogs-region        = data.aws_region.current.name
          awslogs-stream-prefix = "web"
        }
      }
    },
    local.pgbouncer,
  ])
}

resource "aws_ecs_task_definition" "worker" {
  family                   = "${var.name}-worker"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.worker.cpu
  memory                   = var.worker.memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn
  volume {
    name = "tmp"
  }
  container_definitions = jsonencode([
    {
      name                   = "worker"
      image                  = var.image
      essential              = true
      readonlyRootFilesystem = true
      command                = ["celery", "-A", "saas_platform", "worker", "--loglevel", "INFO", "--concurrency", "4", "--prefetch-multiplier", "1"]
      environment            = local.app_environment
      secrets                = local.app_secrets
      mountPoints            = local.tmp_volume
      dependsOn              = [{ containerName = "pgbouncer", condition = "HEALTHY" }]
      stopTimeout            = 120 # acks_late: a task cut off is redelivered, but let it finish
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.service["worker"].name
          awslogs-region        = data.aws_region.current.name
          awslogs-stream-prefix = "worker"
        }
      }
    },
    local.pgbouncer,
  ])
}

resource "aws_ecs_task_definition" "beat" {
  family                   = "${var.name}-beat"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 256
  memory                   = 512
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn
  volume {
    name = "tmp"
  }
  container_definitions = jsonencode([
    {
      name                   = "beat"
      image                  = var.image
      essential              = true
      readonlyRootFilesystem = true
      command                = ["celery", "-A", "saas_platform", "beat", "--loglevel", "INFO", "--schedule", "/tmp/celerybeat-schedule"]
      environment            = local.direct_environment
      secrets                = local.direct_secrets
      mountPoints            = local.tmp_volume
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.service["beat"].name
          awslogs-region        = data.aws_region.current.name
          awslogs-stream-prefix = "beat"
        }
      }
    },
    {
      # Celery queue depth -> CloudWatch every 30 s: the workers' second scaling signal.
      name                   = "queue-metrics"
      image                  = var.image
      essential              = false
      readonlyRootFilesystem = true
      command                = ["python", "-m", "core.queue_metrics"]
      environment            = local.direct_environment
      secrets                = local.direct_secrets
      mountPoints            = local.tmp_volume
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.service["beat"].name
          awslogs-region        = data.aws_region.current.name
          awslogs-stream-prefix = "queue-metrics"
        }
      }
    },
  ])
}

resource "aws_ecs_task_definition" "migrate" {
  family                   = "${var.name}-migrate"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 1024
  memory                   = 2048
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn
  volume {
    name = "tmp"
  }
  container_definitions = jsonencode([
    {
      name                   = "migrate"
      image                  = var.image
      essential              = true
      readonlyRootFilesystem = true
      command                = ["python", "manage.py", "migrate", "--noinput"]
      environment            = local.direct_environment
      secrets                = local.direct_secrets
      mountPoints            = local.tmp_volume
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.service["migrate"].name
          awslogs-region        = data.aws_region.current.name
          awslogs-stream-prefix = "migrate"
        }
      }
    },
  ])
}

# --- Services ---

resource "aws_ecs_service" "web" {
  name                              = "web"
  cluster                           = aws_ecs_cluster.main.id
  task_definition                   = aws_ecs_task_definition.web.arn
  launch_type                       = "FARGATE"
  desired_count                     = var.web.min
  health_check_grace_period_seconds = 30
  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [aws_security_group.tasks.id]
    assign_public_ip = false
  }
  load_balancer {
    target_group_arn = var.target_group_arn
    container_name   = "web"
    container_port   = 8000
  }
  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }
  lifecycle {
    ignore_changes = [desired_count] # owned by autoscaling
  }
}

resource "aws_ecs_service" "worker" {
  name            = "worker"
  cluster         = aws_ecs_cluster.main.id
  task_definition = aws_ecs_task_definition.worker.arn
  launch_type     = "FARGATE"
  desired_count   = var.worker.min
  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [aws_security_group.tasks.id]
    assign_public_ip = false
  }
  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }
  lifecycle {
    ignore_changes = [desired_count]
  }
}

# Exactly one beat, ever: two would send every periodic task twice. A deploy stops the old
# task before starting the new one (maximum 100 %, minimum 0 %).
resource "aws_ecs_service" "beat" {
  name                               = "beat"
  cluster                            = aws_ecs_cluster.main.id
  task_definition                    = aws_ecs_task_definition.beat.arn
  launch_type                        = "FARGATE"
  desired_count                      = 1
  deployment_maximum_percent         = 100
  deployment_minimum_healthy_percent = 0
  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [aws_security_group.tasks.id]
    assign_public_ip = false
  }
}

# --- Autoscaling: web on CPU; workers on CPU and on queue depth per running task ---

resource "aws_appautoscaling_target" "web" {
  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.main.name}/${aws_ecs_service.web.name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = var.web.min
  max_capacity       = var.web.max
}

resource "aws_appautoscaling_policy" "web_cpu" {
  name               = "web-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.web.service_namespace
  resource_id        = aws_appautoscaling_target.web.resource_id
  scalable_dimension = aws_appautoscaling_target.web.scalable_dimension
  target_tracking_scaling_policy_configuration {
    target_value       = var.web.cpu_target
    scale_in_cooldown  = 300
    scale_out_cooldown = 60
    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}

resource "aws_appautoscaling_target" "worker" {
  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.main.name}/${aws_ecs_service.worker.name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = var.worker.min
  max_capacity       = var.worker.max
}

resource "aws_appautoscaling_policy" "worker_cpu" {
  name               = "worker-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.worker.service_namespace
  resource_id        = aws_appautoscaling_target.worker.resource_id
  scalable_dimension = aws_appautoscaling_target.worker.scalable_dimension
  target_tracking_scaling_policy_configuration {
    target_value       = var.worker.cpu_target
    scale_in_cooldown  = 300
    scale_out_cooldown = 60
    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}

# Backlog per task = queued Celery messages / running worker tasks, held at the target.
resource "aws_appautoscaling_policy" "worker_queue" {
  name               = "worker-queue-depth"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.worker.service_namespace
  resource_id        = aws_appautoscaling_target.worker.resource_id
  scalable_dimension = aws_appautoscaling_target.worker.scalable_dimension
  target_tracking_scaling_policy_configuration {
    target_value       = var.worker.queue_depth_target
    scale_in_cooldown  = 300
    scale_out_cooldown = 60
    customized_metric_specification {
      metrics {
        id          = "queued"
        return_data = false
        metric_stat {
          stat = "Average"
          metric {
            namespace   = local.queue_namespace
            metric_name = "QueueDepth"
            dimensions {
              name  = "Queue"
              value = "celery"
            }
          }
        }
      }
      metrics {
        id          = "tasks"
        return_data = false
        metric_stat {
          stat = "Average"
          metric {
            namespace   = "ECS/ContainerInsights"
            metric_name = "RunningTaskCount"
            dimensions {
              name  = "ClusterName"
              value = aws_ecs_cluster.main.name
            }
            dimensions {
              name  = "ServiceName"
              value = aws_ecs_service.worker.name
            }
          }
        }
      }
      metrics {
        id          = "backlog_per_task"
        expression  = "queued / IF(tasks > 0, tasks, 1)"
        label       = "Celery backlog per worker task"
        return_data = true
      }
    }
  }
}
