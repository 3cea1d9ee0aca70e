"""What the registry unit tests share: their clock and a resident of compound C03-017."""

from datetime import UTC, datetime

from registry.domain.resident import Person, Resident

NOW = datetime(2020, 2, 1, 8, 0, tzinfo=UTC)


def resident() -> Resident:
    return Resident("res_1", Person("11010519491231002X", "张三", "13800138000", "somewhere"), "hh_1", "C03-017")
