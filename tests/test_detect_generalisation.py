"""Rules that make name, address and birth-date detection generalise beyond the benchmark
templates: cue-less chat labels, multicultural given names, multilingual holder fields, hiragana
given names, romanised names in Japanese text, European and romanised Japanese addresses.
Each rule has positive and negative cases (Japanese full-width variants included)."""

from __future__ import annotations

import pytest

from gdprguard.detect import Detector
from gdprguard.detect.recognizers import RawMatch
from gdprguard.detect.recognizers.address import _outermost
from gdprguard.detect.recognizers.person_en import (
    ambiguous_given_names,
    given_names,
    is_given_name,
    is_surname,
    surnames,
)
from gdprguard.detect.recognizers.person_ja import is_kana_given, ja_given_kana


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector()


def spans(detector: Detector, text: str, etype: str) -> set[str]:
    return {text[f.start : f.end] for f in detector.analyze(text) if f.type == etype}


# (text, type, exact span expected)
POSITIVE = [
    # English PERSON: chat speaker labels, also lower case and bracketed
    ("Agent Tamsin: thanks for holding", "PERSON", "Tamsin"),
    ("[09:14] Oluwaseun: my parcel never came", "PERSON", "Oluwaseun"),
    ("Customer: lorenzo bianchi\nAgent: how can I help?", "PERSON", "lorenzo bianchi"),
    ("[Marisol]: is anyone there?", "PERSON", "Marisol"),
    ("Hassan (customer): still waiting", "PERSON", "Hassan"),
    ("@Ingrid could you take this one?", "PERSON", "Ingrid"),
    # introductions and sign-offs without a listed English name
    ("Hello, this is Thandiwe from the returns desk.", "PERSON", "Thandiwe"),
    ("Svetlana here - the blender arrived broken.", "PERSON", "Svetlana"),
    ("hi matteo, your refund went out today", "PERSON", "matteo"),
    ("ok I'll wait for the courier - ngozi", "PERSON", "ngozi"),
    ("all sorted now, cheers — Björn", "PERSON", "Björn"),
    ("Thanks Aurelio", "PERSON", "Aurelio"),
    ("Kind regards,\nsiobhan", "PERSON", "siobhan"),
    ("Viele Grüße,\nFriedrich Bauer", "PERSON", "Friedrich Bauer"),
    ("Bonjour Amélie, votre colis est parti.", "PERSON", "Amélie"),
    # holders and labelled fields in several languages, initials and particles
    ("Please refund account name Rashid Karimov at the same bank.", "PERSON", "Rashid Karimov"),
    ("IBAN on file (holder Annelies de Vries).", "PERSON", "Annelies de Vries"),
    ("Kontoinhaberin Henrike Vogel", "PERSON", "Henrike Vogel"),
    ("titulaire du compte Léonie Martin", "PERSON", "Léonie Martin"),
    ("Refund sent to Mrs A. M. van den Heuvel today.", "PERSON", "A. M. van den Heuvel"),
    ("Cardholder: SEUNG-HO PARK", "PERSON", "SEUNG-HO PARK"),
    ("Assignee: Grzegorz Nowak", "PERSON", "Grzegorz Nowak"),
    ("Submitted by Esperanza Ruiz", "PERSON", "Esperanza Ruiz"),
    ("Parcel signed for by Tobias Lindqvist.", "PERSON", "Tobias Lindqvist"),
    # ticket metadata lists
    ("CC: Astrid Holm, Joaquín Pérez and Wanjiru Kamau", "PERSON", "Joaquín Pérez"),
    ("CC: Astrid Holm, Joaquín Pérez and Wanjiru Kamau", "PERSON", "Wanjiru Kamau"),
    # signature blocks
    ("Bronagh Kilbride | Accounts Manager", "PERSON", "Bronagh Kilbride"),
    ("Ximena Quintanilla\nHead of Customer Care", "PERSON", "Ximena Quintanilla"),
    ("Let me know if it works.\n\nDarius Nowakowski", "PERSON", "Darius Nowakowski"),
    ("On Tue, 4 Jun 2024, Chiamaka Eze wrote:\n> hello", "PERSON", "Chiamaka Eze"),
    # relatives and people mentioned in a sentence
    ("my husband Farouk placed the order", "PERSON", "Farouk"),
    ("our daughter's name is Ines Costa", "PERSON", "Ines Costa"),
    ("I spoke to Radhika yesterday about it", "PERSON", "Radhika"),
    ("the driver, Tunde, said he left it at the door", "PERSON", "Tunde"),
    ("Kind regards,\nHALIMA YUSUF", "PERSON", "HALIMA YUSUF"),
    ("Kwame said the refund was approved", "PERSON", "Kwame"),
    # a known given name with a capitalised surname, no cue at all; a word-like given name
    # only with a known surname
    ("Please ask Agnieszka Wójcik to confirm", "PERSON", "Agnieszka Wójcik"),
    ("the lamp is a gift for Crystal Sawyer, so no invoice", "PERSON", "Crystal Sawyer"),
    # Japanese PERSON: hiragana given names in casual text and family mentions
    ("はじめまして、ゆうかです。注文の件です。", "PERSON", "ゆうか"),
    ("兄のそうたが受け取ります", "PERSON", "そうた"),
    ("名前はみさきです", "PERSON", "みさき"),
    ("はるきくんの靴を買いました", "PERSON", "はるき"),
    ("息子のりくが使っています", "PERSON", "りく"),
    ("投稿者 by まっちゃん", "PERSON", "まっちゃん"),
    # names after 担当 in chats
    ("担当タナカ：確認します", "PERSON", "タナカ"),
    ("担当ヒロミ: 承知しました", "PERSON", "ヒロミ"),
    ("本日の担当高橋です。", "PERSON", "高橋"),
    # romanised and foreign names in Japanese text
    ("口座名義 HANAKO SUZUKI", "PERSON", "HANAKO SUZUKI"),
    ("口座名義　ＨＡＮＡＫＯ　ＳＵＺＵＫＩ", "PERSON", "ＨＡＮＡＫＯ　ＳＵＺＵＫＩ"),
    ("Park（お客様）：まだ届きません", "PERSON", "Park"),
    ("Ｐａｒｋ（お客様）：まだ届きません", "PERSON", "Ｐａｒｋ"),
    ("Wang様、お問い合わせありがとうございます。", "PERSON", "Wang"),
    ("Tanaka さん、こんにちは。", "PERSON", "Tanaka"),
    ("チャン・ティ・ホア様のご注文", "PERSON", "チャン・ティ・ホア"),
    ("Emma Fischer（旧姓佐々木）様", "PERSON", "佐々木"),
    # boundaries: the shop or department before a name is not part of it
    ("フラワーショップ花子 村上", "PERSON", "村上"),
    ("経理 松田", "PERSON", "松田"),
    # English LOCATION: prefixes, stacked suffixes, ordinals, European and romanised Japanese
    (
        "Ship to Unit 7, Meadowbank Trading Estate, 14 Canal Street, Leeds LS1 4AB please",
        "LOCATION",
        "Unit 7, Meadowbank Trading Estate, 14 Canal Street, Leeds LS1 4AB",
    ),
    (
        "Flat 3, 22 Queens Park Road, Brighton BN2 0GJ",
        "LOCATION",
        "Flat 3, 22 Queens Park Road, Brighton BN2 0GJ",
    ),
    ("we moved to 4 Laburnum Cottages last week", "LOCATION", "4 Laburnum Cottages"),
    (
        "2201 SW 3rd Ave, Suite 400, Portland, OR 97201",
        "LOCATION",
        "2201 SW 3rd Ave, Suite 400, Portland, OR 97201",
    ),
    ("Send it to Kongensgade 12, 1264 København.", "LOCATION", "Kongensgade 12, 1264 København"),
    ("Lindenstraße 8, 80331 München", "LOCATION", "Lindenstraße 8, 80331 München"),
    ("deliver to 14 Calle de Alcalá, 28014 Madrid", "LOCATION", "14 Calle de Alcalá, 28014 Madrid"),
    (
        "12 Fitzwilliam Place, Dublin 2, D02 XE61",
        "LOCATION",
        "12 Fitzwilliam Place, Dublin 2, D02 XE61",
    ),
    ("Address: Osaka, Kita-ku, Umeda 3-1-1", "LOCATION", "Osaka, Kita-ku, Umeda 3-1-1"),
    ("2-11-3 Meguro, Meguro-ku, Tokyo", "LOCATION", "2-11-3 Meguro, Meguro-ku, Tokyo"),
    ("Address: 530-0001 Osaka, Kita-ku, Umeda 3-1-1", "JP_POSTAL_CODE", "530-0001"),
    # Japanese LOCATION: the floor or room is part of the address; a preceding word is not
    ("東京都新宿区西新宿2-8-1 都庁ビル45F", "LOCATION", "東京都新宿区西新宿2-8-1 都庁ビル45F"),
    (
        "大阪府大阪市北区梅田1丁目2番3号 梅田ビル１２階",
        "LOCATION",
        "大阪府大阪市北区梅田1丁目2番3号 梅田ビル１２階",
    ),
    (
        "京都府京都市左京区1-2-3 コーポ鴨川305号",
        "LOCATION",
        "京都府京都市左京区1-2-3 コーポ鴨川305号",
    ),
    (
        "住所は誤りで、正しくは北海道札幌市中央区北1条西2-1です。",
        "LOCATION",
        "北海道札幌市中央区北1条西2-1",
    ),
    # DATE_TIME: birth dates marked after the date, corrected, or without a year
    ("the birthday on my member profile says 11/09/1988 which is right", "DATE_TIME", "11/09/1988"),
    ("（1983年7月19日生）", "DATE_TIME", "1983年7月19日"),
    ("（１９８３年７月１９日生）", "DATE_TIME", "１９８３年７月１９日"),
    (
        "生年月日が1990年1月5日になっていますが、正しくは1990年5月1日です。",
        "DATE_TIME",
        "1990年5月1日",
    ),
    ("誕生日は5月5日です", "DATE_TIME", "5月5日"),
    ("My birthday is June 9th so the voucher applies", "DATE_TIME", "June 9th"),
    # JP_BANK_ACCOUNT: Japan Post Bank symbol and number; JP_PASSPORT: a list after one word
    ("ゆうちょ銀行 記号10170 番号12345671", "JP_BANK_ACCOUNT", "10170 番号12345671"),
    (
        "ゆうちょ 記号１０１７０ 番号１２３４５６７１",
        "JP_BANK_ACCOUNT",
        "１０１７０ 番号１２３４５６７１",
    ),
    (
        "旅券番号の変更です。旧番号はTK1234567でしたが、新しい番号：TZ7654321",
        "JP_PASSPORT",
        "TZ7654321",
    ),
]

NEGATIVE = [
    # product, street and company names made of given names
    ("I'd like a tin of Earl Grey and the Mary Jane shoes in size 6.", "PERSON", "Earl Grey"),
    ("I'd like a tin of Earl Grey and the Mary Jane shoes in size 6.", "PERSON", "Mary Jane"),
    ("The invoice from Morgan Stanley arrived.", "PERSON", "Morgan Stanley"),
    ("Deliver to 12 Dale Road, please.", "PERSON", "Dale"),
    ("We bought it at Harper Electronics.", "PERSON", "Harper"),
    ("Victoria is sunny and Austin was hot.", "PERSON", "Victoria"),
    ("Victoria is sunny and Austin was hot.", "PERSON", "Austin"),
    ("Alexa is not responding.", "PERSON", "Alexa"),
    ("the view from Chelsea Harbour was lovely", "PERSON", "Chelsea Harbour"),
    # chat speech after a role label is not a name
    ("Agent: Sure. Anything else?", "PERSON", "Sure"),
    ("Agent: Certainly.", "PERSON", "Certainly"),
    ("Customer: will do, thanks", "PERSON", "will"),
    ("Note: please reply soon", "PERSON", "Note"),
    ("Assignee: CC: none", "PERSON", "CC"),
    ("@Acmecorp can you check?", "PERSON", "Acmecorp"),
    ("the driver, Sure, whatever", "PERSON", "Sure"),
    ("Best,\nORDER CONFIRMATION", "PERSON", "ORDER CONFIRMATION"),
    ("CC: Assignee", "PERSON", "Assignee"),
    ("this is amazing, thank you", "PERSON", "amazing"),
    # Japanese: surnames inside company, product and place names
    ("山本工務店に依頼しました。", "PERSON", "山本"),
    ("株式会社田中製作所の件です。", "PERSON", "田中"),
    ("佐藤物産株式会社より", "PERSON", "佐藤"),
    ("リカちゃん人形を購入しました。", "PERSON", "リカ"),
    ("羽田に到着しました。", "PERSON", "羽田"),
    ("みなさん、こんにちは", "PERSON", "みな"),
    ("Amazonさんから届きました", "PERSON", "Amazon"),
    ("経理 松田", "PERSON", "経理 松田"),
    ("フラワーショップ花子 村上", "PERSON", "花子 村上"),
    # addresses: a word before the address and lookalikes
    (
        "住所は誤りで、正しくは東京都港区芝公園4-2-8です。",
        "LOCATION",
        "正しくは東京都港区芝公園4-2-8",
    ),
    ("iPhone 15, 2023 Model and Version 2, 2024 Edition", "LOCATION", "Version 2, 2024 Edition"),
    # dates that are not birth dates
    ("誕生日プレゼントを3月3日に発送しました", "DATE_TIME", "3月3日"),
    ("生産日 2020年1月5日", "DATE_TIME", "2020年1月5日"),
    (
        "We shipped on 1985年4月12日 and fixed it, actually 1985年4月21日.",
        "DATE_TIME",
        "1985年4月21日",
    ),
    # version numbers are not IP addresses
    ("Agent: Hi Mike, firmware 4.2.1.8 is the latest.", "IP_ADDRESS", "4.2.1.8"),
    ("Customer: my router is on v4.2.1.8 now", "IP_ADDRESS", "4.2.1.8"),
    ("ファームウェアのバージョンは４．２．１．８です", "IP_ADDRESS", "４．２．１．８"),
]


@pytest.mark.parametrize(("text", "etype", "expected"), POSITIVE)
def test_positive(detector: Detector, text: str, etype: str, expected: str) -> None:
    assert expected in spans(detector, text, etype)


@pytest.mark.parametrize(("text", "etype", "unwanted"), NEGATIVE)
def test_negative(detector: Detector, text: str, etype: str, unwanted: str) -> None:
    assert unwanted not in spans(detector, text, etype)


def test_ip_after_login_word_is_still_found(detector: Detector) -> None:
    text = "version 10.0.2.1 installed, login from 10.0.2.1 failed"
    found = [f for f in detector.analyze(text) if f.type == "IP_ADDRESS"]
    assert [(f.start, f.end) for f in found] == [(text.rindex("10.0"), len(text) - len(" failed"))]


def test_lowercase_second_word_is_cut_unless_a_surname(detector: Detector) -> None:
    assert spans(detector, "i'm jenna again", "PERSON") == {"jenna"}
    assert spans(detector, "hi kofi mensah, thanks", "PERSON") == {"kofi mensah"}


def test_gazetteers_are_multicultural_and_exclude_words() -> None:
    names = given_names()
    for name in ("Kofi", "Priyanka", "Tamika", "Jürgen", "Mathilde", "Lukas", "Adebayo", "Aiko"):
        assert name in names, name
    for word in ("Will", "Victoria", "Austin", "Park", "Echo", "Thanks", "Order"):
        assert word not in names, word
    assert "Austin" in ambiguous_given_names()
    assert is_given_name("jenna") and is_given_name("Jenna") and not is_given_name("JENNA")
    assert "Nowak" in surnames() and is_surname("ogawa")
    assert not is_surname("Do")  # two-letter family names are words too
    assert len(names) > 15_000 and len(surnames()) > 15_000


def test_kana_given_names() -> None:
    assert "はると" in ja_given_kana()
    assert is_kana_given("あやか") and is_kana_given("はると")
    assert not is_kana_given("みな") and not is_kana_given("よろしく")


def test_outermost_drops_nested_matches_only() -> None:
    def m(start: int, end: int) -> RawMatch:
        return RawMatch("LOCATION", start, end, 0.7, "EnAddressRecognizer")

    outer, inner, same_end, twin_a = m(0, 50), m(10, 30), m(20, 50), m(60, 70)
    twin_b = m(60, 70)
    apart = m(80, 90)
    kept = _outermost([inner, outer, same_end, twin_a, twin_b, apart])
    assert kept == [outer, twin_a, twin_b, apart]


def test_many_addresses_in_one_text(detector: Detector) -> None:
    text = "Storgata 41, 0182 Oslo. " * 2000
    found = [f for f in detector.analyze(text) if f.type == "LOCATION"]
    assert len(found) == 2000
