"""Hand-written hard cases: HTML mail, signatures, full-width text, mixed languages, Japanese
addresses, check-digit identifiers and near-misses that must not be flagged.

Each case is a list of pieces: a plain string, ``P(type, value)`` for personal data, or
``N(kind, value)`` for a near-miss. Offsets are computed by the builder, and numbers that need
a valid (or deliberately invalid) check digit are computed here, never typed by hand. All names,
addresses and numbers are invented.
"""

from __future__ import annotations

from bench.detection.checksums import (
    iban_from_bban,
    with_bad_luhn,
    with_bad_my_number_check,
    with_luhn,
    with_my_number_check,
)
from bench.detection.model import Piece, Sample, SampleBuilder
from bench.detection.values import to_fullwidth

__all__ = ["hard_cases"]


def P(entity_type: str, value: str) -> Piece:
    """A personal-data piece."""
    return Piece(value, entity_type)


def N(kind: str, value: str) -> Piece:
    """A near-miss piece (looks like personal data, is not)."""
    return Piece(value, "~" + kind)


def _grp(s: str, sizes: tuple[int, ...], sep: str) -> str:
    out, i = [], 0
    for n in sizes:
        out.append(s[i : i + n])
        i += n
    return sep.join(out)


_MN1 = with_my_number_check("31428570162")
_MN2 = with_my_number_check("58201937465")
_MN3 = with_my_number_check("70315582941")
_VISA = with_luhn("453201511283036")
_MC = with_luhn("550011223344556")
_AMEX = with_luhn("37828224631000")
_JCB = with_luhn("353011133330000")
_DINERS = with_luhn("3056930902590")
_DISCOVER = with_luhn("601111111111111")
_IBAN_DE = iban_from_bban("DE", "370400440532013000")
_IBAN_GB = iban_from_bban("GB", "NWBK60161331926819")
_IBAN_FR = iban_from_bban("FR", "20041010050500013M02606")
_IBAN_NL = iban_from_bban("NL", "ABNA0417164300")
_IBAN_ES = iban_from_bban("ES", "21000418450200051332")


def _iban_spaced(iban: str) -> str:
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


Case = tuple[str, str, list[Piece | str]]

_CASES: list[Case] = [
    # --- HTML mail bodies -----------------------------------------------------------------
    (
        "en",
        "html",
        [
            "<html><body><p>Dear&nbsp;",
            P("PERSON", "Olivia Hartmann"),
            ",</p><p>Your refund for order ",
            N("order_number", "112-4839201-5530122"),
            " has been issued.</p><p>Questions? Call&nbsp;",
            P("PHONE_NUMBER", "+1 (415) 867-5309"),
            "</p></body></html>",
        ],
    ),
    (
        "en",
        "html",
        [
            '<div>Contact: <a href="mailto:',
            P("EMAIL_ADDRESS", "m.okafor@example.net"),
            '">',
            P("EMAIL_ADDRESS", "m.okafor@example.net"),
            "</a><br>Ship to:<br>",
            # one address over two lines is one span (the engine sees "<br>" as a line break)
            P("LOCATION", "742 Evergreen Terrace<br>Springfield, OR 97477"),
            "</div>",
        ],
    ),
    (
        "en",
        "html",
        [
            "<p>Hi ",
            P("PERSON", "Ren&eacute;e Dubois"),
            ",</p><p>We received your message from &lt;",
            P("EMAIL_ADDRESS", "renee.dubois@example.org"),
            "&gt; on ",
            N("date", "March 3"),
            ".</p>",
        ],
    ),
    (
        "en",
        "html",
        [
            "<table><tr><td>Name</td><td>",
            P("PERSON", "Marcus&nbsp;Whitfield"),
            "</td></tr><tr><td>Card</td><td>",
            P("CREDIT_CARD", _grp(_VISA, (4, 4, 4, 4), " ")),
            "</td></tr><tr><td>Total</td><td>",
            N("price", "$1,299.00"),
            "</td></tr></table>",
        ],
    ),
    (
        "ja",
        "html",
        [
            "<p>",
            P("PERSON", "山本&nbsp;美咲"),
            "様</p><p>お電話番号：",
            P("PHONE_NUMBER", "090-3312-7785"),
            "<br>ご住所：",
            "〒",
            P("JP_POSTAL_CODE", "150-0002"),
            " ",
            P("LOCATION", "東京都渋谷区渋谷2丁目21番1号"),
            "</p>",
        ],
    ),
    (
        "ja",
        "html",
        [
            "<div>お客様メール：",
            P("EMAIL_ADDRESS", "k.nakamura@example.co.jp"),
            "<br/>注文番号：",
            N("order_number", "2024-0512-8831"),
            "<br/>合計：",
            N("price", "&yen;12,800"),
            "</div>",
        ],
    ),
    # --- signatures ---------------------------------------------------------------------
    (
        "en",
        "signature",
        [
            "Thanks for the quick turnaround.\n\n--\n",
            P("PERSON", "Priya Raman"),
            "\nProcurement Lead | Lakeside Interiors\nM: ",
            P("PHONE_NUMBER", "+44 7911 123456"),
            "\nE: ",
            P("EMAIL_ADDRESS", "priya.raman@lakeside-interiors.co.uk"),
            "\n",
            P("LOCATION", "14 Harbour Street, Leith, Edinburgh EH6 6JD"),
        ],
    ),
    (
        "en",
        "signature",
        [
            "Sent from my iPhone\n\n> On ",
            N("date", "Tue, May 14"),
            ", support wrote:\n> Hi ",
            P("PERSON", "Dmitri"),
            ", your ticket ",
            N("invoice_number", "INV-2024-00731"),
            " is resolved.\n\nNope, still broken.\n",
            P("PERSON", "Dmitri Volkov"),
        ],
    ),
    (
        "ja",
        "signature",
        [
            "ご確認よろしくお願いいたします。\n\n━━━━━━━━━━━━━━\n株式会社サンプル商事 営業部\n",
            P("PERSON", "高橋 健太"),
            "\nTEL：",
            P("PHONE_NUMBER", "03-5321-4470"),
            "\nMail：",
            P("EMAIL_ADDRESS", "k.takahashi@sample-shoji.co.jp"),
            "\n〒",
            P("JP_POSTAL_CODE", "163-8001"),
            " ",
            P("LOCATION", "東京都新宿区西新宿2-8-1"),
            "\n━━━━━━━━━━━━━━",
        ],
    ),
    (
        "ja",
        "signature",
        [
            "以上です。\n\n-- \n",
            P("PERSON", "いのうえ さくら"),
            "\n携帯 ",
            P("PHONE_NUMBER", "080-4471-2290"),
        ],
    ),
    # --- full-width -----------------------------------------------------------------------
    (
        "ja",
        "fullwidth",
        ["電話番号：", P("PHONE_NUMBER", "０９０－１２３４－５６７８"), "までお願いします。"],
    ),
    (
        "ja",
        "fullwidth",
        [
            "メール：",
            P("EMAIL_ADDRESS", "ｔａｎａｋａ＠ｅｘａｍｐｌｅ．ｃｏ．ｊｐ"),
            " 宛にお送りください。",
        ],
    ),
    (
        "ja",
        "fullwidth",
        [
            "〒",
            P("JP_POSTAL_CODE", "１６０－００２３"),
            "　",
            P("LOCATION", "東京都新宿区西新宿１－２－３"),
        ],
    ),
    (
        "ja",
        "fullwidth",
        ["個人番号：", P("JP_MY_NUMBER", to_fullwidth(_grp(_MN1, (4, 4, 4), " ")))],
    ),
    (
        "ja",
        "fullwidth",
        ["カード番号 ", P("CREDIT_CARD", to_fullwidth(_grp(_JCB, (4, 4, 4, 4), "-")))],
    ),
    ("ja", "fullwidth", ["ＩＰアドレス：", P("IP_ADDRESS", "２０３．０．１１３．４２")]),
    # --- mixed Japanese / English -------------------------------------------------------------
    (
        "ja",
        "mixed",
        [
            "Hi team, お客様の",
            P("PERSON", "佐藤花子"),
            "様 (",
            P("EMAIL_ADDRESS", "hanako.sato@example.jp"),
            ") から連絡がありました. Phone ",
            P("PHONE_NUMBER", "+81 90-2234-5678"),
            ". Please check ASAP.",
        ],
    ),
    (
        "en",
        "mixed",
        [
            "Customer ",
            P("PERSON", "鈴木一郎"),
            " called about order ",
            N("order_number", "113-2039485-2209384"),
            ". He wants a callback at ",
            P("PHONE_NUMBER", "+81-3-6891-2207"),
            " (Tokyo office).",
        ],
    ),
    (
        "ja",
        "mixed",
        [
            "担当の",
            P("PERSON", "Emily Clarke"),
            "さんから、",
            P("PERSON", "田村"),
            "様宛の返金（",
            N("price", "¥8,400"),
            "）は処理済みと聞いています。",
        ],
    ),
    (
        "en",
        "mixed",
        [
            "Ship to: ",
            P("PERSON", "Kenji Watanabe"),
            ", 〒",
            P("JP_POSTAL_CODE", "530-0001"),
            " ",
            P("LOCATION", "大阪府大阪市北区梅田3丁目1番3号"),
            ". Tel ",
            P("PHONE_NUMBER", "06-6345-1122"),
        ],
    ),
    # --- Japanese addresses and postal codes -----------------------------------------------
    (
        "ja",
        "ja_address",
        ["住所：", P("LOCATION", "北海道札幌市中央区北1条西2丁目1番地"), "までお送りください。"],
    ),
    (
        "ja",
        "ja_address",
        ["お届け先は", P("LOCATION", "京都府京都市中京区烏丸通三条上る場之町599番地"), "です。"],
    ),
    (
        "ja",
        "ja_address",
        [
            "勤務先：",
            P("LOCATION", "東京都千代田区丸の内1-9-1 グラントウキョウノースタワー15F"),
        ],
    ),
    (
        "ja",
        "ja_address",
        [
            "新住所 ",
            P("LOCATION", "神奈川県横浜市西区みなとみらい二丁目2番1号"),
            "へ転居しました。",
        ],
    ),
    (
        "ja",
        "ja_address",
        [
            "郵便番号：",
            P("JP_POSTAL_CODE", "100-0005"),
            "、住所：",
            P("LOCATION", "福岡県福岡市博多区博多駅前3丁目2番8号 博多ビル502号室"),
        ],
    ),
    (
        "ja",
        "ja_address",
        [
            "〒",
            P("JP_POSTAL_CODE", "9800811"),
            " ",
            P("LOCATION", "宮城県仙台市青葉区一番町4-7-17"),
        ],
    ),
    # --- Japanese phones --------------------------------------------------------------------
    (
        "ja",
        "ja_phone",
        ["フリーダイヤル ", P("PHONE_NUMBER", "0120-444-113"), " までお電話ください。"],
    ),
    (
        "ja",
        "ja_phone",
        ["携帯：", P("PHONE_NUMBER", "09012345678"), "、自宅：", P("PHONE_NUMBER", "06(6312)4455")],
    ),
    ("ja", "ja_phone", ["海外からは", P("PHONE_NUMBER", "+81 (0)90-8765-4321"), "へ。"]),
    ("ja", "ja_phone", ["連絡先 ", P("PHONE_NUMBER", "045-671-2121"), "（平日9時〜17時）"]),
    (
        "ja",
        "ja_phone",
        ["TEL ", P("PHONE_NUMBER", "070 3021 5566"), " / FAX ", P("PHONE_NUMBER", "03-3211-0099")],
    ),
    # --- My Number ----------------------------------------------------------------------
    ("ja", "my_number", ["マイナンバー ", P("JP_MY_NUMBER", _MN2), " を登録しました。"]),
    ("ja", "my_number", ["個人番号（12桁）：", P("JP_MY_NUMBER", _grp(_MN3, (4, 4, 4), "-"))]),
    (
        "en",
        "my_number",
        [
            "My Japanese My Number is ",
            P("JP_MY_NUMBER", _grp(_MN2, (4, 4, 4), " ")),
            " for the tax form.",
        ],
    ),
    # --- cards, IBANs, IPs ----------------------------------------------------------------
    ("en", "card", ["Please charge ", P("CREDIT_CARD", _grp(_MC, (4, 4, 4, 4), "-")), " instead."]),
    ("en", "card", ["Amex: ", P("CREDIT_CARD", _grp(_AMEX, (4, 6, 5), " ")), ", exp 09/26"]),
    (
        "en",
        "card",
        [
            "diners club card ",
            P("CREDIT_CARD", _DINERS),
            " and discover ",
            P("CREDIT_CARD", _DISCOVER),
        ],
    ),
    ("en", "iban", ["Refund to IBAN ", P("IBAN_CODE", _iban_spaced(_IBAN_DE)), " please."]),
    (
        "en",
        "iban",
        ["My UK account: ", P("IBAN_CODE", _IBAN_GB), " (", P("PERSON", "Sarah Whitmore"), ")"],
    ),
    ("en", "iban", ["IBAN: ", P("IBAN_CODE", _iban_spaced(_IBAN_FR)), "\nBIC: BNPAFRPP"]),
    ("en", "iban", ["bank details ", P("IBAN_CODE", _iban_spaced(_IBAN_NL)), ", thanks"]),
    ("ja", "iban", ["スペインの口座 ", P("IBAN_CODE", _IBAN_ES), " に返金をお願いします。"]),
    (
        "en",
        "ip",
        [
            "Login from ",
            P("IP_ADDRESS", "198.51.100.7"),
            ":8080 and ",
            P("IP_ADDRESS", "2001:db8::1f"),
        ],
    ),
    (
        "en",
        "ip",
        [
            "The request came from ",
            P("IP_ADDRESS", "fe80::1ff:fe23:4567:890a"),
            " at ",
            N("timestamp", "2024-05-12T14:32:10Z"),
        ],
    ),
    (
        "ja",
        "ip",
        [
            "接続元IP：",
            P("IP_ADDRESS", "203.0.113.42"),
            "（",
            N("timestamp", "2024/05/12 14:32"),
            "）",
        ],
    ),
    # --- dates of birth ---------------------------------------------------------------------
    (
        "en",
        "dob",
        ["DOB: ", P("DATE_TIME", "04/07/1990"), ", order placed ", N("date", "04/07"), "."],
    ),
    (
        "en",
        "dob",
        [
            "Date of birth - ",
            P("DATE_TIME", "7 April 1990"),
            ". Delivered on ",
            N("date", "May 2, 2024"),
            ".",
        ],
    ),
    (
        "ja",
        "dob",
        ["生年月日：", P("DATE_TIME", "平成2年4月7日"), "　注文日：", N("date", "2024年5月2日")],
    ),
    ("ja", "dob", ["誕生日は", P("DATE_TIME", "1990年4月7日"), "です。"]),
    ("ja", "dob", ["生年月日 ", P("DATE_TIME", "昭和58年12月1日"), "生"]),
    # --- Japanese names -------------------------------------------------------------------
    ("ja", "ja_name", [P("PERSON", "やまだ たろう"), " 様\nご注文ありがとうございます。"]),
    ("ja", "ja_name", ["はじめまして、", P("PERSON", "タナカ ハナコ"), "と申します。"]),
    ("ja", "ja_name", [P("PERSON", "佐藤"), "殿\n請求書を送付いたします。"]),
    ("ja", "ja_name", ["私、", P("PERSON", "高橋"), "と申します。先日の件でご連絡しました。"]),
    ("ja", "ja_name", ["担当：", P("PERSON", "伊藤"), "（内線 ", N("extension", "204"), "）"]),
    ("ja", "ja_name", [P("PERSON", "小林"), "さん、昨日はありがとうございました。"]),
    (
        "ja",
        "ja_name",
        ["氏名：", P("PERSON", "渡邊 真由美"), "\nフリガナ：", P("PERSON", "ワタナベ マユミ")],
    ),
    # --- English names ------------------------------------------------------------------
    ("en", "en_name", ["Dear Dr. ", P("PERSON", "Emily Carter"), ",\nYour order has shipped."]),
    (
        "en",
        "en_name",
        ["Hello, my name is ", P("PERSON", "Mary-Jane O'Connor"), " and I need help."],
    ),
    ("en", "en_name", ["Regards,\n", P("PERSON", "José García")]),
    ("en", "en_name", ["Thanks!\n– ", P("PERSON", "Tom")]),
    (
        "en",
        "en_name",
        [
            "Hi ",
            P("PERSON", "Grace"),
            ", I hope you can help. I'm ",
            P("PERSON", "Will Baker"),
            ".",
        ],
    ),
    # --- near-misses that must NOT be flagged ------------------------------------------------
    (
        "en",
        "near_miss",
        [
            "Order # ",
            N("order_number", "112-4839201-5530122"),
            " shipped via UPS ",
            N("tracking_number", "1Z999AA10123456784"),
            ".",
        ],
    ),
    (
        "ja",
        "near_miss",
        ["注文番号 ", N("order_number", "2024-0512-8831"), " の商品を発送しました。"],
    ),
    (
        "ja",
        "near_miss",
        [
            "お問い合わせ伝票番号：",
            N("tracking_number", _grp(with_bad_my_number_check("48291038557"), (4, 4, 4), "-")),
        ],
    ),
    (
        "ja",
        "near_miss",
        [
            "お問い合わせ番号 ",
            N("bad_my_number_12", with_bad_my_number_check("21930485762")),
            " でお調べください。",
        ],
    ),
    (
        "en",
        "near_miss",
        [
            "USPS tracking ",
            N("tracking_number", "9400 1118 9922 3456 7812 34"),
            " (",
            N("sku", "SKU: TS-2291-BLU-M"),
            ")",
        ],
    ),
    (
        "en",
        "near_miss",
        [
            "Invoice ",
            N("invoice_number", "INV-2024-00731"),
            " total ",
            N("price", "$1,299.00"),
            " due ",
            N("date", "June 30"),
            ".",
        ],
    ),
    (
        "en",
        "near_miss",
        [
            "Membership no. ",
            N("bad_luhn_16", _grp(with_bad_luhn("621488301029447"), (4, 4, 4, 4), " ")),
            " is not recognised.",
        ],
    ),
    (
        "en",
        "near_miss",
        [
            "Gift card ",
            N("bad_luhn_16", with_bad_luhn("603452110987654")),
            " has a balance of ",
            N("price", "$25.00"),
            ".",
        ],
    ),
    (
        "ja",
        "near_miss",
        ["商品コード ", N("sku", "4901234567894"), "、価格 ", N("price", "12,800円"), "（税込）"],
    ),
    (
        "ja",
        "near_miss",
        [
            "ポイントカード番号 ",
            N("bad_luhn_16", _grp(with_bad_luhn("500012345678901"), (4, 4, 4, 4), "-")),
            " が使えません。",
        ],
    ),
    (
        "en",
        "near_miss",
        [
            "Updated at ",
            N("timestamp", "2024-05-12 14:32:10"),
            ", ref ",
            N("reference", "20240512-000123"),
            ", app version 3.2.1.",
        ],
    ),
    (
        "ja",
        "near_miss",
        [
            "更新日時：",
            N("timestamp", "2024年5月12日 14:30"),
            "　受付番号：",
            N("reference", "A-20240512-0042"),
        ],
    ),
    (
        "ja",
        "near_miss",
        [
            "請求書番号 ",
            N("invoice_number", "INV-20240512-0042"),
            "、送料 ",
            N("price", "800円"),
            "。",
        ],
    ),
    (
        "en",
        "near_miss",
        ["Card ending in ", N("card_last4", "4242"), " was declined on ", N("date", "5/12"), "."],
    ),
]


def hard_cases() -> list[Sample]:
    """Return the hand-written hard cases as samples (ids ``hard-000`` …)."""
    out: list[Sample] = []
    for i, (language, category, pieces) in enumerate(_CASES):
        out.append(
            SampleBuilder().extend(pieces).build(f"hard-{i:03d}", language, f"hard/{category}")
        )
    return out
