"""English customer-support templates. ``{slot}`` names a method of ``EnValues``."""

from __future__ import annotations

EMAIL_OPENERS: tuple[str, ...] = (
    "Hi {first},\n\n",
    "Hello {first},\n\n",
    "Dear {titled},\n\n",
    "Dear {full},\n\n",
    "Hello,\n\n",
    "Hi there,\n\n",
    "To whom it may concern,\n\n",
    "Dear Customer Service,\n\n",
    "Good morning {first},\n\n",
)

EMAIL_BODIES: tuple[tuple[str, str], ...] = (
    (
        "order_issue",
        "I placed order {order} on {date} for a {product}, but I received the wrong colour. "
        "Could you send the right one to {address}? You can reach me at {phone}.",
    ),
    (
        "order_issue",
        "My name is {full} and my order {order} arrived damaged (the {product} box was crushed). "
        "The invoice {invoice_} says {price}. Please call me on {phone} or email {email}.",
    ),
    (
        "delivery",
        "The tracking number {track} has not moved since {date}. The parcel should go to "
        "{address}. If the courier needs to reach me, my mobile is {phone}.",
    ),
    (
        "delivery",
        "Could you change the delivery address for order {order} to {address}? "
        "I moved last week. The {product} is a gift for {full}, so please don't include the "
        "receipt.",
    ),
    (
        "refund",
        "I returned the {product} (SKU {sku_}) on {date} but I still have not received my "
        "refund of "
        "{price}. I paid with the card {card}. Please refund it to the same card.",
    ),
    (
        "refund",
        "You asked for my bank details for the refund of order {order}: IBAN {iban_}, "
        "account holder {full}. The amount was {price}.",
    ),
    (
        "refund",
        "The refund for invoice {invoice_} went to my old card ending in {last4}. My new card is "
        "{card}, expiry 08/27. Can you redo the refund of {price}?",
    ),
    (
        "account_change",
        "Please update the email on my account from {email} to {email}. My date of birth is {dob} "
        "if you need to verify me.",
    ),
    (
        "account_change",
        "I can't log in. Your system says my account was locked after a login from {ip_} at {ts}, "
        "which wasn't me. My username is the email {email}. DOB: {dob}.",
    ),
    (
        "account_change",
        "Please close my account and delete my data. The account is registered to {full}, "
        "{address}, phone {phone}, born {dob}.",
    ),
    (
        "payment",
        "I was charged twice for order {order} ({price} each) on my card {card}. "
        "My gift card reference {ref16} was not applied either.",
    ),
    (
        "payment",
        "Your payment page kept failing from my IP address {ip_}. I tried the card {card} "
        "three times. "
        "Here is the screenshot: {url_}",
    ),
    (
        "delivery",
        "The courier left my {product} with a neighbour, {full}, at {address}. Tracking "
        "{track}. Nobody asked me; please tell the driver to ring {phone} next time.",
    ),
    (
        "order_issue",
        "I ordered two units of {sku_} on {date} ({price}) and only one arrived. Order {order}, "
        "invoice {invoice_}. My profile is {url_} if it helps.",
    ),
)

EMAIL_CLOSERS: tuple[str, ...] = (
    "\n\nBest regards,\n{full}",
    "\n\nThanks,\n{first}",
    "\n\nKind regards,\n{full}\n{phone}",
    "\n\nSincerely,\n{full}\n{email}",
    "\n\nThank you,\n{full}\nTel: {phone}",
    "\n\nCheers,\n{first}",
    "\n\nRegards,\n{titled}",
    "\n\nThanks in advance.",
)

CHAT: tuple[tuple[str, str], ...] = (
    (
        "order_issue",
        "[{ts}] Agent: Hi, you're chatting with {first} from {shop}. How can I help?\n"
        "[{ts}] Customer: hi my order {order} never came\n"
        "[{ts}] Agent: Sorry about that! Can I have your full name and email?\n"
        "[{ts}] Customer: {full}, {email}\n"
        "[{ts}] Agent: Thanks {first}, I see it was shipped with tracking {track}.",
    ),
    (
        "account_change",
        "[{ts}] Customer: i need to change my phone number on the account\n"
        "[{ts}] Agent: Sure. This is {first}. What's the new number?\n"
        "[{ts}] Customer: {phone} (old one was {phone})\n"
        "[{ts}] Agent: Done! Anything else?\n"
        "[{ts}] Customer: no thanks",
    ),
    (
        "refund",
        "Customer: Hello, I want a refund for the {product}, order {order}\n"
        "Agent ({first#agent}): Of course. Which card did you pay with?\n"
        "Customer: the one ending {last4}, full number {card}\n"
        "Agent ({first#agent}): Please don't share full card numbers here. The refund "
        "of {price} is on its way.",
    ),
    (
        "delivery",
        "[{ts}] Customer: my name is {full}, can you ship to my work address instead? {address}\n"
        "[{ts}] Agent: Sure, updated for order {order}. We'll text {phone} when it's out for "
        "delivery.",
    ),
    (
        "account_change",
        "[{ts}] Customer: someone logged into my account from {ip_}\n"
        "[{ts}] Agent: I'm sorry! To verify, what's your date of birth?\n"
        "[{ts}] Customer: {dob}\n"
        "[{ts}] Agent: Thank you, {first}. I've reset your password and emailed {email}.",
    ),
)

PHONE: tuple[tuple[str, str], ...] = (
    (
        "order_issue",
        "Agent: Thank you for calling {shop}, my name is {first#agent}. How can I help you today?\n"
        "Caller: Hi {first#agent}, this is {full}. I'm calling about order {order}.\n"
        "Agent: Can I get a callback number in case we get cut off?\n"
        "Caller: Sure, it's {phone}.\n"
        "Agent: Thanks. I see the {product} was delayed; it ships on {date}.",
    ),
    (
        "account_change",
        "Agent: {shop}, {first} speaking.\n"
        "Caller: Hello, my name is {full}. I'd like to update my address.\n"
        "Agent: Certainly. For security, can you confirm your date of birth?\n"
        "Caller: {dob}.\n"
        "Agent: Thank you. And the new address?\n"
        "Caller: {address}.",
    ),
    (
        "refund",
        "Agent: Thanks for holding, {titled}. I have your refund request for invoice {invoice_}.\n"
        "Caller: Yes, I'd like it paid to my bank account, IBAN {iban_}.\n"
        "Agent: Noted. You'll get a confirmation at {email}.",
    ),
    (
        "payment",
        "Agent: Hi, this is {first} with billing. Am I speaking with {full}?\n"
        "Caller: Yes.\n"
        "Agent: The payment for order {order} was declined. Would you like to use another card?\n"
        "Caller: Please use {card}.\n"
        "Agent: Thank you, that went through. The total was {price}.",
    ),
)

SOCIAL: tuple[tuple[str, str], ...] = (
    (
        "delivery",
        "@{shop} order {order} still not here after 2 weeks!! tracking {track} says delivered. "
        "DM'd you, my email is {email}",
    ),
    (
        "order_issue",
        "Hey {shop}, wrong size again 😤 Order {order}. Can someone call me at {phone}? - {first}",
    ),
    (
        "refund",
        "Still waiting on my {price} refund from {shop}. Invoice {invoice_}. This is {full}, "
        "reply here or email {email}",
    ),
    (
        "account_change",
        "@{shop} your app locked me out after a login from {ip_}?? I'm {full}, pls help",
    ),
    (
        "order_issue",
        "Loving my new {product} from {shop}! Photos here {url_} (sku {sku_}, paid {price})",
    ),
)
