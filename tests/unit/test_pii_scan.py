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


def test_ignores_the_digits_of_decimal_fractions() -> None:
    """A metric sample's fraction is no ID number, even when its digits pass the check."""
    nid, phone = national_id(), mobile()
    text = f"http_request_duration_seconds_sum 0.{nid}\nlatency 3.{phone} 12.{phone}"
    assert personal_numbers(text) == []
    assert personal_numbers(f"id {nid}. call {phone}.") == [nid, phone]
