"""Holder keys: fresh each time, typed in any spelling, checked only against their hash."""

from towngrid_kit.holder_keys import holder_key_hash, holder_key_matches, new_holder_key


def test_a_key_is_fresh_grouped_and_matches_in_any_spelling() -> None:
    key = new_holder_key()
    assert len(key) == 24 and key.count("-") == 4 and key != new_holder_key()
    expected = holder_key_hash(key)
    for typed in (key, key.lower(), key.replace("-", ""), key.replace("-", " ")):
        assert holder_key_matches(typed, expected)
    assert not holder_key_matches(new_holder_key(), expected)
    assert not holder_key_matches(key, None), "no key published: nothing proves the holder"
