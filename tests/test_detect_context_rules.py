"""Context rules added from the benchmark's failure analysis: each with positive and negative
cases (Japanese full-width variants included)."""

from __future__ import annotations

import pytest

from gdprguard.detect import Detector, redact_text


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector()


def found(detector: Detector, text: str, etype: str | None = None) -> set[tuple[str, str]]:
    return {
        (f.type, text[f.start : f.end])
        for f in detector.analyze(text)
        if etype is None or f.type == etype
    }


POSITIVE = [
    # English PERSON: chat roles, sign-offs, introductions, holders, accents, HTML entities
    ("Agent (Jane): Of course.", "PERSON", "Jane"),
    ("Agent: Maple & Co., Amy speaking.", "PERSON", "Amy"),
    ("Agent: Hi, you're chatting with Annette from Maple & Co.", "PERSON", "Annette"),
    ("Am I speaking with Kelli Todd?", "PERSON", "Kelli Todd"),
    ("Caller: Hi William, this is Jaime Duffy. I'm calling", "PERSON", "William"),
    ("Caller: Hi William, this is Jaime Duffy. I'm calling", "PERSON", "Jaime Duffy"),
    ("> Hi Dmitri, your ticket is resolved", "PERSON", "Dmitri"),
    ("Can someone call me at (416) 977-5816? - Michael", "PERSON", "Michael"),
    ("The amount was $24.\n\nThanks,\nApril", "PERSON", "April"),
    ("Regards,\nJosé García", "PERSON", "José García"),
    ("I'm Will Baker.", "PERSON", "Will Baker"),
    ("The account is registered to Grant Jackson, thanks", "PERSON", "Grant Jackson"),
    ("card ending 4242, account holder Alejandro Wells. The amount", "PERSON", "Alejandro Wells"),
    ("<p>Hi Ren&eacute;e Dubois,</p><p>We received it</p>", "PERSON", "Ren&eacute;e Dubois"),
    ("Agent: Thanks Glenda, I see it was shipped", "PERSON", "Glenda"),
    # Japanese PERSON
    ("お客様：もしもし、アベ　レイと申します。", "PERSON", "アベ　レイ"),
    ("いけだ かおり様\n\nいつもありがとうございます", "PERSON", "いけだ かおり"),
    ("渡辺　あすか 様", "PERSON", "渡辺　あすか"),
    ("イトウソウタロウと申します。", "PERSON", "イトウソウタロウ"),
    ("ｲﾄｳｿｳﾀﾛｳと申します。", "PERSON", "ｲﾄｳｿｳﾀﾛｳ"),
    ("オペレーター：担当の松本です。", "PERSON", "松本"),
    ("オペレーター（森）：承知しました。", "PERSON", "森"),
    ("林様、ありがとうございます。", "PERSON", "林"),
    ("お世話になっております。林です。", "PERSON", "林"),
    ("ABCストアの岡本と申します。", "PERSON", "岡本"),
    ("みどり雑貨店の阿部でございます。", "PERSON", "阿部"),  # 部 ends a surname here
    ("服部様", "PERSON", "服部"),
    ("名義人：Ryohei Kato。", "PERSON", "Ryohei Kato"),
    ("名義人：Ｒｙｏｈｅｉ Ｋａｔｏ。", "PERSON", "Ｒｙｏｈｅｉ Ｋａｔｏ"),
    ("担当のEmily Clarkeさん", "PERSON", "Emily Clarke"),
    (
        "何卒よろしくお願いいたします。\nハヤシ　アケミ\nTEL：080-9439-6369",
        "PERSON",
        "ハヤシ　アケミ",
    ),
    ("以上、よろしくお願いします。\n森", "PERSON", "森"),
    ("0120-881-973に電話ください。ヨシダ　ナナミ", "PERSON", "ヨシダ　ナナミ"),
    ("氏名：長谷川直樹（フリガナ：アベ　アツシ）", "PERSON", "アベ　アツシ"),
    # DATE_TIME: the date answers the previous line's question
    (
        "[10:01] Agent: To verify, what's your date of birth?\n[10:02] Customer: April 25, 1978",
        "DATE_TIME",
        "April 25, 1978",
    ),
    (
        "オペレーター：生年月日をお願いします。\n"
        "[10:02] お客様：渡辺　真綾、１９９８年０３月１７日です",
        "DATE_TIME",
        "１９９８年０３月１７日",
    ),
    # PHONE_NUMBER
    ("携帯：09012345678、自宅：06(6312)4455", "PHONE_NUMBER", "06(6312)4455"),
    (
        "配送先を変更しました。03-6978-4721宛てにSMSでお知らせします。",
        "PHONE_NUMBER",
        "03-6978-4721",
    ),
    (
        "注文ORD-2022-856477を変更しました。＋８１７０７０８８４００３宛てにSMS",
        "PHONE_NUMBER",
        "＋８１７０７０８８４００３",
    ),
    ("担当：山田\n0925889250\n――――", "PHONE_NUMBER", "0925889250"),
    ("お客様：０９２４８０１６５２です", "PHONE_NUMBER", "０９２４８０１６５２"),
    ("my mobile is 030 813393.", "PHONE_NUMBER", "030 813393"),
    (
        "Order #A71312921. We'll text +1 212-695-0712 when it ships",
        "PHONE_NUMBER",
        "+1 212-695-0712",
    ),
    # LOCATION and IP_ADDRESS
    (
        "Please ship to 7638 Beard River Suite 030, Rebeccaberg, MI 90823. Thanks",
        "LOCATION",
        "7638 Beard River Suite 030, Rebeccaberg, MI 90823",
    ),
    (
        "Send it to 0877 Andrew Harbors, Lake Jessica, AL 96730?",
        "LOCATION",
        "0877 Andrew Harbors, Lake Jessica, AL 96730",
    ),
    (
        "14 Harbour Street, Leith, Edinburgh EH6 6JD",
        "LOCATION",
        "14 Harbour Street, Leith, Edinburgh EH6 6JD",
    ),
    (
        "住所：北海道札幌市中央区北1条西2丁目1番地までお送りください。",
        "LOCATION",
        "北海道札幌市中央区北1条西2丁目1番地",
    ),
    (
        "住所：北海道札幌市中央区北１条西２丁目１番地",
        "LOCATION",
        "北海道札幌市中央区北１条西２丁目１番地",
    ),
    (
        "from my IP address 2575:1b4f:4235:aec9:7232:7e3:c4c8:681. I tried",
        "IP_ADDRESS",
        "2575:1b4f:4235:aec9:7232:7e3:c4c8:681",
    ),
]


@pytest.mark.parametrize(("text", "etype", "value"), POSITIVE)
def test_positive(detector: Detector, text: str, etype: str, value: str) -> None:
    assert (etype, value) in found(detector, text)


NEGATIVE_TYPE = [
    ("Hey Northwind Outfitters, wrong size again", "PERSON"),
    ("this is Acme Gadgets, hello", "PERSON"),
    ("I'm Sorry but the item was damaged.", "PERSON"),
    ("Hi Team, the order arrived late.", "PERSON"),
    ("Customer: May 3, 1990", "PERSON"),  # a month before a day is a date
    ("Send it to 0877 Andrew Harbors, Lake Jessica, AL 96730?", "PERSON"),  # street name
    ("ABCストアさん、またサイズ違いが届いた", "PERSON"),
    ("さくらオンラインショップさん、また届いた", "PERSON"),
    ("ヤマト運輸さんに問い合わせました。", "PERSON"),
    ("三井住友銀行 梅田支店 普通 口座番号7559312", "PERSON"),
    ("お客様各位、ご担当者様", "PERSON"),
    ("商品の発送は明日です。本日中に発送予定でございます。", "PERSON"),
    ("みなさん、こんにちは", "PERSON"),
    ("よろしくお願いいたします。\n以上\n", "PERSON"),
    ("生年月日：平成2年4月7日　注文日：2024年5月2日", "DATE_TIME:2024年5月2日"),
    ("What's your date of birth?\nI ordered on 2024-05-02 at noon", "DATE_TIME"),
    ("Date of birth?\n[2024-06-02T15:19:12+09:00] Agent: ok", "DATE_TIME"),
    ("注文番号 0312345678 の件", "PHONE_NUMBER"),
    ("Order 0312345678 shipped", "PHONE_NUMBER"),
    ("伝票番号：090-1234-5678", "PHONE_NUMBER"),
    ("商品コード 4901234567894、価格 12,800円", "CREDIT_CARD"),
]


@pytest.mark.parametrize(("text", "etype"), NEGATIVE_TYPE)
def test_negative(detector: Detector, text: str, etype: str) -> None:
    etype, _, value = etype.partition(":")
    hits = found(detector, text, etype)
    if value:
        assert (etype, value) not in hits
    else:
        assert hits == set()


def test_nearest_birth_label_wins(detector: Detector) -> None:
    text = "生年月日：平成2年4月7日　注文日：2024年5月2日"
    assert found(detector, text, "DATE_TIME") == {("DATE_TIME", "平成2年4月7日")}


def test_order_word_in_an_earlier_sentence_does_not_veto(detector: Detector) -> None:
    text = (
        "注文２０２３－０６２０－２５１６の配送先を変更しました。０８０－４５１０－６２９４宛てです"
    )
    assert ("PHONE_NUMBER", "０８０－４５１０－６２９４") in found(detector, text)


def test_person_only_request_still_uses_addresses_to_veto_street_names(
    detector: Detector,
) -> None:
    text = "Send it to 0877 Andrew Harbors, Lake Jessica, AL 96730?"
    assert detector.analyze(text, entities={"PERSON"}) == []


def test_known_subject_inside_an_address_is_kept(detector: Detector) -> None:
    from gdprguard.detect import KnownSubject

    text = "Send it to 0877 Andrew Harbors, Lake Jessica, AL 96730?"
    subject = KnownSubject(names=["Andrew Harbors"])
    findings = detector.analyze(text, entities={"PERSON"}, known_subject=subject)
    assert [text[f.start : f.end] for f in findings] == ["Andrew Harbors"]


def test_redacted_html_keeps_no_email_in_attributes(detector: Detector) -> None:
    html = '<p>Write to <a href="mailto:jo&#64;example.com" title="Jo">us</a></p>'
    out = redact_text(html, detector.analyze(html), "placeholder")
    assert "jo&#64;example.com" not in out and "example.com" not in out
