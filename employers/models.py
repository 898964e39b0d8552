"""Employers (用人单位) and their HR members: public schema, shared by every school."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.storage import licence_upload_to


def _national(table: str) -> list[tuple[str, tuple[str, str]]]:
    from codetables import files

    return [(f"C{code}", (code, name)) for code, name in files.choices(table)]


# 单位性质代码 and 单位行业代码 of the national employment tables (codetables/data, current
# version): the directory stores the codes; pages show the names.
Nature = models.TextChoices("Nature", _national("unit_nature"))
Industry = models.TextChoices("Industry", _national("unit_industry"))


class Status(models.TextChoices):
    PENDING = "pending", _("待审核")
    VERIFIED = "verified", _("已认证")
    REJECTED = "rejected", _("未通过")
    MERGED = "merged", _("已合并")


# search_tier: 0 = verified, 1 = pending; NULL = not searchable (rejected, merged).
# Ordering by it first is what keeps every unverified entry below every verified one.
TIER_VERIFIED = 0
TIER_PENDING = 1


class Employer(models.Model):
    name = models.CharField(_("单位名称"), max_length=200)
    # Unique through Meta.constraints: its btree (COLLATE "C") serves prefix LIKE and
    # ORDER BY … LIMIT, so no extra varchar_pattern_ops index as unique=True would add.
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, db_collation="C")
    nature = models.CharField(_("单位性质"), max_length=32, choices=Nature.choices)
    industry = models.CharField(_("所属行业"), max_length=2, choices=Industry.choices)
    province = models.CharField(_("所在省份"), max_length=20, blank=True)
    # GB/T 2260 code of province/city (单位所在地代码), kept with them by the services.
    region_code = models.CharField(_("所在地代码"), max_length=6, blank=True)
    city = models.CharField(_("所在城市"), max_length=40, blank=True)
    address = models.CharField(_("详细地址"), max_length=200, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    licence = models.FileField(_("营业执照"), upload_to=licence_upload_to, blank=True)

    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    in_directory = models.BooleanField(_("已入库（云）"), default=False)
    reject_reason = models.TextField(_("未通过原因"), blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Search keys (employers.search_keys), written by the services with the name.
    search_name = models.CharField(max_length=200, db_collation="C")
    name_length = models.PositiveSmallIntegerField(default=0)
    name_bigrams = ArrayField(models.CharField(max_length=2), default=list)
    name_initials = models.CharField(max_length=200, db_collation="C")
    name_pinyin = models.CharField(max_length=400, db_collation="C")
    search_tier = models.SmallIntegerField(null=True)

    class Meta:
        verbose_name = _("用人单位")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["credit_code"], name="employer_credit_code_uniq")
        ]
        indexes = [
            models.Index(fields=["status", "created_at"], name="employer_status_idx"),
            # The order results are ranked in; a LIMIT-capped scan of it serves common terms.
            models.Index(
                fields=["search_tier", "name_length", "id"],
                include=["search_name", "name_initials"],
                name="employer_rank_idx",
                condition=models.Q(search_tier__isnull=False),
            ),
            models.Index(fields=["search_name"], name="employer_search_name_idx"),
            models.Index(fields=["name_initials"], name="employer_initials_idx"),
            models.Index(fields=["name_pinyin"], name="employer_pinyin_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # 单位所在地代码 follows the province and city, whichever door changed them.
        from codetables.selectors import region_code_for

        self.region_code = region_code_for(self.province, self.city)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"province", "city"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "region_code"}
        super().save(*args, **kwargs)

    @property
    def is_verified(self) -> bool:
        return self.status == Status.VERIFIED

    @property
    def region(self) -> str:
        if self.city and self.city != self.province:
            return f"{self.province}{self.city}"
        return self.province or self.city


def posting_rank(tier: int | None, name_length: int) -> int | None:
    """(tier, length) in one small integer: the order postings are walked in."""
    return None if tier is None else tier * 1000 + min(name_length, 999)


class NameBigram(models.Model):
    """Postings: one row per (bigram of a searchable name, its employer), in rank order.

    The primary key's btree is the index: for a term, walking its rarest bigram's
    postings in (tier, length, id) order and checking the whole term finds the best
    matches first, so even 科技 (a sixth of all names) stops after `limit` rows.
    """

    pk = models.CompositePrimaryKey("bigram", "rank", "employer_id")
    bigram = models.CharField(max_length=2, db_collation="C")
    rank = models.SmallIntegerField()
    employer_id = models.BigIntegerField()

    class Meta:
        verbose_name = _("名称二元组索引")

    def __str__(self) -> str:
        return f"{self.bigram} {self.rank} {self.employer_id}"


class BigramCount(models.Model):
    """How many employers' names hold a bigram: picks the search path for a term."""

    bigram = models.CharField(max_length=2, primary_key=True, db_collation="C")
    employers = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("名称二元组计数")

    def __str__(self) -> str:
        return f"{self.bigram}: {self.employers}"


class Membership(models.Model):
    """An HR user of an employer. One organisation per HR account."""

    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="memberships")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="employer_membership"
    )
    is_admin = models.BooleanField(_("单位管理员"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("单位成员")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.employer_id}"


class AgreementIndexEntry(models.Model):
    """One school's agreement, as its employer sees it across schools.

    The agreements issue writes these (services.upsert_agreement_index) in the same
    transaction as the agreement itself, so the HR dashboard reads one public table
    instead of every school's schema.
    """

    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="agreement_index")
    school = models.ForeignKey("tenants.School", on_delete=models.CASCADE, related_name="+")
    agreement_id = models.BigIntegerField()
    # An invitation's HR typed the graduate's 学号 and 姓名, so both are shown as typed; a
    # graduate-initiated agreement's employer learns only the masked name (张*三).
    graduate_name = models.CharField(_("毕业生"), max_length=50)
    student_number = models.CharField(_("学号"), max_length=32, blank=True)
    position = models.CharField(_("岗位"), max_length=100, blank=True)
    state = models.CharField(_("状态"), max_length=32)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("跨校协议索引")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "agreement_id"], name="agreement_index_school_agreement_uniq"
            )
        ]
        indexes = [
            models.Index(fields=["employer", "-updated_at"], name="agreement_index_employer_idx"),
            models.Index(
                fields=["employer", "state", "-updated_at"], name="agreement_index_state_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school_id}/{self.agreement_id}: {self.state}"
