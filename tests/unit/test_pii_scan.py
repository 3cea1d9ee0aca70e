from pii_scan import personal_numbers

from people import mobile, national_id


def test_finds_planted_numbers_in_json_and_logs() -> None:
    nid, phone = national_id(), mobile()
    text = f'{{"note": "{nid}", "x": 1}}\n2020-02-01 INFO call +86{phone} now'
    assert personal_numbers(text) == [nid, phone]


def test_ignores_ids_timestamps_and_wrong_checksums() -> None:
    nid = national_id()
    wrong = nid[:-1] + ("0" if nid[-1] != "0" else "1")
    text = (f"res_0a13812345678ffe 1764500000123 {wrong} event 13800138000123 "
            "c3f1e2d4-1380-0138-0000-abcdefabcdef")
    assert personal_numbers(text) == []
