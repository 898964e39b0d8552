"""Benchmark of the employer directory search (make bench-directory).

Loads N generated employers with realistic Chinese names into a separate database
(`<db>_bench_directory`, so the demo's data is untouched), with COPY and the search
indexes built after the load, then measures the search for five query types:
server-side (employers.selectors.search_employers: database and ranking) and through
GET /api/v1/employers/search on a loopback HTTP server.

    .venv/bin/python bench/directory.py [--rows 1000000] [--iterations 200] [--reuse]

The last line holds the headline figures.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import sys
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

REGIONS = (
    "北京 上海 天津 重庆 广州 深圳 杭州 南京 苏州 武汉 成都 西安 长沙 郑州 济南 青岛 沈阳 大连 "
    "哈尔滨 长春 石家庄 太原 合肥 福州 厦门 南昌 南宁 昆明 贵阳 兰州 西宁 银川 乌鲁木齐 呼和浩特 "
    "海口 三亚 拉萨 宁波 温州 无锡 常州 佛山 东莞 珠海 中山 惠州 泉州 烟台 潍坊 洛阳 宜昌 襄阳 "
    "株洲 湘潭 衡阳 邵阳 岳阳 常德 张家界 益阳 郴州 永州 怀化 娄底 湘西 绵阳 德阳 遵义 柳州 桂林 "
    "湖南 湖北 广东 广西 江苏 浙江 山东 河南 河北 山西 陕西 四川 云南 贵州 福建 江西 安徽 辽宁 吉林 "
    "黑龙江 内蒙古 新疆 甘肃 宁夏 青海 海南 西藏"
).split()
# Brand syllables: common enough to repeat, varied enough that most pairs are rare.
BRAND_CHARS = (
    "华中天宏海达鑫恒盛泰兴隆瑞丰源博远新东方金银龙凤嘉禾德信和合安康永辉明光正大伟业创智"
    "云图星辰晨阳蓝汇聚通联网易讯腾飞跃鹏程万象美佳悦雅思睿哲卓越志诚宇宙乾坤顺利昌荣富贵"
    "长江黄河泰山峰岭松柏竹梅兰菊荷莲金石玉宝珠彩虹霞晖曦旭日月山川湖海江河溪泉林森木"
    "启航领先锐创先锋凯旋迅捷奥维尔特斯普乐高步新锦绣文华宏图鸿运昊天浩瀚磊鼎铭轩宸翰墨"
)
INDUSTRY_WORDS = (
    ["科技"] * 30
    + ["信息技术", "网络科技", "电子商务", "软件开发", "计算机系统", "智能科技", "数据科技"] * 3
    + ["建筑工程", "建设工程", "装饰工程", "机械制造", "电子", "新能源", "环保科技", "生物技术"]
    + ["医药", "食品", "物流", "贸易", "文化传媒", "教育咨询", "管理咨询", "人力资源", "房地产开发"]
    + ["汽车销售", "农业发展", "餐饮管理", "酒店管理", "广告", "印刷", "服装", "化工", "材料"]
)
FORMS = (
    ["有限公司"] * 60
    + ["股份有限公司"] * 8
    + ["有限责任公司"] * 10
    + ["集团有限公司"] * 4
    + ["分公司", "研究院", "事务所", "合作社"]
)
INSTITUTIONS = ["第一人民医院", "中心医院", "职业技术学院", "大学", "中学", "实验小学", "研究所"]
REGION_CODES = ["110000", "310000", "430100", "430500", "440300", "440100", "330100", "510100"]

QUERY_TYPES = (
    "common 2-char substring",
    "rare 2-char substring",
    "4-char word",
    "4 pinyin initials",
    "6-char code prefix",
)


def employer_rows(count: int, seed: int = 2026):
    """Yield (name, parts) with a realistic skew: most names are 有限公司, a sixth 科技…"""
    rng = random.Random(seed)
    brand = BRAND_CHARS
    for _ in range(count):
        parts = []
        if rng.random() < 0.75:
            parts.append(rng.choice(REGIONS) + ("市" if rng.random() < 0.3 else ""))
        if rng.random() < 0.04 and parts:
            parts.append(rng.choice(INSTITUTIONS))
        else:
            parts.append(
                rng.choice(brand)
                + rng.choice(brand)
                + (rng.choice(brand) if rng.random() < 0.3 else "")
            )
            parts.append(rng.choice(INDUSTRY_WORDS))
            parts.append(rng.choice(FORMS))
        yield parts


def credit_code_for(index: int, rng: random.Random) -> str:
    from employers.credit_code import ALPHABET, check_character

    body = ""
    n = index
    for _ in range(9):
        body = ALPHABET[n % 31] + body
        n //= 31
    code17 = "91" + rng.choice(REGION_CODES) + body
    return code17 + check_character(code17)


def setup_database() -> None:
    from saas_platform import devservices

    devservices.bootstrap()
    url = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    base = url.path.lstrip("/")
    bench_db = f"{base}_bench_directory"
    import psycopg

    conninfo = os.environ["DATABASE_URL"]
    with psycopg.connect(conninfo, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [bench_db]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{bench_db}"')
    os.environ["DATABASE_URL"] = urllib.parse.urlunsplit(url._replace(path=f"/{bench_db}"))
    os.environ["DEBUG"] = "0"  # no query log growing in memory
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saas_platform.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


SEARCH_INDEXES = (
    "employer_rank_idx",
    "employer_search_name_idx",
    "employer_initials_idx",
    "employer_pinyin_idx",
    "employers_namebigram_pkey",
)


def load(rows: int) -> dict:
    from django.db import connection

    from employers.search_keys import bigrams, normalize, pinyin_keys

    rng = random.Random(7)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'employers_employer' "
            "AND indexname = ANY(%s)",
            [list(SEARCH_INDEXES)],
        )
        definitions = cursor.fetchall()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'employers_namebigram'::regclass AND contype = 'p'"
        )
        postings_pk = cursor.fetchone()
        cursor.execute(
            "TRUNCATE employers_agreementindexentry, employers_membership, employers_employer, "
            "employers_bigramcount, employers_namebigram RESTART IDENTITY CASCADE"
        )
        for name, _definition in definitions:
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
        cursor.execute(f'ALTER TABLE employers_namebigram DROP CONSTRAINT "{postings_pk[0]}"')

    columns = (
        "name, credit_code, nature, industry, province, city, address, contact_name, "
        "contact_phone, contact_email, licence, status, in_directory, reject_reason, "
        "created_at, updated_at, search_name, name_length, name_bigrams, name_initials, "
        "name_pinyin, search_tier"
    )
    natures = ["private"] * 6 + ["state_owned", "public_institution", "foreign", "government"]
    industries = list("ABCDEFGHIJKLMNOPQRST")
    started = time.perf_counter()
    raw = connection.connection  # the psycopg connection under Django's
    part_keys: dict[str, tuple[str, str]] = {}
    now = time.strftime("%Y-%m-%d %H:%M:%S+08")
    with raw.cursor() as cursor:
        with cursor.copy(f"COPY employers_employer ({columns}) FROM STDIN") as copy:  # noqa: S608
            for index, parts in enumerate(employer_rows(rows)):
                name = "".join(parts)
                normalized = normalize(name)
                initials = full = ""
                for part in parts:
                    keys = part_keys.get(part)
                    if keys is None:
                        keys = part_keys[part] = pinyin_keys(normalize(part))
                    initials += keys[0]
                    full += keys[1]
                roll = rng.random()
                status, tier = (
                    ("verified", 0)
                    if roll < 0.9
                    else ("pending", 1)
                    if roll < 0.98
                    else ("rejected", None)
                )
                copy.write_row(
                    (
                        name,
                        credit_code_for(index, rng),
                        rng.choice(natures),
                        rng.choice(industries),
                        "湖南省",
                        "长沙市",
                        "",
                        "",
                        "",
                        "",
                        "",
                        status,
                        status == "verified",
                        "",
                        now,
                        now,
                        normalized,
                        len(normalized),
                        bigrams(normalized),
                        initials,
                        full,
                        tier,
                    )
                )
    copied = time.perf_counter() - started
    with connection.cursor() as cursor:
        # What employers.services does row by row, in bulk: postings of searchable names.
        cursor.execute(
            "INSERT INTO employers_namebigram (bigram, rank, employer_id) "
            "SELECT b, search_tier * 1000 + LEAST(name_length, 999), id "
            "FROM employers_employer, unnest(name_bigrams) b WHERE search_tier IS NOT NULL"
        )
        cursor.execute(
            f'ALTER TABLE employers_namebigram ADD CONSTRAINT "{postings_pk[0]}" {postings_pk[1]}'
        )
        for _name, definition in definitions:
            cursor.execute(definition)
        cursor.execute(
            "INSERT INTO employers_bigramcount (bigram, employers) "
            "SELECT b, count(*) FROM employers_employer, unnest(name_bigrams) b GROUP BY b"
        )
    indexed = time.perf_counter() - started
    with connection.cursor() as cursor:
        for table in ("employers_employer", "employers_namebigram", "employers_bigramcount"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    return {
        "copy_s": copied,
        "load_s": indexed,
        "vacuum_s": time.perf_counter() - started - indexed,
    }


def sizes() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_relation_size(indexrelid) FROM pg_index "
            "WHERE indrelid = 'employers_employer'::regclass ORDER BY 2 DESC"
        )
        indexes = cursor.fetchall()
        cursor.execute("SELECT pg_relation_size('employers_employer')")
        table = cursor.fetchone()[0]
        cursor.execute("SELECT pg_total_relation_size('employers_bigramcount')")
        counts = cursor.fetchone()[0]
        cursor.execute(
            "SELECT pg_relation_size('employers_namebigram'), "
            "pg_relation_size('employers_namebigram_pkey'), "
            "(SELECT reltuples::bigint FROM pg_class WHERE relname = 'employers_namebigram')"
        )
        postings, postings_index, postings_rows = cursor.fetchone()
    return {
        "indexes": indexes,
        "table": table,
        "bigram_table": counts,
        "postings": postings,
        "postings_index": postings_index,
        "postings_rows": postings_rows,
    }


def query_sets(per_type: int = 40) -> dict[str, list[str]]:
    from django.db import connection

    rng = random.Random(11)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT bigram FROM employers_bigramcount WHERE bigram ~ '^[一-龥]{2}$' "
            "ORDER BY employers DESC LIMIT 40"
        )
        common = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT bigram FROM employers_bigramcount WHERE employers BETWEEN 1 AND 200 "
            "AND bigram ~ '^[一-龥]{2}$' ORDER BY md5(bigram) LIMIT %s",
            [per_type],
        )
        rare = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT name_initials, credit_code FROM employers_employer TABLESAMPLE SYSTEM (1) "
            "WHERE search_tier = 0 LIMIT %s",
            [per_type],
        )
        sample = cursor.fetchall()
    words = [
        "信息技术",
        "网络科技",
        "电子商务",
        "软件开发",
        "计算机系",
        "建筑工程",
        "文化传媒",
        "生物技术",
        "机械制造",
        "环保科技",
        "长沙华中",
        "人民医院",
        "教育咨询",
        "新能源科",
    ]
    rng.shuffle(common)
    return {
        "common 2-char substring": common[:per_type] or ["科技"],
        "rare 2-char substring": rare,
        "4-char word": words,
        "4 pinyin initials": [initials[:4] for initials, _code in sample if len(initials) >= 4],
        "6-char code prefix": [code[:6] for _initials, code in sample],
    }


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def measure_search(
    queries: dict[str, list[str]], iterations: int
) -> dict[str, tuple[float, float, float]]:
    from employers.selectors import search_employers

    results = {}
    for kind in QUERY_TYPES:
        terms = queries[kind]
        for term in terms[:5]:  # warm the cache the way a live server is warm
            search_employers(term)
        timings, hits = [], 0
        for i in range(iterations):
            term = terms[i % len(terms)]
            started = time.perf_counter()
            found = search_employers(term)
            timings.append((time.perf_counter() - started) * 1000)
            hits += len(found)
        results[kind] = (percentile(timings, 50), percentile(timings, 95), hits / iterations)
    return results


def measure_http(queries: dict[str, list[str]], iterations: int) -> dict[str, tuple[float, float]]:
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    # One request at a time on one kept database connection: what a sync worker
    # (gunicorn, CONN_MAX_AGE) does; a thread per request would pay a new connection each time.
    server = WSGIServer(("127.0.0.1", 0), Quiet, allow_reuse_address=False)
    server.set_app(WSGIHandler())
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    results = {}
    try:
        for kind in QUERY_TYPES:
            terms = queries[kind]
            timings = []
            for i in range(iterations + 5):
                term = terms[i % len(terms)]
                path = "/api/v1/employers/search?limit=10&q=" + urllib.parse.quote(term)
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                started = time.perf_counter()
                conn.request("GET", path, headers={"Host": "localhost"})
                response = conn.getresponse()
                response.read()
                elapsed = (time.perf_counter() - started) * 1000
                conn.close()
                if response.status != 200:
                    raise SystemExit(f"HTTP {response.status} for {path}")
                if i >= 5:
                    timings.append(elapsed)
            results[kind] = (percentile(timings, 50), percentile(timings, 95))
    finally:
        server.shutdown()
        server.server_close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--reuse", action="store_true", help="keep the rows if the count matches")
    args = parser.parse_args()

    setup_database()
    from django.db import connection

    from employers.models import Employer

    loaded = None
    if not (args.reuse and Employer.objects.count() == args.rows):
        print(f"loading {args.rows:,} employers…", flush=True)
        loaded = load(args.rows)
        print(
            f"load: COPY {loaded['copy_s']:.1f} s, COPY + indexes + bigram counts "
            f"{loaded['load_s']:.1f} s (then VACUUM ANALYZE {loaded['vacuum_s']:.1f} s)"
        )
    size = sizes()
    mb = 1024 * 1024
    print(f"table {size['table'] / mb:.0f} MB, bigram counts {size['bigram_table'] / mb:.1f} MB")
    print(
        f"postings (bigram, rank, employer): {size['postings_rows']:,} rows, "
        f"table {size['postings'] / mb:.0f} MB, btree {size['postings_index'] / mb:.0f} MB"
    )
    for name, bytes_ in size["indexes"]:
        print(f"  index {name}: {bytes_ / mb:.1f} MB")
    search_index_mb = (
        sum(b for n, b in size["indexes"] if n in SEARCH_INDEXES)
        + size["postings"]
        + size["postings_index"]
    ) / mb
    print(f"search indexes (incl. postings table) total {search_index_mb:.0f} MB")

    queries = query_sets()
    server = measure_search(queries, args.iterations)
    http_figures = measure_http(queries, args.iterations)
    connection.close()
    print(f"{'query type':<26}{'search p50':>12}{'p95':>9}{'HTTP p50':>11}{'p95':>9}{'hits':>7}")
    for kind in QUERY_TYPES:
        p50, p95, hits = server[kind]
        h50, h95 = http_figures[kind]
        print(f"{kind:<26}{p50:>10.2f}ms{p95:>7.2f}ms{h50:>9.2f}ms{h95:>7.2f}ms{hits:>7.1f}")
    worst = max(p95 for _p50, p95, _h in server.values())
    worst_http = max(p95 for _p50, p95 in http_figures.values())
    load_text = f"load {loaded['load_s']:.0f} s" if loaded else "load reused"
    print(
        f"bench-directory: {args.rows:,} employers, {load_text}, search indexes "
        f"{search_index_mb:.0f} MB, worst p95 search {worst:.2f} ms, HTTP {worst_http:.2f} ms"
    )


if __name__ == "__main__":
    main()
