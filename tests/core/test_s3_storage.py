"""The S3 path (django-storages) against moto's S3 server on a loopback port."""

import io

import boto3
import pytest
import requests
from django.core.files.storage import default_storage
from PIL import Image

from employers.models import Employer
from tests.factories.employers import HR_PASSWORD, register
from tests.utils import logged_in_client

BUCKET = "wangqian-test"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@pytest.fixture(scope="session")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **CREDENTIALS).create_bucket(
        Bucket=BUCKET
    )
    yield endpoint
    server.stop()


@pytest.fixture
def s3_storage(settings, s3_endpoint):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "access_key": CREDENTIALS["aws_access_key_id"],
                "secret_key": CREDENTIALS["aws_secret_access_key"],
                "region_name": "us-east-1",
                "addressing_style": "path",
                "signature_version": "s3v4",
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
            },
        },
    }
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", **CREDENTIALS)
    yield client


def test_licences_go_to_s3_privately_and_come_back_through_a_presigned_url(db, s3_storage):
    assert default_storage.__class__.__name__ == "S3Storage"
    membership = register(name="对象存储有限公司", username="hr.s3")
    key = Employer.objects.get(pk=membership.employer_id).licence.name
    assert key.startswith("platform/licence/") and key.endswith(".png")

    stored = s3_storage.get_object(Bucket=BUCKET, Key=key)
    assert Image.open(io.BytesIO(stored["Body"].read())).format == "PNG"
    grants = s3_storage.get_object_acl(Bucket=BUCKET, Key=key)["Grants"]
    assert all("AllUsers" not in str(grant["Grantee"]) for grant in grants)

    hr = logged_in_client(None, "hr.s3", HR_PASSWORD)
    response = hr.get(f"/employers/{membership.employer_id}/licence")
    assert response.status_code == 302
    url = response["Location"]
    assert url.startswith(s3_storage.meta.endpoint_url + f"/{BUCKET}/{key}")
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=120" in url
    fetched = requests.get(url, timeout=5)
    assert fetched.status_code == 200
    assert Image.open(io.BytesIO(fetched.content)).format == "PNG"

    # Another HR user is refused before any URL is minted.
    register(name="别家有限公司", username="hr.s3.other")
    other = logged_in_client(None, "hr.s3.other", HR_PASSWORD)
    assert other.get(f"/employers/{membership.employer_id}/licence").status_code == 404


def test_an_invalid_upload_never_reaches_the_bucket(db, s3_storage):
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from core.context import cli_actor
    from employers.services import register_employer

    before = s3_storage.list_objects_v2(Bucket=BUCKET).get("KeyCount", 0)
    with pytest.raises(ValidationError):
        register_employer(
            actor=cli_actor("tests"),
            username="hr.s3.bad",
            password=HR_PASSWORD,
            display_name="坏文件",
            employer={"name": "坏文件有限公司"},
            licence=SimpleUploadedFile("licence.png", b"not an image at all"),
        )
    assert s3_storage.list_objects_v2(Bucket=BUCKET).get("KeyCount", 0) == before
