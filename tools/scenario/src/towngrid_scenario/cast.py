"""The people of a run, drawn once from ``random.Random(seed)`` before any request, so every run
of a seed and scale plays the same town whatever order the requests finish in."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from towngrid_scenario.plan import Plan
from towngrid_scenario.town import COMMUNITIES

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文海波鹏辉燕玲"
ORIGINS = [("广东省", "深圳市"), ("广东省", "东莞市"), ("浙江省", "杭州市"), ("江苏省", "苏州市"),
           ("湖北省", "武汉市"), ("上海市", "上海市"), ("北京市", "北京市"), ("福建省", "厦门市"),
           ("河南省", "郑州市"), ("湖南省", "长沙市")]
TRAVEL = ("train", "bus", "car", "plane")


def national_id(first17: str) -> str:
    return first17 + _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


@dataclass(frozen=True)
class Person:
    index: int
    national_id: str
    name: str
    mobile: str
    compound_id: str
    community_id: str
    origin: tuple[str, str]
    travel_mode: str
    arrived_on: date

    def registration(self) -> dict[str, object]:
        return {"national_id": self.national_id, "name": self.name, "mobile": self.mobile,
                "address": f"{self.compound_id} {1 + self.index % 12}号楼 {1 + self.index % 3}单元 {101 + self.index % 600}",
                "compound_id": self.compound_id, "origin_province": self.origin[0], "origin_city": self.origin[1],
                "travel_mode": self.travel_mode, "arrived_on": self.arrived_on.isoformat()}


def community_of(compound_id: str) -> str:
    return compound_id.split("-")[0]


def cast(plan: Plan, today: date) -> tuple[list[Person], list[Person]]:
    """(returnees, vulnerable residents: the elderly to pair, then the homeless taken in)."""
    rng = random.Random(plan.seed)
    compounds = plan.all_compounds
    serial = (plan.seed * 7919 + round(plan.scale * 10_000)) % 1000  # tells the seeds' people apart

    def person(i: int, local: bool, born: date) -> Person:
        first17 = f"411330{born:%Y%m%d}{serial:03d}"
        compound = rng.choice(compounds)
        weeks = plan.n["returnee_weeks"]
        return Person(index=i, national_id=national_id(first17),
                      name=rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2))),
                      mobile=f"1{rng.choice('3578')}{rng.randint(0, 999_999_999):09d}", compound_id=compound,
                      community_id=community_of(compound),
                      origin=("河南省", "桐柏县") if local else rng.choice(ORIGINS),
                      travel_mode="local" if local else rng.choice(TRAVEL),
                      arrived_on=today - timedelta(days=rng.randrange(7 * weeks)))

    # one birth date per person keeps the ID numbers unique within the run
    returnees = [person(i, False, date(1962, 1, 1) + timedelta(days=i)) for i in range(plan.n["returnees"])]
    vulnerable = [person(i, True, date(1935, 1, 1) + timedelta(days=i)) for i in range(plan.n["vulnerable"])]
    return returnees, vulnerable


def community_ids() -> list[str]:
    return list(COMMUNITIES)
