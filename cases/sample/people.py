"""Names, ID numbers and addresses for the demo's applicants, as they read on the island."""

from __future__ import annotations

import datetime as dt
import random
from datetime import date
from typing import Any

from cases.interchange.records import ApplicantData
from cases.rules import ids
from cases.sample.demo_tables import (
    COUNTY_ROADS,
    GIVEN_FEMALE,
    GIVEN_MALE,
    ID_AREAS,
    INDUSTRIES,
    ORG_CODES,
    OTHER_PLACES,
    POSTCODES,
    ROADS,
    SURNAMES,
    TOWN_NAMES,
    TOWNS,
    TRADE_NAMES,
    VILLAGES,
)
from cases.sample.plans import Person


class People:
    """Names, ID numbers and addresses that read like the island's."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def name(self) -> str:
        r = self.rng
        chars = GIVEN_MALE if r.random() < 0.55 else GIVEN_FEMALE
        given = r.choice(chars) + (r.choice(chars) if r.random() < 0.7 else "")
        return r.choice(SURNAMES) + given

    def town(self) -> str:
        return self.rng.choices(TOWN_NAMES, weights=[t[1] for t in TOWNS])[0]

    def address(self, town: str) -> str:
        r = self.rng
        if r.random() < 0.45:
            return (
                f"上海市崇明区{town}{r.choice(VILLAGES)}{r.randint(1, 18)}组{r.randint(1, 120)}号"
            )
        road = r.choice(ROADS.get(town, COUNTY_ROADS))
        if r.random() < 0.5:
            return (
                f"上海市崇明区{town}{road}{r.randint(1, 999)}弄"
                f"{r.randint(1, 60)}号{r.randint(1, 6)}0{r.randint(1, 4)}室"
            )
        return f"上海市崇明区{town}{road}{r.randint(1, 2999)}号"

    def phone(self) -> str:
        r = self.rng
        if r.random() < 0.92:
            return f"1{r.choice('3578')}{r.randint(0, 9)}{r.randrange(10**8):08d}"
        return f"021-59{r.randrange(10**6):06d}"

    def resident_id(self) -> str:
        r = self.rng
        area = r.choices([a for a, _ in ID_AREAS], weights=[w for _, w in ID_AREAS])[0]
        born = date(1940, 1, 1) + dt.timedelta(days=r.randrange(365 * 62))
        first17 = f"{area}{born:%Y%m%d}{r.randrange(1000):03d}"
        return first17 + ids.resident_id_check_char(first17)

    def credit_code(self, kind: str, area: str) -> str:
        r = self.rng
        prefix = r.choice(ORG_CODES[kind])
        if r.random() < 0.5:  # organization codes issued since 2015 start with MA
            body = "MA1" + "".join(r.choice(ids.USCC_CHARSET[:-6]) for _ in range(5))
        else:
            body = f"{r.randrange(10**8):08d}"
        first17 = prefix + area + body + ids.org_code_check_char(body)
        return first17 + ids.uscc_check_char(first17)

    def person(self, kind: str) -> Person:
        town = self.town()
        prop = self.address(town)
        if kind == "natural_person":
            row = self._natural(town, prop)
        else:
            row = self._organization(kind, town)
        return Person(kind, ApplicantData(**row), town, prop)

    def _natural(self, town: str, prop: str) -> dict[str, Any]:
        r = self.rng
        id_type: str | None = "resident_id"
        id_number: str | None = self.resident_id()
        roll = r.random()
        if roll < 0.02:
            id_type, id_number = "passport", f"E{r.randrange(10**8):08d}"
        elif roll < 0.035:
            id_type, id_number = "other", f"H{r.randrange(10**8):08d}"  # 港澳居民来往内地通行证
        elif roll < 0.06:
            id_type = id_number = None
        address, postcode = prop, POSTCODES[town]
        if r.random() < 0.22:
            place, road, postcode = r.choice(OTHER_PLACES)
            address = (
                f"{place}{road}{r.randint(1, 1500)}弄{r.randint(1, 80)}号{r.randint(101, 1804)}室"
            )
        agent_name = agent_phone = None
        if r.random() < 0.06:
            agent_name, agent_phone = self.name(), self.phone()
        return {
            "type": "natural_person",
            "name": self.name(),
            "id_type": id_type,
            "id_number": id_number,
            "phone": self.phone(),
            "address": address,
            "postcode": postcode,
            "email": f"{r.randint(10**5, 10**10)}@qq.com" if r.random() < 0.25 else None,
            "agent_name": agent_name,
            "agent_phone": agent_phone,
        }

    def _organization(self, kind: str, town: str) -> dict[str, Any]:
        r = self.rng
        trade = r.choice(TRADE_NAMES)
        area = "310230" if r.random() < 0.6 else "310000"
        address, postcode = self.address(town), POSTCODES[town]
        if kind == "enterprise":
            name = f"上海{trade}{r.choice(INDUSTRIES)}有限公司"
        elif kind == "legal_service":
            name = f"上海{trade}律师事务所"
            area = "310000"
            place, road, postcode = r.choice(OTHER_PLACES[:4])
            address = f"{place}{road}{r.randint(1, 1500)}号{r.randint(5, 32)}楼"
        elif kind == "research":
            name = r.choice((f"上海{trade}生态环境研究院", f"上海市崇明区{trade}农业科学研究所"))
        elif kind == "public_interest":
            name = r.choice((f"上海市崇明区{trade}公益服务中心", f"上海{trade}环保公益基金会"))
        else:
            name = r.choice(
                (f"上海市崇明区{town}{r.choice(VILLAGES)}村民委员会", f"上海{trade}农民专业合作社")
            )
        return {
            "type": kind,
            "name": name,
            "id_type": "uscc",
            "id_number": self.credit_code(kind, area),
            "phone": self.phone(),
            "address": address,
            "postcode": postcode,
            "email": None,
            "agent_name": self.name() if r.random() < 0.6 else None,
            "agent_phone": self.phone() if r.random() < 0.5 else None,
        }
