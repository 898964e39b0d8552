import pytest
from django.core.exceptions import ValidationError

from employers.credit_code import validate_credit_code

REAL_CODES = [
    "91350100M000100Y43",  # the example printed in GB 32100-2015
    "9144030071526726XG",  # 深圳市腾讯计算机系统有限公司
    "91110000802100433B",  # 北京字节跳动科技有限公司 style: state-registered company
]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_pass(code):
    assert validate_credit_code(code) == code


def test_lower_case_and_spaces_are_normalised():
    assert validate_credit_code(" 9144 0300 7152 6726 xg ") == "9144030071526726XG"


@pytest.mark.parametrize(
    ("code", "kind", "words"),
    [
        ("", "required", "请填写"),
        ("9144030071526726X", "length", "18 位，当前为 17 位"),
        ("9144030071526726XGG", "length", "当前为 19 位"),
        ("9144030071526726IG", "charset", "I"),
        ("91440300715267O6XG", "charset", "O"),
        ("91A40300715267260G", "region", "行政区划码"),
        ("9144030071526726XH", "checksum", "校验位不正确"),
        ("9144030071526762XG", "checksum", "校验位不正确"),  # two digits swapped
    ],
)
def test_each_kind_of_invalid_code_says_what_is_wrong(code, kind, words):
    with pytest.raises(ValidationError) as info:
        validate_credit_code(code)
    assert info.value.code == kind
    assert words in info.value.messages[0]
