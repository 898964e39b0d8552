"""OpenAPI post-processing: the error contract, documented once for every operation.

Every operation gets the error answers it can give (core/exceptions.py): 400 (bad input or
query parameter), 401, 403, 404, 409 (state conflict, for writes) and 429 where a login is
throttled, all with the ``Error`` body whose ``code`` is an enum of ``ErrorCode``.
"""

from __future__ import annotations

from core.exceptions import CONFLICT_CODES, ErrorCode

ERROR_SCHEMA = {
    "type": "object",
    "description": "错误应答。code 供程序判断；detail 为给人看的中文说明；errors 按字段列出问题。",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string", "enum": [c.value for c in ErrorCode]},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["detail", "code"],
}

ERROR_DESCRIPTIONS = {
    "400": "输入有误（字段校验或查询参数）；errors 指出字段。",
    "401": "未登录或令牌无效。",
    "403": "无权执行此操作。",
    "404": "不存在（或不属于您）。",
    "409": "当前状态不允许此操作；code 为以下之一："
    + "、".join(sorted(c.value for c in CONFLICT_CODES)),
    "429": "尝试次数过多，请稍后再试。",
}

WRITE_METHODS = {"post", "put", "patch", "delete"}


def add_error_responses(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in WRITE_METHODS and method != "get":
                continue
            codes = ["400", "401", "403", "404"]
            if method in WRITE_METHODS:
                codes.append("409")
            if path.endswith("/auth/token"):
                codes.append("429")
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses.setdefault(
                    code, {"description": ERROR_DESCRIPTIONS[code], "content": ref}
                )
    return result
