"""Synthetic organisation trees for scale work: 1 confederation → 54 federations → ~700 → 100,000 grassroots units.

The file is written one unit per line as a YAML flow mapping whose values are JSON strings (`- {"code": …}`):
valid YAML for any tool, and read by `cascade.core.yamlfile`'s fast path in about a second.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from models import Role, Urgency

PROVINCES = (
    "Hà Nội", "Huế", "Lai Châu", "Điện Biên", "Sơn La", "Lạng Sơn", "Quảng Ninh", "Thanh Hóa", "Nghệ An",
    "Hà Tĩnh", "Cao Bằng", "Tuyên Quang", "Lào Cai", "Thái Nguyên", "Phú Thọ", "Bắc Ninh", "Hưng Yên",
    "Hải Phòng", "Ninh Bình", "Quảng Trị", "Đà Nẵng", "Quảng Ngãi", "Gia Lai", "Khánh Hòa", "Lâm Đồng",
    "Đắk Lắk", "Thành phố Hồ Chí Minh", "Đồng Nai", "Tây Ninh", "Cần Thơ", "Vĩnh Long", "Đồng Tháp",
    "Cà Mau", "An Giang",
)  # fmt: skip
SECTORS = (
    "Giáo dục", "Y tế", "Công Thương", "Giao thông vận tải", "Xây dựng", "Nông nghiệp và Môi trường",
    "Ngân hàng", "Tài chính", "Bưu điện", "Điện lực", "Dầu khí", "Than - Khoáng sản", "Dệt May", "Cao su",
    "Hàng không", "Đường sắt", "Viên chức", "Công an Nhân dân", "Quốc phòng", "Hàng hải",
)  # fmt: skip
PROVINCE_BRANCHES = (
    ("sector_union", "Công đoàn ngành Giáo dục"),
    ("sector_union", "Công đoàn ngành Y tế"),
    ("civil_servants_union", "Công đoàn Viên chức"),
    ("industrial_zone_union", "Công đoàn các Khu công nghiệp"),
    ("regional_federation", "Liên đoàn Lao động khu vực"),
)
WORKPLACES = (
    "Trường Mầm non", "Trường Tiểu học", "Trường THCS", "Trường THPT", "Trạm Y tế xã", "Bệnh viện Đa khoa",
    "Công ty TNHH", "Công ty Cổ phần", "Hợp tác xã", "Chi nhánh Ngân hàng", "Ủy ban nhân dân phường",
    "Nhà máy", "Xí nghiệp", "Bưu điện", "Trung tâm Văn hóa",
)  # fmt: skip
WORDS = (
    "Hòa Bình", "Thành Công", "Tân Tiến", "Hưng Thịnh", "Phú Cường", "Sông Hồng", "Trường Sơn", "Đồng Tâm",
    "Thắng Lợi", "Quyết Thắng", "Bình Minh", "Ánh Dương", "Hoàng Liên", "Cửu Long", "Đông Á", "Việt Tiến",
)  # fmt: skip
NATIONAL_UNITS = 100_000
NATIONAL_FEDERATIONS = len(PROVINCES) + len(SECTORS)  # 54
NATIONAL_INTERMEDIATES = 700
ROOT = "TLD_VN"
CONFEDERATION_SIGNER = {"on_behalf": "TM. ĐOÀN CHỦ TỊCH", "title": "CHỦ TỊCH", "name": "Nguyễn Đình Khang"}


@dataclass(frozen=True)
class Shape:
    federations: int
    intermediates: int
    units: int


def shape(units: int = NATIONAL_UNITS) -> Shape:
    """The national proportions (≈143 grassroots units per intermediate unit), scaled to `units`."""
    if units < 1:
        raise ValueError("units must be at least 1")
    intermediates = max(1, round(units * NATIONAL_INTERMEDIATES / NATIONAL_UNITS))
    return Shape(min(NATIONAL_FEDERATIONS, intermediates), intermediates, units)


def _spread(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def _slug(code: str) -> str:
    return code.lower().replace("_", "-").replace(".", "-")


FAMILY_NAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Lò", "Tẩn", "Sùng")
# (middle names, given names) that go together
PERSONAL_NAMES = (
    (("Văn", "Đức", "Minh", "Quang"), ("Hùng", "Tùng", "Quyết", "Hải", "Bình", "Thắng", "Long", "Phúc")),
    (("Thị", "Thu", "Ngọc", "Thanh"), ("Mai", "Lan", "Hương", "Dung", "Xuân", "Hà", "Thảo", "Yến")),
)
# The symbols in the numbers of the units' documents ("05/LĐLĐ"): a unit's code is never shown in one.
SYMBOLS = {
    "confederation": "TLĐ",
    "federation": "LĐLĐ",
    "central_sector_union": "CĐN",
    "sector_union": "CĐN",
    "civil_servants_union": "CĐVC",
    "industrial_zone_union": "CĐKCN",
    "regional_federation": "LĐLĐKV",
    "corporation_union": "CĐTCT",
}
UnitEntry = dict[str, str | dict[str, str] | None]


def _unit(code: str, name: str, kind: str, parent: str | None, domain: str) -> UnitEntry:
    return {"code": code, "name": name, "kind": kind, "parent": parent, "email": f"{_slug(code)}@{domain}"}


def _issuing(unit: UnitEntry, place: str, signers: random.Random) -> UnitEntry:
    """A unit that passes directives on: its symbol, its place and its signer (without one, a unit's pass-on
    waits for it to give one on its page, and a scale run would send nothing below it)."""
    middles, givens = signers.choice(PERSONAL_NAMES)
    name = f"{signers.choice(FAMILY_NAMES)} {signers.choice(middles)} {signers.choice(givens)}"
    signer = {"on_behalf": "TM. BAN THƯỜNG VỤ", "title": "CHỦ TỊCH", "name": name}
    return {**unit, "symbol": SYMBOLS.get(str(unit["kind"]), "CĐ"), "place": place, "signer": signer}


def _federations(count: int, signers: random.Random) -> Iterator[UnitEntry]:
    for i in range(count):
        if i < len(PROVINCES):
            code = f"LDLD_{i + 1:02d}"
            unit = _unit(code, f"Liên đoàn Lao động {_place(PROVINCES[i])}", "federation", ROOT, "congdoan.example")
            yield _issuing(unit, PROVINCES[i], signers)
        else:
            code = f"CDN_{i - len(PROVINCES) + 1:02d}"
            unit = _unit(code, f"Công đoàn {SECTORS[i - len(PROVINCES)]} Việt Nam", "central_sector_union", ROOT,
                         "congdoan.example")  # fmt: skip
            yield _issuing(unit, "Hà Nội", signers)


def _place(province: str) -> str:
    return province if province.startswith("Thành phố") or province in _CITIES else f"tỉnh {province}"


_CITIES = {"Hà Nội", "Huế", "Hải Phòng", "Đà Nẵng", "Cần Thơ"}


def units(size: Shape, seed: int = 2025) -> Iterator[UnitEntry]:
    """Every unit, parents before children: a stream, so a 100,000-unit tree is never held in memory."""
    rng = random.Random(seed)
    signers = random.Random(seed + 1)  # its own stream: the units' names stay those of earlier trees
    root = _unit(ROOT, "Tổng Liên đoàn Lao động Việt Nam", "confederation", None, "congdoan.example")
    yield {**_issuing(root, "Hà Nội", signers), "signer": CONFEDERATION_SIGNER}
    federations = list(_federations(size.federations, signers))
    yield from federations
    per_fed = _spread(size.intermediates, size.federations)
    per_mid = iter(_spread(size.units, size.intermediates))
    for fed, n_mid in zip(federations, per_fed, strict=True):
        fed_code, fed_name = str(fed["code"]), str(fed["name"])
        domain = f"{_slug(fed_code)}.congdoan.example"
        where = fed_name.removeprefix("Liên đoàn Lao động ").removeprefix("Công đoàn ")
        for j in range(n_mid):
            mid_code = f"{fed_code}.T{j + 1:03d}"
            if fed["kind"] == "federation":
                kind, label = PROVINCE_BRANCHES[j % len(PROVINCE_BRANCHES)]
                suffix = f" số {j // len(PROVINCE_BRANCHES) + 1}" if j >= len(PROVINCE_BRANCHES) else ""
                mid_name = f"{label}{suffix} {where}"
            else:
                kind, mid_name = "corporation_union", f"Công đoàn Tổng công ty {rng.choice(WORDS)} số {j + 1} ({where})"
            yield _issuing(_unit(mid_code, mid_name, kind, fed_code, domain), str(fed["place"]), signers)
            for k in range(next(per_mid)):
                name = f"Công đoàn cơ sở {rng.choice(WORKPLACES)} {rng.choice(WORDS)} {k + 1}"
                yield _unit(f"{mid_code}.{k + 1:04d}", name, "grassroots_union", mid_code, domain)


def write_org(out: TextIO, size: Shape, seed: int = 2025) -> int:
    """Write the tree as an org file; returns the number of units written."""
    out.write(f"# Synthetic national tree: {size.federations} federations, {size.intermediates} intermediate units,\n")
    out.write(f"# {size.units} grassroots units (cascade org generate). One unit per line.\n")
    out.write("units:\n")
    count = 0
    for unit in units(size, seed):
        out.write("  - " + json.dumps(unit, ensure_ascii=False) + "\n")
        count += 1
    return count


def write_directive(out: TextIO, size: Shape, number: str = "15/KH-TLĐ") -> int:
    """A plan of the confederation to every unit below it (grassroots units act, the others too)."""
    head = {
        "number": number,
        "type": "KẾ HOẠCH",
        "issuer": ROOT,
        "issued_on": "2025-09-15",
        "place": "Hà Nội",
        "summary": "Tuyên truyền, phổ biến Nghị quyết Đại hội XIV Công đoàn Việt Nam đến đoàn viên, người lao động",
        "signer": CONFEDERATION_SIGNER,
        "body": "I. MỤC ĐÍCH, YÊU CẦU\n\nTổ chức tuyên truyền sâu rộng đến đoàn viên, người lao động.\n",
        "report_due": "2025-12-15",
        "urgency": Urgency.normal.value,
    }
    for key, value in head.items():
        out.write(f"{key}: {json.dumps(value, ensure_ascii=False)}\n")
    out.write("tasks:\n")
    out.write('  - {"to_kinds": ["grassroots_union"], "text": "Tổ chức quán triệt đến toàn thể đoàn viên."}\n')
    out.write("recipients:\n")
    count = 0
    for unit in units(size):
        if unit["parent"] is not None:
            out.write("  - " + json.dumps({"unit": unit["code"], "role": Role.act.value}) + "\n")
            count += 1
    return count


def generate(path: Path, size: Shape, directive: Path | None = None, seed: int = 2025) -> tuple[int, int]:
    """Write the org file (and a directive to every unit below the root); (units, recipients)."""
    with path.open("w", encoding="utf-8") as out:
        count = write_org(out, size, seed)
    recipients = 0
    if directive is not None:
        with directive.open("w", encoding="utf-8") as out:
            recipients = write_directive(out, size)
    return count, recipients
