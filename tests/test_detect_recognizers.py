"""Every recognizer: positive and negative cases, English and Japanese (full-width included)."""

from __future__ import annotations

import pytest

from gdprguard.detect import Detector


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector()


def found(detector: Detector, text: str, **kw: object) -> set[tuple[str, str]]:
    return {(f.type, text[f.start : f.end]) for f in detector.analyze(text, **kw)}  # type: ignore[arg-type]


POSITIVE = [
    # EMAIL_ADDRESS
    (
        "Contact me at jane.doe+shop@example.co.uk please",
        "EMAIL_ADDRESS",
        "jane.doe+shop@example.co.uk",
    ),
    ("メールはtaro@example.jpです", "EMAIL_ADDRESS", "taro@example.jp"),
    ("メール：ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ", "EMAIL_ADDRESS", "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ"),
    # PHONE_NUMBER
    ("Call me at (415) 555-0132.", "PHONE_NUMBER", "(415) 555-0132"),
    ("My cell is 415-555-0132 x204", "PHONE_NUMBER", "415-555-0132 x204"),
    ("UK office +44 20 7946 0958", "PHONE_NUMBER", "+44 20 7946 0958"),
    ("電話番号は03-1234-5678です", "PHONE_NUMBER", "03-1234-5678"),
    ("携帯：０９０－１２３４－５６７８", "PHONE_NUMBER", "０９０－１２３４－５６７８"),
    ("携帯：０９０ー１２３４ー５６７８", "PHONE_NUMBER", "０９０ー１２３４ー５６７８"),
    ("+81 90-1234-5678 までどうぞ", "PHONE_NUMBER", "+81 90-1234-5678"),
    ("フリーダイヤル 0120-123-456", "PHONE_NUMBER", "0120-123-456"),
    ("電話 09012345678", "PHONE_NUMBER", "09012345678"),
    ("（前は08012345678）", "PHONE_NUMBER", "08012345678"),
    ("reach me at +14165488070.", "PHONE_NUMBER", "+14165488070"),
    ("Tel: +49 30 043178", "PHONE_NUMBER", "+49 30 043178"),
    ("Tel: 01 21 89 71 51", "PHONE_NUMBER", "01 21 89 71 51"),
    ("it's 07491 121076. Agent", "PHONE_NUMBER", "07491 121076"),
    ("it's (02) 1982 1233.", "PHONE_NUMBER", "(02) 1982 1233"),
    # CREDIT_CARD
    ("card 4111 1111 1111 1111 exp 12/27", "CREDIT_CARD", "4111 1111 1111 1111"),
    (
        "カード番号：４５３９－１４８８－０３４３－６４６７",
        "CREDIT_CARD",
        "４５３９－１４８８－０３４３－６４６７",
    ),
    ("Amex 378282246310005", "CREDIT_CARD", "378282246310005"),
    # IBAN_CODE
    ("IBAN DE89 3704 0044 0532 0130 00.", "IBAN_CODE", "DE89 3704 0044 0532 0130 00"),
    ("振込先 GB82WEST12345698765432", "IBAN_CODE", "GB82WEST12345698765432"),
    # IP_ADDRESS
    ("login from 203.0.113.42.", "IP_ADDRESS", "203.0.113.42"),
    ("接続元IPは2001:db8::8a2e:370:7334です", "IP_ADDRESS", "2001:db8::8a2e:370:7334"),
    # URL
    ("see https://example.com/users/42?x=1.", "URL", "https://example.com/users/42?x=1"),
    # JP_MY_NUMBER
    ("マイナンバー：123456789018", "JP_MY_NUMBER", "123456789018"),
    ("個人番号は１２３４ ５６７８ ９０１８です", "JP_MY_NUMBER", "１２３４ ５６７８ ９０１８"),
    # JP_POSTAL_CODE
    ("〒150-0002 東京都渋谷区", "JP_POSTAL_CODE", "150-0002"),
    ("〒１５０－０００２", "JP_POSTAL_CODE", "１５０－０００２"),
    ("郵便番号 100-0001", "JP_POSTAL_CODE", "100-0001"),
    ("530-0001 大阪府大阪市北区梅田1-1", "JP_POSTAL_CODE", "530-0001"),
    # JP_BANK_ACCOUNT
    ("みずほ銀行 新宿支店 普通 1234567", "JP_BANK_ACCOUNT", "1234567"),
    ("口座番号：7654321", "JP_BANK_ACCOUNT", "7654321"),
    ("bank account number 12345678 at the Shibuya branch", "JP_BANK_ACCOUNT", "12345678"),
    # JP_DRIVER_LICENSE
    ("運転免許証番号 第123456789012号", "JP_DRIVER_LICENSE", "123456789012"),
    ("driver's license: 3012 3456 7890", "JP_DRIVER_LICENSE", "3012 3456 7890"),
    # JP_PASSPORT
    ("旅券番号 TK1234567", "JP_PASSPORT", "TK1234567"),
    ("passport no. MZ7654321", "JP_PASSPORT", "MZ7654321"),
    # DATE_TIME (date of birth in context)
    ("DOB: 04/12/1985.", "DATE_TIME", "04/12/1985"),
    ("I was born on March 3, 1990", "DATE_TIME", "March 3, 1990"),
    ("生年月日：1985年4月12日", "DATE_TIME", "1985年4月12日"),
    ("平成2年3月4日生まれです", "DATE_TIME", "平成2年3月4日"),
    # LOCATION
    (
        "Ship to 742 Evergreen Terrace, Springfield, OR 97403 asap",
        "LOCATION",
        "742 Evergreen Terrace, Springfield, OR 97403",
    ),
    ("123 Main Street, Apt. 4", "LOCATION", "123 Main Street, Apt. 4"),
    ("住所は東京都港区芝公園4丁目2番8号です", "LOCATION", "東京都港区芝公園4丁目2番8号"),
    (
        "大阪府大阪市北区梅田３－１－１ グランフロント101",
        "LOCATION",
        "大阪府大阪市北区梅田３－１－１ グランフロント101",
    ),
    ("送付先：港区芝公園4-2-8", "LOCATION", "港区芝公園4-2-8"),
    # PERSON (English)
    ("Dear Ms. Johnson, thank you", "PERSON", "Johnson"),
    ("Hi Sarah,\nthe order shipped", "PERSON", "Sarah"),
    ("Hello, my name is John Smith and I need help", "PERSON", "John Smith"),
    ("Thanks for the help.\n\nBest regards,\nMichael O'Brien", "PERSON", "Michael O'Brien"),
    ("From: Karen Miller <karen@example.com>", "PERSON", "Karen Miller"),
    ("I spoke with Jennifer Lopez yesterday", "PERSON", "Jennifer Lopez"),
    # PERSON (Japanese)
    ("山田太郎様、お世話になっております。", "PERSON", "山田太郎"),
    ("佐藤と申します。", "PERSON", "佐藤"),
    ("担当の鈴木です", "PERSON", "鈴木"),
    ("田中 花子さんへ", "PERSON", "田中 花子"),
    ("ヤマダ タロウ様", "PERSON", "ヤマダ タロウ"),
    ("ｽｽﾞｷ ｲﾁﾛｳ様", "PERSON", "ｽｽﾞｷ ｲﾁﾛｳ"),
    ("氏名：高橋 健一", "PERSON", "高橋 健一"),
]


@pytest.mark.parametrize(("text", "etype", "value"), POSITIVE)
def test_positive(detector: Detector, text: str, etype: str, value: str) -> None:
    assert (etype, value) in found(detector, text)


NEGATIVE = [
    ("Order #112-4839201-5530122 has shipped", None),
    ("注文番号 2024-0512-8831 の件です", None),
    ("注文番号 1234-5678-9018 の件です", None),  # would pass the My Number check digit
    ("Tracking number 1Z999AA10123456784", None),
    ("USPS tracking 9400 1000 0000 0000 0000 00", None),
    ("SKU WX-2291-B costs $1,234.56", None),
    ("Invoice INV-2024-00042 dated 2024-05-12 10:30:00", None),
    ("Your delivery is scheduled for 2024-05-12.", None),  # a date without birth context
    ("価格は¥12,800（税込）です。2024年5月12日に発送します。", None),
    ("version 1.2.3.4 is installed", None),
    ("card 4111 1111 1111 1112", None),  # fails Luhn
    ("IBAN DE89 3704 0044 0532 0130 01", None),  # fails mod 97
    ("マイナンバー 123456789012", None),  # wrong check digit
    ("passport TK12345", None),
    ("TK1234567 is the item code", None),  # passport shape without context
    ("123456789012 was the reference", None),
    ("Hi team, the SKU is wrong.", None),
    ("Thanks,\nThe Support Team", None),
    ("明日は晴れです。東京タワーに行きます。", None),
    ("Call 555-0132", None),  # too short for a phone number
    ("at 10:30:45 yesterday", None),
    ("born in Osaka; logged 2024-06-02T15:19:12+09:00", None),  # a timestamp is not a birth date
    ("生年月日の確認 [2024/12/16 06:31]", None),
]


@pytest.mark.parametrize(("text", "_"), NEGATIVE)
def test_negative(detector: Detector, text: str, _: None) -> None:
    assert found(detector, text) == set()


def test_phone_inside_longer_number_is_not_flagged(detector: Detector) -> None:
    assert found(detector, "ref 12-090-1234-5678-99") == set()


def test_context_raises_score(detector: Detector) -> None:
    plain = detector.analyze("5551234567 is it", min_score=0.0)
    with_ctx = detector.analyze("phone: 5551234567", min_score=0.0)
    assert plain and with_ctx and with_ctx[0].score > plain[0].score
    assert detector.analyze("5551234567 is it") == []  # below the default threshold


def test_all_entity_types_have_a_positive_case() -> None:
    from gdprguard.detect import ENTITY_TYPES

    assert {etype for _, etype, _ in POSITIVE} == set(ENTITY_TYPES)
