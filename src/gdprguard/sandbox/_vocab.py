"""Fixed vocabulary for the generator: text templates, cities, products, user agents.

Slots in templates: ``{name}``, ``{first}``, ``{email}``, ``{phone}``, ``{address}``, ``{card}``,
``{mynumber}``, ``{postal}``, ``{ip}``, ``{other_name}``, ``{other_email}``, ``{other_phone}``
carry personal data (see ``SLOT_TYPES``); ``{order}`` and ``{product}`` do not. The ``other_``
slots mention another person than the requester (a colleague); ``OTHER_PHONE_VARIANTS`` gives a
template's wording that also gives that person's phone number, used when they have one.
"""

from __future__ import annotations

__all__ = [
    "CITIES_EN",
    "CITIES_JA",
    "CLIENTS",
    "EN_AGENT",
    "EN_CUSTOMER",
    "EN_NOTE",
    "EN_SUBJECTS",
    "JA_AGENT",
    "JA_CUSTOMER",
    "JA_NOTE",
    "JA_SUBJECTS",
    "OTHER_PHONE_VARIANTS",
    "PRODUCTS",
    "SLOT_TYPES",
    "TAGS",
    "US_AREA_CODES",
]

SLOT_TYPES: dict[str, str] = {
    "name": "PERSON",
    "first": "PERSON",
    "other_name": "PERSON",
    "email": "EMAIL_ADDRESS",
    "other_email": "EMAIL_ADDRESS",
    "other_phone": "PHONE_NUMBER",
    "phone": "PHONE_NUMBER",
    "address": "LOCATION",
    "card": "CREDIT_CARD",
    "mynumber": "JP_MY_NUMBER",
    "postal": "JP_POSTAL_CODE",
    "ip": "IP_ADDRESS",
}

_EN_COLLEAGUE = (
    "Hi,\n\nMy colleague {other_name} ({other_email}) will handle this from now on. "
    "Please copy them on replies.\n\nThanks,\n{first}"
)
_JA_COLLEAGUE = "同僚の{other_name}さん（{other_email}）にも共有してください。\n\n{name}"

EN_CUSTOMER: tuple[str, ...] = (
    "Hello,\n\nMy name is {name} and I placed order {order} last week. It still hasn't arrived. "
    "You can reach me at {phone} or {email}.\n\nThanks,\n{name}",
    "Hi team,\n\nI was charged twice on my card {card} for order {order}. "
    "Please refund the duplicate charge.\n\nBest,\n{first}",
    "Hi,\n\nPlease update my shipping address to {address}. My phone number is {phone}.\n\n{name}",
    "Hello support,\n\nI can't log in since yesterday. I'm connecting from {ip} if that helps. "
    "My account email is {email}.\n\nRegards,\n{name}",
    _EN_COLLEAGUE,
    "The {product} I bought stopped working. Could someone call me back at {phone}? "
    "I'm usually available after 5pm.\n\n{name}\n{address}",
    "hey, it's {first} again. still waiting on a reply about {order}",
    "Please delete all my personal data, including my email {email} and phone {phone}. "
    "I no longer want an account.\n\n{name}",
    "Hi,\n\nthe {product} arrived damaged. Photos attached. Ship the replacement to "
    "{address} please.\n\n{first}",
)

EN_AGENT: tuple[str, ...] = (
    "Hi {first},\n\nThanks for reaching out. I've looked into order {order} and a replacement "
    "is on its way.\n\nBest regards,\nThe Support Team",
    "Hello {name},\n\nWe've updated the phone number on your account to {phone}. "
    "Let us know if anything else needs changing.\n\nKind regards,\nSupport",
    "Hi {first},\n\nThe refund has been issued. It may take 5-10 business days to appear on "
    "your statement.\n\nSupport Team",
    "Hi {first}, I've sent the return label to {email}. Please ship the item back within 14 days.",
    "Hello,\n\nCould you confirm the order number and the email address on the account?"
    "\n\nThanks,\nSupport",
)

EN_NOTE: tuple[str, ...] = (
    "Customer verified identity by phone ({phone}). Address on file: {address}.",
    "Called {name} at {phone}, no answer. Will retry tomorrow.",
    "Suspicious login from {ip}; asked the customer to reset the password.",
    "Card {card} flagged by the payment provider, escalated to billing.",
    "Escalated to tier 2, see order {order}.",
)

JA_CUSTOMER: tuple[str, ...] = (
    "お世話になっております。{name}と申します。\n注文番号{order}の商品がまだ届いておりません。"
    "\n電話番号：{phone}\nメール：{email}\nよろしくお願いいたします。",
    "いつもお世話になっております。\n住所変更をお願いします。新しい住所は〒{postal} {address}です。"
    "\n\n{name}",
    "マイナンバーの提出が必要とのことで、番号は{mynumber}です。ご確認ください。\n\n{name}",
    "クレジットカード（{card}）で二重に請求されています。至急ご確認をお願いします。\n{name}\n{phone}",
    _JA_COLLEAGUE,
    "ログインできません。接続元IPは{ip}です。登録メールアドレスは{email}です。",
    "{name}です。先日の件、{phone}までお電話ください。",
    "{product}が故障しました。交換品は〒{postal} {address}までお送りください。",
)

JA_AGENT: tuple[str, ...] = (
    "{name}様\n\nお問い合わせいただきありがとうございます。\nご注文{order}につきまして、"
    "本日再発送いたしました。\n\nサポートチーム",
    "{name}様\n\nご登録の電話番号を{phone}に変更いたしました。\n\nサポートセンター",
    "{name}様\n\nご返金の手続きが完了しました。反映まで数日かかる場合がございます。",
    "お問い合わせありがとうございます。ご登録のメールアドレス（{email}）宛に詳細をお送りしました。",
)

JA_NOTE: tuple[str, ...] = (
    "本人確認済み（電話：{phone}）。住所：〒{postal} {address}",
    "マイナンバー{mynumber}を受領。取り扱い注意。",
    "{name}様に折り返し電話するも不在。",
    "不審なログイン（{ip}）。パスワード再設定を案内。",
)

#: The colleague templates as written when the colleague has a phone number on record: the
#: mention then names them by name, email address and phone number.
OTHER_PHONE_VARIANTS: dict[str, str] = {
    _EN_COLLEAGUE: "Hi,\n\nMy colleague {other_name} ({other_email}, {other_phone}) will handle "
    "this from now on. Please copy them on replies.\n\nThanks,\n{first}",
    _JA_COLLEAGUE: "同僚の{other_name}さん（{other_email}、電話{other_phone}）にも"
    "共有してください。\n\n{name}",
}

EN_SUBJECTS: tuple[str, ...] = (
    "Order {order} not delivered",
    "Double charge on my card",
    "Change of address",
    "Can't log in",
    "Refund request",
    "Question about {product}",
    "Delete my account",
    "Callback request for {name} ({phone})",
)

JA_SUBJECTS: tuple[str, ...] = (
    "注文{order}が届きません",
    "住所変更のお願い",
    "二重請求について",
    "ログインできません",
    "{product}の故障について",
    "{name}様からの折り返し依頼",
)

PRODUCTS: tuple[str, ...] = (
    "Aurora Kettle",
    "Nimbus Headphones",
    "Kite Router X2",
    "Sora Rice Cooker",
    "Mizu Water Filter",
    "Orbit Smart Lamp",
)

TAGS: tuple[str, ...] = (
    "billing",
    "shipping",
    "refund",
    "login",
    "vip",
    "gdpr",
    "hardware",
    "urgent",
    "returns",
    "account",
)

US_AREA_CODES: tuple[str, ...] = (
    "212", "206", "303", "305", "312", "404", "415", "503", "512", "617", "646", "702", "718",
)  # fmt: skip

# (city, region code, country, latitude, longitude) of real cities: the geolocation Zendesk
# attaches to comments is city-level.
CITIES_EN: tuple[tuple[str, str, str, float, float], ...] = (
    ("San Francisco", "CA", "United States", 37.7749, -122.4194),
    ("Seattle", "WA", "United States", 47.6062, -122.3321),
    ("Austin", "TX", "United States", 30.2672, -97.7431),
    ("Chicago", "IL", "United States", 41.8781, -87.6298),
    ("New York", "NY", "United States", 40.7128, -74.006),
    ("Denver", "CO", "United States", 39.7392, -104.9903),
    ("Portland", "OR", "United States", 45.5152, -122.6784),
)
CITIES_JA: tuple[tuple[str, str, str, float, float], ...] = (
    ("Tokyo", "13", "Japan", 35.6762, 139.6503),
    ("Osaka", "27", "Japan", 34.6937, 135.5023),
    ("Yokohama", "14", "Japan", 35.4437, 139.638),
    ("Sapporo", "01", "Japan", 43.0618, 141.3545),
    ("Fukuoka", "40", "Japan", 33.5902, 130.4017),
    ("Nagoya", "23", "Japan", 35.1815, 136.9066),
)

CLIENTS: tuple[str, ...] = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.2 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
)
