"""The fixed list of places labour goes to: provinces (ISO 3166-2:CN) and cities (GB/T 2260 codes).

Local means Henan (CN-HA): Tongbai county and the cities around it. The other provinces are
the ones the town sends organised batches to.
"""

from __future__ import annotations

HOME_PROVINCE = "CN-HA"

PROVINCES: dict[str, str] = {
    "CN-HA": "河南省",
    "CN-GD": "广东省",
    "CN-HN": "湖南省",
    "CN-SD": "山东省",
    "CN-JX": "江西省",
    "CN-ZJ": "浙江省",
    "CN-JS": "江苏省",
    "CN-FJ": "福建省",
}

CITIES: dict[str, dict[str, str]] = {
    "CN-HA": {"411330": "桐柏县", "411300": "南阳市", "410100": "郑州市", "411500": "信阳市", "411700": "驻马店市"},
    "CN-GD": {"440100": "广州市", "440300": "深圳市", "440600": "佛山市", "441900": "东莞市", "442000": "中山市"},
    "CN-HN": {"430100": "长沙市", "430200": "株洲市", "430300": "湘潭市"},
    "CN-SD": {"370100": "济南市", "370200": "青岛市", "370600": "烟台市"},
    "CN-JX": {"360100": "南昌市", "360400": "九江市", "360700": "赣州市"},
    "CN-ZJ": {"330100": "杭州市", "330200": "宁波市", "330300": "温州市", "330700": "金华市"},
    "CN-JS": {"320100": "南京市", "320500": "苏州市", "320200": "无锡市", "320400": "常州市"},
    "CN-FJ": {"350100": "福州市", "350200": "厦门市", "350500": "泉州市"},
}


def province_problem(province: str) -> str | None:
    if province not in PROVINCES:
        return f"unknown province {province!r}; one of {', '.join(PROVINCES)}"
    return None


def city_problem(province: str, city_code: str) -> str | None:
    if province not in CITIES:
        return None  # the province itself is reported
    if city_code not in CITIES[province]:
        return f"city {city_code!r} is not in the list for {province}; one of {', '.join(CITIES[province])}"
    return None


def is_local(province: str) -> bool:
    return province == HOME_PROVINCE
