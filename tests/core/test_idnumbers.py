"""ID numbers and credit codes: property-based, against the standards' own arithmetic."""

from __future__ import annotations

import datetime
import string

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from core.idnumbers import mask_id_number, normalize_credit_code, parse_id_number
from tests.factories import check_char

areas = st.sampled_from(["370202", "370203", "370211", "370281", "110105", "440305"])
births = st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2024, 12, 31))
orders = st.integers(min_value=0, max_value=999)


def _body(area, birth, order):
    return f"{area}{birth:%Y%m%d}{order:03d}"


@given(areas, births, orders)
def test_every_number_with_the_right_check_character_is_accepted_with_its_birth_date_and_sex(area, birth, order):
    body = _body(area, birth, order)
    resident = parse_id_number(body + check_char(body))
    assert resident.birth_date == birth
    assert resident.sex == ("male" if order % 2 == 1 else "female")
    assert resident.area_code == area


@given(areas, births, orders, st.sampled_from("0123456789X"))
def test_every_wrong_check_character_is_refused(area, birth, order, wrong):
    body = _body(area, birth, order)
    if wrong == check_char(body):
        return
    with pytest.raises(ValidationError) as info:
        parse_id_number(body + wrong)
    assert info.value.code == "checksum"


@given(areas, st.integers(1900, 2020), st.integers(1, 12), st.integers(1, 31), orders)
def test_impossible_birth_dates_are_refused(area, year, month, day, order):
    try:
        datetime.date(year, month, day)
    except ValueError:
        body = f"{area}{year:04d}{month:02d}{day:02d}{order:03d}"
        with pytest.raises(ValidationError) as info:
            parse_id_number(body + check_char(body))
        assert info.value.code == "birth_date"


def test_a_birth_date_in_the_future_is_refused():
    body = "370202209901010011"[:17]
    with pytest.raises(ValidationError):
        parse_id_number(body + check_char(body))


@pytest.mark.parametrize("value", ["", "12345", "37020219900101123", "3702021990010112345", "37020219900101A234"])
def test_malformed_numbers_are_refused(value):
    with pytest.raises(ValidationError):
        parse_id_number(value)


def test_lower_case_x_is_normalised():
    body = next(f"370202198001010{n:02d}" for n in range(100) if check_char(f"370202198001010{n:02d}") == "X")
    assert parse_id_number(body + "x").number == body + "X"


@given(areas, births, orders)
def test_masking_keeps_only_area_and_last_four(area, birth, order):
    body = _body(area, birth, order)
    number = body + check_char(body)
    masked = mask_id_number(number)
    assert masked == number[:6] + "*" * 8 + number[-4:]
    assert number[6:14] not in masked


# --- unified social credit code (GB 32100) ------------------------------------------------
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def uscc_check(body17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(body17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def _org_code_check(base8: str) -> str:
    # GB 11714 organization code check character (positions 9–17 of the credit code)
    alphabet = string.digits + string.ascii_uppercase
    weights = [3, 7, 9, 10, 5, 8, 4, 2]
    c = 11 - sum(alphabet.index(ch) * w for ch, w in zip(base8, weights, strict=True)) % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


uscc_bodies = st.builds(
    lambda reg, kind, area, org: f"{reg}{kind}{area}{org}{_org_code_check(org)}",
    st.sampled_from("5"),  # registered by civil affairs
    st.sampled_from("123"),  # social group / foundation / service organisation
    st.sampled_from(["370200", "370202", "370281"]),
    st.text(alphabet="0123456789", min_size=8, max_size=8),
)


@given(uscc_bodies)
def test_credit_codes_with_the_right_check_character_are_accepted(body):
    assert normalize_credit_code(body + uscc_check(body)) == body + uscc_check(body)


@given(uscc_bodies, st.sampled_from(USCC_ALPHABET))
def test_credit_codes_with_a_wrong_check_character_are_refused(body, wrong):
    if wrong == uscc_check(body):
        return
    with pytest.raises(ValidationError):
        normalize_credit_code(body + wrong)


@pytest.mark.parametrize("value", ["", "91110108551385082", "91110108551385082QQ", "9111010855138508IQ"])
def test_malformed_credit_codes_are_refused(value):
    with pytest.raises(ValidationError):
        normalize_credit_code(value)


NON_ASCII_DIGITS = {
    "arabic-indic": "٠١٢٣٤٥٦٧٨٩",
    "devanagari": "०१२३४५६७८९",
    "fullwidth": "０１２３４５６７８９",
}


def _in_digits(number: str, digits: str) -> str:
    return "".join(digits[int(c)] if c.isascii() and c.isdigit() else c for c in number)


@pytest.mark.parametrize("script", sorted(NON_ASCII_DIGITS))
def test_only_ascii_digits_are_digits_in_an_id_number(script):
    body = "37020219900517123"
    number = _in_digits(body + check_char(body), NON_ASCII_DIGITS[script])
    assert number[:17].isdigit()  # what str.isdigit() wrongly accepted
    with pytest.raises(ValidationError) as refused:
        parse_id_number(number)
    assert refused.value.code == "format"


@pytest.mark.django_db
@pytest.mark.parametrize("script", sorted(NON_ASCII_DIGITS))
def test_an_id_number_in_other_digits_is_a_400_on_id_number_not_a_409(api, script):
    body = "37020219900517123"
    number = _in_digits(body + check_char(body), NON_ASCII_DIGITS[script])
    response = api.post("/api/v1/people/", {"id_number": number, "name": "张三"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["id_number"]
