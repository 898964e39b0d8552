"""The demo's story and every login it prints (`make run`). Development only.

One place defines who exists in the demo and what each login can do; the seed commands
build it through the real services and `make run` prints `story_lines()`.

For each school: a graduate ready to verify their 生源, one with an invitation waiting, one
already signed, the college admin who reviews all three (they are in that admin's college),
and the school admin. On the platform: the operator, the HR of a verified employer (who sent
the invitations) and the HR of an employer still waiting for verification.

Every password here is a set demo password; no graduate's initial password (derived from
the ID number) is ever printed.
"""

from __future__ import annotations

from dataclasses import dataclass

DEMO_OPERATOR = ("operator", "Wq-Platform#2026")
DEMO_SCHOOLS = [
    # name, 院校代码, subdomain, admin username, admin password
    ("邵阳学院", "10547", "syxy", "admin", "Syxy#Admin2026"),
    ("湖南大学", "10532", "hnu", "admin", "Hnu#Admin2026"),
]
# The verified employer's HR (seed_demo_agreements) and the pending one (seed_demo_employers).
DEMO_HR = ("hr_demo", "Demo#Hr-2026x")
DEMO_EMPLOYER = "湘江智能科技有限公司"
DEMO_PENDING_HR = ("hr.demo", "Hr#Demo-2026")


@dataclass(frozen=True)
class SchoolStory:
    subdomain: str
    prefix: str  # 学号 prefix of the school's demo roster
    student_name: str  # the roster's names: f"{student_name}{n}"
    colleges: tuple[tuple[str, tuple[str, ...]], ...]
    college_admin: tuple[str, str, str]  # username, password, display name (of colleges[0])
    to_verify: tuple[str, str]  # 学号, password: 生源 imported, ready to 开始核验
    invited: tuple[str, str]  # 生源 approved, an invitation from DEMO_EMPLOYER waits
    signed: tuple[str, str]  # 生源 approved, agreement with DEMO_EMPLOYER signed


STORIES = {
    "syxy": SchoolStory(
        subdomain="syxy",
        prefix="2022",
        student_name="演示学生",
        colleges=(
            ("计算机与信息工程学院", ("软件工程", "计算机科学与技术")),
            ("外国语学院", ("英语", "日语")),
        ),
        college_admin=("jsj_teacher", "Syxy#College2026", "计算机学院李老师"),
        # The roster alternates colleges: odd 学号 endings are in 计算机与信息工程学院.
        to_verify=("2022000003", "Demo#Verify-2026"),
        invited=("2022000001", "Demo#Grad-2026"),
        signed=("2022000005", "Demo#Signed-2026"),
    ),
    "hnu": SchoolStory(
        subdomain="hnu",
        prefix="2026",
        student_name="湖大学生",
        colleges=(
            ("信息科学与工程学院", ("计算机科学与技术", "电子信息工程")),
            ("经济与贸易学院", ("国际经济与贸易", "金融学")),
        ),
        college_admin=("xx_teacher", "Hnu#College2026", "信息学院周老师"),
        to_verify=("2026000003", "Demo#Verify-2026"),
        invited=("2026000001", "Demo#Grad-2026"),
        signed=("2026000005", "Demo#Signed-2026"),
    ),
}

# Kept for callers of the first demo (the graduate with an invitation in 邵阳学院).
DEMO_GRADUATE = STORIES["syxy"].invited


def story_lines(port: int) -> list[str]:
    """Every login of the demo with where to use it and what it can do (printed by make run)."""
    platform = f"http://localhost:{port}/"
    lines = [
        f"  平台（运营）: {platform}",
        f"    {DEMO_OPERATOR[0]} / {DEMO_OPERATOR[1]}  operator: onboard schools, verify the "
        f"pending employer 长沙演示招聘有限公司 (its HR is then notified)",
        f"    {DEMO_HR[0]} / {DEMO_HR[1]}  HR of {DEMO_EMPLOYER} (verified): 我的单位, invitations "
        f"in both schools, send a new one",
        f"    {DEMO_PENDING_HR[0]} / {DEMO_PENDING_HR[1]}  HR of a pending employer: told it must "
        f"wait for verification before inviting",
    ]
    for name, _code, subdomain, admin, admin_password in DEMO_SCHOOLS:
        story = STORIES[subdomain]
        college = story.colleges[0][0]
        lines += [
            f"  {name}: http://{subdomain}.localhost:{port}/",
            f"    {admin} / {admin_password}  school admin: roster, colleges, staff, settings, "
            f"school-level agreement review, statistics",
            f"    {story.college_admin[0]} / {story.college_admin[1]}  college admin of {college}: "
            f"reviews 生源 and agreements of the three graduates below",
            f"    {story.to_verify[0]} / {story.to_verify[1]}  graduate, 生源 ready to verify: "
            f"开始核验 → 提交 → the college admin reviews (also the WeChat OAuth walk)",
            f"    {story.invited[0]} / {story.invited[1]}  graduate with an invitation from "
            f"{DEMO_EMPLOYER}: 应约 (password) or 打回",
            f"    {story.signed[0]} / {story.signed[1]}  graduate already signed: sees the signed "
            f"agreement; 学生发起签约 is not offered",
        ]
    return lines
