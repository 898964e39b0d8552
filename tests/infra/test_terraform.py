"""infra/terraform's wiring, read from the HCL itself (python-hcl2): no terraform binary here.

checkov (make lint-infra) judges each resource on its own; these check what connects them:
every service's DATABASE_URL and REDIS_URL come from Secrets Manager, nothing public where it
must not be, exactly one beat, encryption at rest and in transit, and no hard-coded partition.
"""

from __future__ import annotations

import re
from pathlib import Path

import hcl2
import pytest

ROOT = Path(__file__).resolve().parents[2] / "infra" / "terraform"
APP_SECRET_NAMES = {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "FIELD_ENCRYPTION_KEYS"}


def unquote(value):
    if isinstance(value, str):
        return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value
    if isinstance(value, list):
        return [unquote(v) for v in value]
    if isinstance(value, dict):
        return {unquote(k): unquote(v) for k, v in value.items() if k != "__is_block__"}
    return value


def parse(directory: Path) -> dict:
    """resources[(type, name)], locals, module calls, variables of the .tf files of a folder."""
    parsed = {"resource": {}, "locals": {}, "module": {}, "variable": {}}
    for path in sorted(directory.glob("*.tf")):
        with path.open() as handle:
            document = unquote(hcl2.load(handle))
        for block in document.get("resource", []):
            for kind, named in block.items():
                for name, body in named.items():
                    parsed["resource"][(kind, name)] = body
        for block in document.get("locals", []):
            parsed["locals"].update(block)
        for block in document.get("module", []):
            parsed["module"].update(block)
        for block in document.get("variable", []):
            parsed["variable"].update(block)
    return parsed


@pytest.fixture(scope="module")
def root():
    return parse(ROOT)


@pytest.fixture(scope="module")
def modules():
    return {path.name: parse(path) for path in sorted((ROOT / "modules").iterdir())}


def of_type(module: dict, kind: str) -> dict:
    return {name: body for (k, name), body in module["resource"].items() if k == kind}


def test_every_module_called_by_the_root_exists_with_its_variables(root, modules):
    assert set(root["module"]) == set(modules)
    for name, call in root["module"].items():
        assert call["source"] == f"./modules/{name}"
        declared = set(modules[name]["variable"])
        passed = set(call) - {"source"}
        assert passed <= declared, f"{name}: unknown inputs {passed - declared}"
        required = {v for v, body in modules[name]["variable"].items() if "default" not in body}
        assert required <= passed, f"{name}: missing inputs {required - passed}"


def test_every_app_container_gets_database_and_redis_urls_from_secrets_manager(root, modules):
    ecs = modules["ecs"]
    local = ecs["locals"]
    assert APP_SECRET_NAMES <= set(local["app_secret_names"])
    # Both secret lists map each name to an ARN of the secrets module, never a literal value.
    assert "valueFrom = var.secret_arns[key]" in local["app_secrets"]
    assert 'var.secret_arns["DATABASE_DIRECT_URL"]' in local["direct_secrets"]
    plain = {item["name"] for item in local["app_environment"]}
    assert not plain & (APP_SECRET_NAMES | {"DATABASE_DIRECT_URL"}), "a secret in plain env"
    assert root["module"]["ecs"]["secret_arns"] == "${module.secrets.arns}"
    secrets = modules["secrets"]
    stored = set(secrets["locals"]["values"])
    assert APP_SECRET_NAMES | {"DATABASE_DIRECT_URL", "PGBOUNCER_UPSTREAM"} <= stored
    assert (
        of_type(secrets, "aws_secretsmanager_secret")["app"]["kms_key_id"] == "${var.kms_key_arn}"
    )

    task_definitions = of_type(ecs, "aws_ecs_task_definition")
    assert set(task_definitions) == {"web", "worker", "beat", "migrate"}
    for name, task in task_definitions.items():
        containers = task["container_definitions"]
        app_containers = containers.count("image = var.image")
        with_secrets = len(re.findall(r"secrets = local\.(app|direct)_secrets", containers))
        assert app_containers >= 1 and with_secrets == app_containers, name
    # Web and worker go through the PgBouncer sidecar; beat and migrate connect directly.
    for name in ("web", "worker"):
        assert "local.pgbouncer" in task_definitions[name]["container_definitions"]
        assert "secrets = local.app_secrets" in task_definitions[name]["container_definitions"]
    for name in ("beat", "migrate"):
        assert "secrets = local.direct_secrets" in task_definitions[name]["container_definitions"]
    assert local["pgbouncer"]["secrets"][0]["name"] == "PGBOUNCER_UPSTREAM"
    pooled = secrets["locals"]["pooled_url"]
    assert "@127.0.0.1:6432/" in pooled


def test_beat_runs_exactly_one_task(modules):
    ecs = modules["ecs"]
    beat = of_type(ecs, "aws_ecs_service")["beat"]
    assert beat["desired_count"] == 1
    assert beat["deployment_maximum_percent"] == 100  # never two during a deploy
    targets = of_type(ecs, "aws_appautoscaling_target")
    assert all("beat" not in target["resource_id"] for target in targets.values())
    assert set(targets) == {"web", "worker"}


def test_workers_scale_on_cpu_and_on_queue_depth(modules):
    policies = of_type(modules["ecs"], "aws_appautoscaling_policy")
    assert set(policies) == {"web_cpu", "worker_cpu", "worker_queue"}
    queue = policies["worker_queue"]["target_tracking_scaling_policy_configuration"][0]
    metrics = queue["customized_metric_specification"][0]["metrics"]
    names = {m["metric_stat"][0]["metric"][0]["metric_name"] for m in metrics if "metric_stat" in m}
    assert names == {"QueueDepth", "RunningTaskCount"}


def test_buckets_block_public_access_and_are_encrypted_and_tls_only(modules):
    for module_name in ("storage", "edge"):
        module = modules[module_name]
        buckets = of_type(module, "aws_s3_bucket")
        blocks = of_type(module, "aws_s3_bucket_public_access_block")
        encryption = of_type(module, "aws_s3_bucket_server_side_encryption_configuration")
        policies = of_type(module, "aws_s3_bucket_policy")
        for name in buckets:
            assert blocks[name]["bucket"] == f"${{aws_s3_bucket.{name}.id}}"
            for flag in (
                "block_public_acls",
                "block_public_policy",
                "ignore_public_acls",
                "restrict_public_buckets",
            ):
                assert blocks[name][flag] is True, (name, flag)
            assert encryption[name]["rule"][0]["apply_server_side_encryption_by_default"]
        for name, policy in policies.items():
            assert "aws:SecureTransport" in policy["policy"], name
    files = of_type(modules["storage"], "aws_s3_bucket_server_side_encryption_configuration")
    rule = files["files"]["rule"][0]["apply_server_side_encryption_by_default"][0]
    assert rule["sse_algorithm"] == "aws:kms"
    versioning = of_type(modules["storage"], "aws_s3_bucket_versioning")["files"]
    assert versioning["versioning_configuration"][0]["status"] == "Enabled"
    assert of_type(modules["storage"], "aws_s3_bucket_lifecycle_configuration")["files"]


def test_database_is_private_encrypted_multi_az_with_point_in_time_recovery(modules):
    database = modules["database"]
    for name, instance in of_type(database, "aws_db_instance").items():
        assert instance["publicly_accessible"] is False, name
        assert instance["storage_encrypted"] is True, name
        assert instance["multi_az"] is True, name
    primary = of_type(database, "aws_db_instance")["main"]
    assert primary["backup_retention_period"] >= 7
    assert primary["deletion_protection"] is True
    parameters = of_type(database, "aws_db_parameter_group")["main"]["parameter"]
    assert {"name": "rds.force_ssl", "value": "1"} in parameters  # TLS in transit
    ingress = of_type(database, "aws_security_group")["db"]["ingress"][0]
    assert "cidr_blocks" not in ingress and ingress["security_groups"] == "${var.client_sg_ids}"


def test_redis_encrypted_at_rest_and_in_transit_with_auth(modules):
    group = of_type(modules["cache"], "aws_elasticache_replication_group")["main"]
    assert group["at_rest_encryption_enabled"] is True
    assert group["transit_encryption_enabled"] is True
    assert group["auth_token"]
    assert group["multi_az_enabled"] is True
    assert "rediss://" in modules["secrets"]["locals"]["values"]["REDIS_URL"]


def test_tasks_are_private_and_only_the_alb_reaches_them(modules):
    ecs = modules["ecs"]
    for name, service in of_type(ecs, "aws_ecs_service").items():
        assert service["network_configuration"][0]["assign_public_ip"] is False, name
    ingress = of_type(ecs, "aws_security_group")["tasks"]["ingress"]
    assert len(ingress) == 1 and ingress[0]["security_groups"] == ["${var.alb_sg_id}"]
    edge = modules["edge"]
    https = of_type(edge, "aws_lb_listener")["https"]
    assert https["protocol"] == "HTTPS" and "TLS13" in https["ssl_policy"]
    http = of_type(edge, "aws_lb_listener")["http"]["default_action"][0]
    assert http["type"] == "redirect"
    records = of_type(edge, "aws_route53_record")
    assert records["wildcard"]["name"] == "*.${var.platform_domain}"
    for group in of_type(ecs, "aws_cloudwatch_log_group").values():
        assert group["kms_key_id"] == "${var.kms_key_arn}"


def test_no_hard_coded_partition_in_any_arn():
    for path in ROOT.rglob("*.tf"):
        text = path.read_text()
        assert not re.search(r"arn:aws(-cn)?:", text), f"{path}: ARN without ${{var.partition}}"
    variables = parse(ROOT)["variable"]
    assert "aws-cn" in str(variables["partition"]["validation"])
