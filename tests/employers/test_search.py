"""Directory search quality: what a graduate typing an employer's name gets back."""

import pytest

from accounts.models import User
from core.context import Actor, cli_actor
from employers.models import BigramCount
from employers.selectors import search_employers
from employers.services import reject_employer, update_employer, verify_employer
from tests.factories.employers import add_to_directory, directory_entry, register
from tests.utils import OPERATOR_PASSWORD, client_for, logged_in_client

TENCENT_CODE = "9144030071526726XG"

# Prefixes are ranked from a capped btree range, or, when more names share the prefix
# than the cap, by walking the ranking index: both must give the same answers.
PATHS = [
    pytest.param(2000, id="prefix-range"),
    pytest.param(1, id="prefix-walk"),
]


@pytest.fixture
def directory(db):
    add_to_directory(
        directory_entry("深圳市腾讯计算机系统有限公司", TENCENT_CODE),
        directory_entry("腾讯计算机系统有限公司"),
        directory_entry("腾讯科技（深圳）有限公司"),
        directory_entry("腾讯音乐娱乐科技（深圳）有限公司"),
        directory_entry("华为"),
        directory_entry("华为技术有限公司"),
        directory_entry("深华为"),
        directory_entry("长沙华为信息科技服务有限责任公司"),
        directory_entry("湖南计算机系统工程有限公司"),
        directory_entry("北京字节跳动科技有限公司"),
    )
    pending = register("腾讯", username="hr-pending-tx").employer
    rejected = register("腾讯云端有限公司", username="hr-rejected-tx").employer
    reject_employer(actor=cli_actor("tests"), employer_id=rejected.pk, reason="执照模糊")
    return {"pending": pending, "rejected": rejected}


def names(results):
    return [r["name"] for r in results]


@pytest.fixture(params=PATHS)
def path(request, monkeypatch):
    monkeypatch.setattr("employers.selectors.PREFIX_CAP", request.param)
    return request.param


def test_two_character_substring_finds_every_verified_name_containing_it(directory, path):
    found = names(search_employers("腾讯", limit=20))
    assert sorted(found) == sorted(
        [
            "深圳市腾讯计算机系统有限公司",
            "腾讯计算机系统有限公司",
            "腾讯科技（深圳）有限公司",
            "腾讯音乐娱乐科技（深圳）有限公司",
        ]
    )
    # Prefix matches first, then the one that only contains the term.
    assert found[-1] == "深圳市腾讯计算机系统有限公司"


def test_longer_substring_anywhere_in_the_name(directory, path):
    assert names(search_employers("计算机系统")) == [
        "腾讯计算机系统有限公司",  # 11 characters
        "湖南计算机系统工程有限公司",  # 13
        "深圳市腾讯计算机系统有限公司",  # 14
    ]


def test_exact_then_prefix_then_shorter_names(directory, path):
    assert names(search_employers("华为")) == [
        "华为",  # exact
        "华为技术有限公司",  # prefix
        "深华为",  # inside, shortest first
        "长沙华为信息科技服务有限责任公司",
    ]


def test_limit_keeps_the_best(directory, path):
    assert names(search_employers("华为", limit=2)) == ["华为", "华为技术有限公司"]
    assert names(search_employers("有限公司", limit=1)) == ["华为技术有限公司"]


def test_pinyin_initials_and_full_pinyin_prefixes(directory, path):
    assert names(search_employers("txjsj"))[0] == "腾讯计算机系统有限公司"
    assert names(search_employers("TXJSJ"))[0] == "腾讯计算机系统有限公司"
    assert "腾讯科技（深圳）有限公司" in names(search_employers("txkj"))
    assert names(search_employers("tengxunji")) == ["腾讯计算机系统有限公司"]
    assert names(search_employers("huawei"))[:2] == ["华为", "华为技术有限公司"]
    assert names(search_employers("hw")) == ["华为", "华为技术有限公司"]


def test_credit_code_prefix(directory, path):
    assert names(search_employers("91440300715")) == ["深圳市腾讯计算机系统有限公司"]
    assert names(search_employers(TENCENT_CODE.lower())) == ["深圳市腾讯计算机系统有限公司"]


def test_width_and_spacing_do_not_matter(directory, path):
    assert names(search_employers("腾讯科技(深圳)")) == ["腾讯科技（深圳）有限公司"]
    assert names(search_employers(" 腾讯 科技 ")) == ["腾讯科技（深圳）有限公司"]


def test_unverified_only_when_asked_and_never_above_verified(directory, path):
    assert "腾讯" not in names(search_employers("腾讯", limit=20))
    with_pending = search_employers("腾讯", limit=20, include_unverified=True)
    # "腾讯" is an exact match, yet it comes after every verified entry.
    assert names(with_pending)[-1] == "腾讯"
    assert [r["verified"] for r in with_pending] == [True] * 4 + [False]
    assert with_pending[-1]["cloud"] is False and with_pending[0]["cloud"] is True
    # Rejected entries are never suggested.
    assert "腾讯云端有限公司" not in names(with_pending)


def test_nonsense_and_wildcards_find_nothing(directory, path):
    assert search_employers("") == []
    assert search_employers("%") == []
    assert search_employers("腾_") == []
    assert search_employers("腾%讯") == []
    assert search_employers("不存在的公司名称") == []


def test_single_character_matches_name_starts(directory, path):
    assert names(search_employers("华")) == ["华为", "华为技术有限公司"]


def test_index_follows_every_write(directory):
    operator = User.objects.get(username="operator")
    actor = Actor(user=operator)
    pending = directory["pending"]
    assert search_employers("腾讯", limit=20)[0]["name"] != "腾讯"
    verify_employer(actor=actor, employer_id=pending.pk)
    assert names(search_employers("腾讯", limit=20))[0] == "腾讯"  # exact, now verified

    target = search_employers("字节跳动")[0]
    update_employer(
        actor=actor, employer_id=target["id"], changes={"name": "北京抖音信息服务有限公司"}
    )
    assert search_employers("字节跳动") == []
    assert names(search_employers("抖音")) == ["北京抖音信息服务有限公司"]
    assert names(search_employers("bjdy")) == ["北京抖音信息服务有限公司"]
    assert not BigramCount.objects.filter(bigram="字节", employers__gt=0).exists()
    assert BigramCount.objects.get(bigram="抖音").employers == 1


def test_search_api_on_the_platform_and_every_school(directory, school_a, school_b):
    for school in (None, school_a, school_b):
        response = client_for(school).get("/api/v1/employers/search", {"q": "腾讯", "limit": 2})
        assert response.status_code == 200
        results = response.json()["results"]
        assert len(results) == 2
        first = results[0]
        assert set(first) >= {"id", "name", "credit_code", "nature", "industry", "region", "cloud"}
        assert first["cloud"] is True
        assert first["region"] == "广东省深圳市"
        assert "contact_phone" not in first


def test_only_operators_may_see_unverified_entries_through_the_api(directory):
    anonymous = client_for(None).get(
        "/api/v1/employers/search", {"q": "腾讯", "include_unverified": "1", "limit": 20}
    )
    assert "腾讯" not in names(anonymous.json()["results"])
    operator = logged_in_client(None, "operator", OPERATOR_PASSWORD)
    seen = operator.get(
        "/api/v1/employers/search", {"q": "腾讯", "include_unverified": "1", "limit": 20}
    )
    assert names(seen.json()["results"])[-1] == "腾讯"


@pytest.mark.parametrize("prefix_cap", [2000, 2])
def test_a_common_term_is_ranked_by_the_rule(db, monkeypatch, prefix_cap):
    """Many names share 科技: verified first; prefix before inside; shorter first."""
    # A cap of 2 makes "科技" a common prefix: ranked by walking the ranking index.
    monkeypatch.setattr("employers.selectors.PREFIX_CAP", prefix_cap)
    entries = [directory_entry("科技" + "甲" * i + "公司") for i in range(6)]
    entries += [directory_entry("长沙" + "乙" * i + "科技有限公司") for i in range(12)]
    add_to_directory(*entries)
    register("科技", username="hr-pending-kj")
    expected = ["科技" + "甲" * i + "公司" for i in range(6)]  # prefix matches, shortest first
    expected += ["长沙科技有限公司", "长沙乙科技有限公司"]  # then names that contain it
    assert names(search_employers("科技", limit=8)) == expected
    assert names(search_employers("科技", limit=30, include_unverified=True))[-1] == "科技"
    assert names(search_employers("长沙乙乙", limit=3)) == [
        "长沙乙乙科技有限公司",
        "长沙乙乙乙科技有限公司",
        "长沙乙乙乙乙科技有限公司",
    ]


def test_postings_follow_status_and_merges(db):
    from employers.models import NameBigram
    from employers.services import merge_employers

    operator = Actor(user=User.objects.get(username="operator"))
    a = register("邮政储蓄有限公司", username="hr-post-a").employer
    b = register("邮政储蓄银行有限公司", username="hr-post-b").employer
    # Both pending: hidden from the public search; for operators, the shorter name first.
    assert names(search_employers("邮政储蓄")) == []
    assert names(search_employers("邮政储蓄", include_unverified=True)) == [a.name, b.name]
    # Verifying the longer one lifts it above the shorter pending name.
    verify_employer(actor=operator, employer_id=b.pk)
    assert names(search_employers("邮政储蓄")) == [b.name]
    assert names(search_employers("邮政储蓄", include_unverified=True)) == [b.name, a.name]
    merge_employers(actor=operator, source_id=b.pk, target_id=a.pk)
    assert not NameBigram.objects.filter(employer_id=b.pk).exists()
    assert names(search_employers("邮政储蓄", include_unverified=True)) == ["邮政储蓄有限公司"]
