"""Japanese customer-support templates. ``{slot}`` names a method of ``JaValues``."""

from __future__ import annotations

EMAIL_OPENERS: tuple[str, ...] = (
    "{full}様\n\nいつも{shop}をご利用いただきありがとうございます。\n",
    "{last}様\n\nお世話になっております。{shop}カスタマーサポートでございます。\n",
    "{kanji_full} 様\n\nお問い合わせありがとうございます。\n",
    "{shop} ご担当者様\n\nお世話になっております。{full}と申します。\n",
    "お世話になっております。{last}です。\n",
    "カスタマーサポート御中\n\n{kanji_full}と申します。\n",
    "{last}殿\n\n",
)

EMAIL_BODIES: tuple[tuple[str, str], ...] = (
    (
        "order_issue",
        "{date}に注文した{product}（注文番号：{order}）ですが、違う色の商品が届きました。"
        "交換品を下記住所へお送りください。\n{postal} {address}\n電話番号：{phone}",
    ),
    (
        "order_issue",
        "注文番号 {order} の{product}が破損して届きました。請求書番号は{invoice_}、"
        "金額は{price}です。"
        "ご連絡は{phone}または{email}までお願いいたします。",
    ),
    (
        "delivery",
        "お問い合わせ伝票番号 {track} の荷物が{date}から動いていません。"
        "お届け先は{postal} {address} です。配達員の方は{phone}にご連絡ください。",
    ),
    (
        "delivery",
        "注文番号{order}のお届け先を変更したいです。新しい住所：{postal}　{address}\n"
        "受取人：{full}様",
    ),
    (
        "refund",
        "{date}に{product}（商品コード {sku_}）を返品しましたが、{price}の返金がまだです。"
        "支払いに使ったカードは{card}です。",
    ),
    (
        "refund",
        "返金先の口座をお知らせします。\n{bank}\n口座名義：{kana_full}\n"
        "注文番号：{order}　返金額：{price}",
    ),
    (
        "account_change",
        "登録メールアドレスを{email}から{email}に変更してください。"
        "本人確認のため、生年月日は{dob}です。",
    ),
    (
        "account_change",
        "本人確認書類として運転免許証を提出します。免許証番号：{license}、"
        "氏名：{kanji_full}、生年月日：{dob}、住所：{address}",
    ),
    (
        "account_change",
        "マイナンバーの提出をお願いされたのでお送りします。個人番号：{my_number}\n"
        "氏名：{full}（フリガナ：{kana_full}）",
    ),
    (
        "account_change",
        "身分証明としてパスポートを使います。旅券番号：{passport}、氏名：{kanji_full}、"
        "生年月日：{dob}",
    ),
    (
        "payment",
        "注文{order}の代金{price}が二重に請求されています。カード番号は{card}です。"
        "会員番号 {ref16} のポイントも使えませんでした。",
    ),
    (
        "payment",
        "{ts}頃、IPアドレス{ip_}から不正ログインがありました。私ではありません。"
        "アカウントのメールアドレスは{email}です。",
    ),
    (
        "refund",
        "海外の口座への返金を希望します。IBAN：{iban_}、名義人：{romaji}。注文番号 {order}。",
    ),
    (
        "order_issue",
        "{product}を2点注文しましたが1点しか届いていません（{sku_}、{price}）。"
        "注文番号{order}、請求書番号{invoice_}。写真はこちらです：{url_}",
    ),
)

EMAIL_CLOSERS: tuple[str, ...] = (
    "\n\nよろしくお願いいたします。\n{kanji_full}",
    "\n\n何卒よろしくお願いいたします。\n{full}\nTEL：{phone}",
    "\n\n以上、よろしくお願いします。\n{last}",
    "\n\n――――――――\n{shop} カスタマーサポート\n担当：{last}\n{phone}\n――――――――",
    "\n\nよろしくお願いいたします。\n{kanji_full}\n{email}",
    "\n\nお手数をおかけしますが、よろしくお願いいたします。",
)

CHAT: tuple[tuple[str, str], ...] = (
    (
        "account_change",
        "[{ts}] お客様：ログインできません。知らないIP（{ip_}）"
        "からアクセスがあったと通知が来ました\n"
        "[{ts}] オペレーター：担当の{last#op}です。ご本人確認のため、"
        "お名前と生年月日をお願いします。\n"
        "[{ts}] お客様：{full}、{dob}です\n"
        "[{ts}] オペレーター：{last#op}が確認しました。パスワードをリセットしました。",
    ),
    (
        "account_change",
        "[{ts}] お客様：年末調整の書類でマイナンバーが必要と言われました。{my_number}です\n"
        "[{ts}] オペレーター：こちらのチャットでは個人番号をお預かりできません。"
        "専用フォームをご利用ください。",
    ),
    (
        "order_issue",
        "[{ts}] オペレーター：{shop}サポートの{last}です。ご用件をお伺いします。\n"
        "[{ts}] お客様：注文{order}がまだ届きません\n"
        "[{ts}] オペレーター：お名前とご登録のメールアドレスをお願いします。\n"
        "[{ts}] お客様：{full}です。{email}\n"
        "[{ts}] オペレーター：{last}様、ありがとうございます。伝票番号{track}で発送済みです。",
    ),
    (
        "account_change",
        "[{ts}] お客様：電話番号を変えたいです\n"
        "[{ts}] オペレーター：担当の{last}です。新しい番号をお知らせください。\n"
        "[{ts}] お客様：{phone}です（前は{phone}）\n"
        "[{ts}] オペレーター：変更しました。",
    ),
    (
        "refund",
        "お客様：{product}の返金をお願いします。注文番号{order}\n"
        "オペレーター（{last#op}）：承知しました。お支払いのカードの下4桁を教えてください。\n"
        "お客様：{last4}です\n"
        "オペレーター（{last#op}）：{price}を返金いたしました。",
    ),
    (
        "delivery",
        "[{ts}] お客様：{full}と申します。会社の住所に送ってもらえますか？{postal} {address}\n"
        "[{ts}] オペレーター：注文{order}の配送先を変更しました。"
        "{phone}宛てにSMSでお知らせします。",
    ),
)

PHONE: tuple[tuple[str, str], ...] = (
    (
        "order_issue",
        "オペレーター：お電話ありがとうございます。{shop}の{last}でございます。\n"
        "お客様：もしもし、{full}と申します。注文番号{order}の件で電話しました。\n"
        "オペレーター：{last}様ですね。念のため折り返しのお電話番号をお願いします。\n"
        "お客様：{phone}です。\n"
        "オペレーター：ありがとうございます。{product}は{date}に発送予定です。",
    ),
    (
        "account_change",
        "オペレーター：{shop}カスタマーセンター、{last}です。\n"
        "お客様：住所の変更をお願いしたいのですが。{kanji_full}です。\n"
        "オペレーター：ご本人確認のため生年月日をお願いします。\n"
        "お客様：{dob}です。\n"
        "オペレーター：新しいご住所をお願いします。\n"
        "お客様：{postal}、{address}です。",
    ),
    (
        "payment",
        "オペレーター：{full}様でいらっしゃいますか。{shop}の{last}と申します。\n"
        "お客様：はい。\n"
        "オペレーター：ご注文{order}のお支払いが完了しておりません。"
        "別のカードをご利用になりますか。\n"
        "お客様：じゃあ{card}でお願いします。",
    ),
)

SOCIAL: tuple[tuple[str, str], ...] = (
    (
        "delivery",
        "@{shop} 注文{order}が2週間たっても届きません！伝票番号{track}は配達済みになってる…"
        "DMしました。メールは{email}です",
    ),
    (
        "order_issue",
        "{shop}さん、またサイズ違いが届いた😤 注文番号{order}。{phone}に電話ください。{full}",
    ),
    (
        "refund",
        "{shop}の返金{price}まだ来ない。{last}さんという担当の方に電話したのに…",
    ),
    (
        "order_issue",
        "{shop}で買った{product}最高！写真→{url_}（{price}）",
    ),
)
