"""The answering bodies (答复机关) of an office profile: 崇明's units, and the bodies directory."""

# A case is answered in the name of one unit, which signs the reply; the unit's reconsideration
# body (行政复议机关) is named in the remedy paragraph. Defaults from domain.md §8: every 崇明
# department and town is reviewed by 上海市崇明区人民政府, the district government by
# 上海市人民政府 (行政复议法 as in force from 2024-01-01). Addresses, postcodes and contacts are
# only filled where they are known (the district government's office); an office adds the rest.

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DISTRICT = "上海市崇明区人民政府"
CITY = "上海市人民政府"
DISTRICT_SHORT = "区政府"

UNIT_FIELDS = ("short", "name", "address", "postcode", "contact", "phone", "reconsideration_body")


@dataclass(frozen=True)
class Unit:
    """One answering body: its full name signs the letter, its short name is used in lists."""

    short: str
    name: str
    reconsideration_body: str
    address: str = ""
    postcode: str = ""
    contact: str = ""
    phone: str = ""

    def as_json(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in UNIT_FIELDS}


@dataclass(frozen=True)
class Body:
    """A body of the directory that 条例 36(5) letters name: who holds the information."""

    name: str
    contact: str = ""

    def as_json(self) -> dict[str, str]:
        return {"name": self.name, "contact": self.contact}


# Short names as the district's own lists write them (domain.md §8), with the full names.
DEPARTMENTS: tuple[tuple[str, str], ...] = (
    ("区规划资源局", "上海市崇明区规划和自然资源局"),
    ("区住房保障房屋管理局", "上海市崇明区住房保障和房屋管理局"),
    ("区市场监管局", "上海市崇明区市场监督管理局"),
    ("区发展改革委", "上海市崇明区发展和改革委员会"),
    ("区财政局", "上海市崇明区财政局"),
    ("区生态环境局", "上海市崇明区生态环境局"),
    ("区农业农村委", "上海市崇明区农业农村委员会"),
    ("区水务局", "上海市崇明区水务局"),
    ("区交通委", "上海市崇明区交通委员会"),
    ("区建设管理委", "上海市崇明区建设和管理委员会"),
    ("区教育局", "上海市崇明区教育局"),
    ("区卫生健康委", "上海市崇明区卫生健康委员会"),
    ("区民政局", "上海市崇明区民政局"),
    ("区人力资源社会保障局", "上海市崇明区人力资源和社会保障局"),
    ("区司法局", "上海市崇明区司法局"),
    ("区绿化市容局", "上海市崇明区绿化和市容管理局"),
    ("区城管执法局", "上海市崇明区城市管理行政执法局"),
    ("区应急管理局", "上海市崇明区应急管理局"),
    ("区文化旅游局", "上海市崇明区文化和旅游局"),
)
TOWNS: tuple[str, ...] = (
    "城桥镇",
    "堡镇",
    "新河镇",
    "庙镇",
    "竖新镇",
    "向化镇",
    "三星镇",
    "港沿镇",
    "中兴镇",
    "陈家镇",
    "绿华镇",
    "港西镇",
    "建设镇",
    "新海镇",
    "东平镇",
    "长兴镇",
    "新村乡",
    "横沙乡",
)


def default_units() -> tuple[Unit, ...]:
    """The district's departments and towns, each reviewed by the district government."""
    units = [Unit(short, name, DISTRICT) for short, name in DEPARTMENTS]
    units += [Unit(town, f"上海市崇明区{town}人民政府", DISTRICT) for town in TOWNS]
    return tuple(units)


# The city bureaus an application to 崇明 most often belongs to instead (条例 36(5)); contacts
# are left for the office to fill in, since a wrong telephone number misleads the applicant.
CITY_BUREAUS: tuple[str, ...] = (
    "上海市规划和自然资源局",
    "上海市住房和城乡建设管理委员会",
    "上海市房屋管理局",
    "上海市市场监督管理局",
    "上海市公安局",
    "上海市人力资源和社会保障局",
    "上海市生态环境局",
    "上海市教育委员会",
    "上海市卫生健康委员会",
    "上海市民政局",
    "上海市交通委员会",
    "上海市水务局",
)


def default_directory() -> tuple[Body, ...]:
    return tuple(Body(name) for name in CITY_BUREAUS)


def unit_from_json(data: Any, where: str) -> Unit:
    if not isinstance(data, dict):
        raise ValueError(f"{where}应为一组字段")
    values: dict[str, str] = {}
    for name in UNIT_FIELDS:
        value = data.get(name, "")
        if not isinstance(value, str):
            raise ValueError(f"{where}的 {name} 应为文字")
        values[name] = value
    return Unit(**values)


def body_from_json(data: Any, where: str) -> Body:
    if not isinstance(data, dict):
        raise ValueError(f"{where}应为一组字段")
    name, contact = data.get("name", ""), data.get("contact", "")
    if not isinstance(name, str) or not isinstance(contact, str):
        raise ValueError(f"{where}的名称和联系方式应为文字")
    return Body(name, contact)
