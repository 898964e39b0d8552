"""The code tables load twice without duplicates, and a revision keeps old records' codes."""

from __future__ import annotations

import json
import shutil

import pytest
from django.core.management import call_command
from django_tenants.utils import schema_context

from codetables import files, loader
from codetables import selectors as codetables
from codetables.models import Code, TableVersion
from destinations import selectors, services
from tests.factories import agreements as f


@pytest.fixture
def fresh_caches():
    files.manifest.cache_clear()
    files.rows.cache_clear()
    codetables.clear_cache()
    yield
    files.manifest.cache_clear()
    files.rows.cache_clear()
    codetables.clear_cache()


def _counts():
    return {t: Code.objects.filter(version__table=t).count() for t in files.TABLES}


def test_loading_twice_gives_no_duplicates(db, fresh_caches):
    with schema_context("public"):
        before = _counts()
        assert before["graduation_destination"] == 18
        assert before["unit_nature"] == 12 and before["unit_industry"] == 20
        assert before["region"] > 3000  # GB/T 2260: provinces, cities and counties
        assert loader.load_all() == dict.fromkeys(files.TABLES, 0)  # the migration loaded them
        call_command("load_code_tables", verbosity=0)
        assert _counts() == before
        assert TableVersion.objects.filter(is_current=True).count() == len(files.TABLES)


def test_tables_have_the_national_codes(db):
    with schema_context("public"):
        destination = codetables.table("graduation_destination")
        for code in (
            "10",
            "11",
            "12",
            "46",
            "271",
            "502",
            "503",
            "512",
            "519",
            "75",
            "76",
            "801",
            "802",
            "85",
            "70",
            "71",
            "72",
        ):
            assert destination.get(code), code
        assert codetables.category_of("801") == "further_study"
        assert codetables.category_of("72") == "unplaced"
        assert codetables.name_of("unit_nature", "21") == "高等教育单位"
        industry = codetables.table("unit_industry")
        assert {e.attrs["section"] for e in industry.entries.values()} == set(
            "ABCDEFGHIJKLMNOPQRST"
        )
        # GB/T 2260 as revised: 邵东县 (430521) became 邵东市 (430582) in 2019
        assert codetables.region_label("430582") == "湖南省邵阳市邵东市"
        assert codetables.table("region").get("430521") is None
        assert codetables.region_code_for("北京市", "海淀区") == "110108"


def test_a_revision_keeps_old_records_codes(cast, tmp_path, monkeypatch, fresh_caches):
    """The Ministry renames 801 and drops 72: old records keep code and name, new ones use 2027."""
    graduate, other = cast.graduates[0], cast.graduates[1]
    with f.in_school(cast.tenant):
        old = services.submit_registration(
            actor=cast.admin_actor(),
            graduate=graduate,
            data={"code": "801", "employer_name": "湖南大学"},
        )
        waiting = services.submit_registration(
            actor=cast.admin_actor(), graduate=other, data={"code": "72"}
        )
    data = tmp_path / "data"
    shutil.copytree(files.DATA, data)
    rows = (data / "graduation_destination" / "2023.csv").read_text("utf-8").splitlines()
    revised = [
        r.replace("801,研究生", "801,境内升学（研究生）") for r in rows if not r.startswith("72,")
    ]
    (data / "graduation_destination" / "2027.csv").write_text("\n".join(revised) + "\n", "utf-8")
    manifest = json.loads((data / "manifest.json").read_text("utf-8"))
    manifest["graduation_destination"]["current"] = "2027"
    (data / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    monkeypatch.setattr(files, "DATA", data)
    files.manifest.cache_clear()
    files.rows.cache_clear()
    with schema_context("public"):
        loader.load_all(tables=("graduation_destination",))
        loader.load_all(tables=("graduation_destination",))  # twice: still one 2027
        versions = dict(
            TableVersion.objects.filter(table="graduation_destination").values_list(
                "version", "is_current"
            )
        )
        assert versions == {"2023": False, "2027": True}
        assert Code.objects.filter(version__version="2027", code="72").count() == 0
    with f.in_school(cast.tenant):
        old.refresh_from_db()
        waiting.refresh_from_db()
        assert old.code == "801" and old.code_versions["graduation_destination"] == "2023"
        assert selectors.describe(old)["code_name"] == "研究生"  # as registered
        assert selectors.describe(waiting)["code_name"] == "其他暂不就业"  # gone from 2027
        new = services.submit_registration(
            actor=cast.admin_actor(),
            graduate=cast.graduates[2],
            data={"code": "801", "employer_name": "中南大学"},
        )
        assert new.code_versions["graduation_destination"] == "2027"
        assert selectors.describe(new)["code_name"] == "境内升学（研究生）"
        with pytest.raises(Exception, match="请选择毕业去向"):
            services.submit_registration(
                actor=cast.admin_actor(), graduate=cast.graduates[3], data={"code": "72"}
            )
