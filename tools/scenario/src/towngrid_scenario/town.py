"""Chengguan town as the report and DOMAIN.md describe it: plain data, no I/O.

The grid is the registry's shipped one (services/registry/data/chengguan_grid.csv): 8 communities,
153 compounds (one 24-hour checkpoint each), their neighbour groups. The report's figures are
in ``REPORT``; what the report leaves open (how many returnees, orders, batches...) is the
scenario's own choice, in ``CHOSEN``, for a town of about 100,000 people.
"""

from __future__ import annotations

# community id -> (name, [(compound id, compound name, neighbour groups)])
COMMUNITIES: dict[str, tuple[str, list[tuple[str, str, int]]]] = {
    "C01": ("城关镇东城社区", [
        ("C01-001", "东城幸福家园", 2), ("C01-002", "东城阳光花园", 3), ("C01-003", "东城锦绣苑", 1), ("C01-004", "东城翠苑院", 2),
        ("C01-005", "东城金桂小区", 3), ("C01-006", "东城银杏家园", 1), ("C01-007", "东城春华花园", 2),
        ("C01-008", "东城秋实苑", 3), ("C01-009", "东城安居院", 1), ("C01-010", "东城兴旺小区", 2), ("C01-011", "东城康宁家园", 3),
        ("C01-012", "东城福润花园", 1), ("C01-013", "东城丽景苑", 2), ("C01-014", "东城明珠院", 3), ("C01-015", "东城瑞丰小区", 1),
        ("C01-016", "东城嘉禾家园", 2), ("C01-017", "东城静园花园", 3), ("C01-018", "东城书香苑", 1), ("C01-019", "东城云松院", 2),
        ("C01-020", "东城清泉小区", 3), ("C01-021", "东城绿洲家园", 1), ("C01-022", "东城和平花园", 2),
    ]),
    "C02": ("城关镇西城社区", [
        ("C02-001", "西城翠苑花园", 3), ("C02-002", "西城金桂苑", 1), ("C02-003", "西城银杏院", 2), ("C02-004", "西城春华小区", 3),
        ("C02-005", "西城秋实家园", 1), ("C02-006", "西城安居花园", 2), ("C02-007", "西城兴旺苑", 3), ("C02-008", "西城康宁院", 1),
        ("C02-009", "西城福润小区", 2), ("C02-010", "西城丽景家园", 3), ("C02-011", "西城明珠花园", 1),
        ("C02-012", "西城瑞丰苑", 2), ("C02-013", "西城嘉禾院", 3), ("C02-014", "西城静园小区", 1), ("C02-015", "西城书香家园", 2),
        ("C02-016", "西城云松花园", 3), ("C02-017", "西城清泉苑", 1), ("C02-018", "西城绿洲院", 2), ("C02-019", "西城和平小区", 3),
        ("C02-020", "西城幸福家园", 1),
    ]),
    "C03": ("城关镇南关社区", [
        ("C03-001", "南关春华苑", 1), ("C03-002", "南关秋实院", 2), ("C03-003", "南关安居小区", 3), ("C03-004", "南关兴旺家园", 1),
        ("C03-005", "南关康宁花园", 2), ("C03-006", "南关福润苑", 3), ("C03-007", "南关丽景院", 1), ("C03-008", "南关明珠小区", 2),
        ("C03-009", "南关瑞丰家园", 3), ("C03-010", "南关嘉禾花园", 1), ("C03-011", "南关静园苑", 2), ("C03-012", "南关书香院", 3),
        ("C03-013", "南关云松小区", 1), ("C03-014", "南关清泉家园", 2), ("C03-015", "南关绿洲花园", 3),
        ("C03-016", "南关和平苑", 1), ("C03-017", "南关幸福院", 2), ("C03-018", "南关阳光小区", 3), ("C03-019", "南关锦绣家园", 1),
    ]),
    "C04": ("城关镇北关社区", [
        ("C04-001", "北关兴旺院", 2), ("C04-002", "北关康宁小区", 3), ("C04-003", "北关福润家园", 1),
        ("C04-004", "北关丽景花园", 2), ("C04-005", "北关明珠苑", 3), ("C04-006", "北关瑞丰院", 1), ("C04-007", "北关嘉禾小区", 2),
        ("C04-008", "北关静园家园", 3), ("C04-009", "北关书香花园", 1), ("C04-010", "北关云松苑", 2), ("C04-011", "北关清泉院", 3),
        ("C04-012", "北关绿洲小区", 1), ("C04-013", "北关和平家园", 2), ("C04-014", "北关幸福花园", 3),
        ("C04-015", "北关阳光苑", 1), ("C04-016", "北关锦绣院", 2), ("C04-017", "北关翠苑小区", 3), ("C04-018", "北关金桂家园", 1),
    ]),
    "C05": ("城关镇新华社区", [
        ("C05-001", "新华丽景小区", 3), ("C05-002", "新华明珠家园", 1), ("C05-003", "新华瑞丰花园", 2),
        ("C05-004", "新华嘉禾苑", 3), ("C05-005", "新华静园院", 1), ("C05-006", "新华书香小区", 2), ("C05-007", "新华云松家园", 3),
        ("C05-008", "新华清泉花园", 1), ("C05-009", "新华绿洲苑", 2), ("C05-010", "新华和平院", 3), ("C05-011", "新华幸福小区", 1),
        ("C05-012", "新华阳光家园", 2), ("C05-013", "新华锦绣花园", 3), ("C05-014", "新华翠苑苑", 1), ("C05-015", "新华金桂院", 2),
        ("C05-016", "新华银杏小区", 3), ("C05-017", "新华春华家园", 1), ("C05-018", "新华秋实花园", 2),
        ("C05-019", "新华安居苑", 3), ("C05-020", "新华兴旺院", 1), ("C05-021", "新华康宁小区", 2),
    ]),
    "C06": ("城关镇解放社区", [
        ("C06-001", "解放嘉禾家园", 1), ("C06-002", "解放静园花园", 2), ("C06-003", "解放书香苑", 3), ("C06-004", "解放云松院", 1),
        ("C06-005", "解放清泉小区", 2), ("C06-006", "解放绿洲家园", 3), ("C06-007", "解放和平花园", 1),
        ("C06-008", "解放幸福苑", 2), ("C06-009", "解放阳光院", 3), ("C06-010", "解放锦绣小区", 1), ("C06-011", "解放翠苑家园", 2),
        ("C06-012", "解放金桂花园", 3), ("C06-013", "解放银杏苑", 1), ("C06-014", "解放春华院", 2), ("C06-015", "解放秋实小区", 3),
        ("C06-016", "解放安居家园", 1), ("C06-017", "解放兴旺花园", 2),
    ]),
    "C07": ("城关镇淮源社区", [
        ("C07-001", "淮源云松花园", 2), ("C07-002", "淮源清泉苑", 3), ("C07-003", "淮源绿洲院", 1), ("C07-004", "淮源和平小区", 2),
        ("C07-005", "淮源幸福家园", 3), ("C07-006", "淮源阳光花园", 1), ("C07-007", "淮源锦绣苑", 2), ("C07-008", "淮源翠苑院", 3),
        ("C07-009", "淮源金桂小区", 1), ("C07-010", "淮源银杏家园", 2), ("C07-011", "淮源春华花园", 3),
        ("C07-012", "淮源秋实苑", 1), ("C07-013", "淮源安居院", 2), ("C07-014", "淮源兴旺小区", 3), ("C07-015", "淮源康宁家园", 1),
        ("C07-016", "淮源福润花园", 2), ("C07-017", "淮源丽景苑", 3), ("C07-018", "淮源明珠院", 1), ("C07-019", "淮源瑞丰小区", 2),
    ]),
    "C08": ("城关镇桐柏社区", [
        ("C08-001", "桐柏和平苑", 3), ("C08-002", "桐柏幸福院", 1), ("C08-003", "桐柏阳光小区", 2), ("C08-004", "桐柏锦绣家园", 3),
        ("C08-005", "桐柏翠苑花园", 1), ("C08-006", "桐柏金桂苑", 2), ("C08-007", "桐柏银杏院", 3), ("C08-008", "桐柏春华小区", 1),
        ("C08-009", "桐柏秋实家园", 2), ("C08-010", "桐柏安居花园", 3), ("C08-011", "桐柏兴旺苑", 1), ("C08-012", "桐柏康宁院", 2),
        ("C08-013", "桐柏福润小区", 3), ("C08-014", "桐柏丽景家园", 1), ("C08-015", "桐柏明珠花园", 2),
        ("C08-016", "桐柏瑞丰苑", 3), ("C08-017", "桐柏嘉禾院", 1),
    ]),
}

# What the report states (seed/000_6ac1bbbcb7ab205d.txt), in DOMAIN.md's terms.
REPORT = {
    "communities": 8,
    "compounds": 153,  # one checkpoint each, staffed 24 hours a day
    "town_hall_windows": 3,
    "community_service_points": 8,
    "care_pairs": 68,  # elderly people living alone paired with a helper
    "people_taken_in": 14,  # homeless people taken in
    "health_certificates": 6032,
    "vehicle_passes": 1337,
}
WINDOWS = ("W1", "W2", "W3")

# Where the organised batches go (ISO 3166-2:CN) and one city of each, from labor's fixed list.
DESTINATIONS = {"CN-GD": "441900", "CN-HN": "430100", "CN-SD": "370200", "CN-JX": "360100",
                "CN-ZJ": "330100", "CN-JS": "320500", "CN-FJ": "350200"}
LOCAL = ("CN-HA", "411330")  # Tongbai county, Henan: local placements

# What the report leaves open: the scenario's own choices at scale 1 (a town of ~100,000).
CHOSEN = {
    "returnees": 2000,  # arriving over five weeks
    "returnee_weeks": 5,
    "checklists_completed": 160,  # every one of the eight items ticked
    "home_quarantines": 240,
    "home_quarantines_ended": 60,
    "centralized_quarantines": 48,  # each admitted to a room of the isolation point
    "centralized_discharged": 12,
    "fever_alerts": 6,  # among the day's health checks
    "tips": 120,
    "tips_screened": 80,
    "duty_people_per_checkpoint": 2,  # a day shift and a night shift of 12 hours
    "duty_days": 4,  # today and the three days the coverage check looks at
    "online_health_certificates": 120,  # the public QR channel is limited to 30 a minute per client
    "online_vehicle_passes": 30,
    "rejected_applications": 120,
    "merchants_per_community": 3,
    "proxy_orders": 120,  # phone / WeChat shopping for quarantined households, to the door
    "online_orders": 360,  # to the compound's checkpoint
    "online_orders_uncollected": 40,
    "batch_employers_per_destination": 2,
    "workers_per_batch": 25,
    "local_employers": 6,
    "workers_per_local_employer": 15,
    "resumption_cases": 12,
    "problems_per_case": 2,
}

# Relief for the elderly living alone (the report's care pairs; those taken in are housed and fed):
# supplies received at the town's depot at scale 1, and what one weekly relief parcel holds.
RELIEF_RECEIVED = {"mask": 2000, "thermometer": 100, "rice": 150, "flour": 150, "oil": 100}
RELIEF_PARCEL = {"mask": 10, "thermometer": 1, "rice": 1, "flour": 1, "oil": 1}
RELIEF_EVERY_DAYS = 7
