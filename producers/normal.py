"""Everyday customer behaviour, shaped so that it never resembles any fraud pattern.

Each guard below exists for one detection rule; see `docs/fraud_patterns.md`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from producers.geo import LOCAL_JITTER_DEGREES, near
from producers.models import Alert, CardEvent, KycProfile, Login, Transaction
from producers.payees import honest_payee
from producers.pool import Account, Customer
from producers.settings import MIN_SECONDS_BETWEEN_ACCOUNT_TRANSACTIONS
from producers.world import World

# Rule: 8+ card-not-present transactions per card in 5 min. 45 s apart allows at most 7.
MIN_SECONDS_BETWEEN_CARD_CNP = 45.0
# Rule: 3+ failed logins per customer in 60 s. 61 s apart allows at most 2.
MIN_SECONDS_BETWEEN_FAILED_LOGINS = 61.0
# Rule: 2+ alert types per customer in 5 min. Background alerts come one at a time, 10 min apart.
MIN_SECONDS_BETWEEN_NOISE_ALERTS = 600.0
# Look-alike episodes begin this long after they are drawn and normal traffic leaves their account
# alone until this long after they end, so that everyday spending does not add to an episode's
# counts: the longest count window of the rules is the card-not-present spike's 5 min.
LOOKALIKE_QUIET_SECONDS = 300.0
# How often an account is tried before the tick is given up (the pool is saturated).
ACCOUNT_TRIES = 8

CARD_CHANNELS = ("pos", "ecommerce", "atm", "phone", "transfer")
CARD_CHANNEL_WEIGHTS = (55, 25, 8, 2, 10)
LOGIN_FAILURE_PROBABILITY = 0.03
DECLINE_PROBABILITY = 0.02
NOISE_ALERTS: tuple[tuple[str, str, str], ...] = (
    ("merchant_risk", "card_monitoring", "Purchase at a merchant on the watch list"),
    ("large_transfer", "aml_monitoring", "Transfer above the customer's usual range"),
    ("high_value_cnp", "card_monitoring", "Online purchase above the customer's usual spend"),
    ("new_device", "device_risk", "Device fingerprint changed after an app update"),
)


@dataclass(slots=True)
class NormalTraffic:
    """Makes one everyday event at a time and remembers what the guards need.

    Every guard starts as if its event had just happened at the start: a restarted producer
    cannot add to a pattern its previous run began (the first minutes are quieter).
    """

    world: World
    last_transaction: dict[str, float] = field(default_factory=dict)
    last_cnp: dict[str, float] = field(default_factory=dict)
    last_failed_login: dict[str, float] = field(default_factory=dict)
    last_noise_alert: dict[str, float] = field(default_factory=dict)

    def _pick_account(self, seconds: float) -> tuple[Customer, Account] | None:
        rng = self.world.rng
        customers = self.world.customers
        quiet = self.world.quiet
        for _ in range(ACCOUNT_TRIES):
            customer = customers[rng.randrange(len(customers))]
            account = customer.accounts[rng.randrange(len(customer.accounts))]
            last = self.last_transaction.get(account.account_id, 0.0)
            if seconds - last < MIN_SECONDS_BETWEEN_ACCOUNT_TRANSACTIONS:
                continue
            # Inlined World.is_quiet: this is the generator's hottest loop.
            window = quiet.get(account.account_id) if quiet else None
            if window is None or not window[0] <= seconds <= window[1]:
                return customer, account
        return None

    def _amount(self, customer: Customer, channel: str, seconds: float) -> float:
        rng = self.world.rng
        low, high = self.world.structuring_band
        settings = self.world.settings
        # The drift injection: a spend shift from DRIFT_AFTER_MINUTES on (no extra random draw,
        # so the stream before it is the same stream).
        drifted = 0 < settings.drift_after_minutes * 60 <= seconds
        factor = settings.drift_spend_factor if drifted else 1.0
        while True:
            if channel == "atm":
                amount = 20.0 * rng.randint(1, 25)
            else:
                scale = 6.0 if channel == "transfer" else 1.0
                amount = float(customer.typical_spend) * scale * rng.lognormvariate(0.0, 0.8)
            amount = round(max(amount * factor, 1.0), 2)
            if not low <= amount <= high:
                return amount

    def transaction(self, seconds: float) -> Transaction | None:
        picked = self._pick_account(seconds)
        if picked is None:
            return None
        customer, account = picked
        rng = self.world.rng
        card = account.card
        channel = rng.choices(CARD_CHANNELS, CARD_CHANNEL_WEIGHTS)[0] if card else "transfer"
        if channel in ("ecommerce", "phone") and card is not None:
            if seconds - self.last_cnp.get(card.token, 0.0) < MIN_SECONDS_BETWEEN_CARD_CNP:
                channel = "pos"
            else:
                self.last_cnp[card.token] = seconds
        uses_card = channel != "transfer"
        merchant = self.world.merchants[rng.randrange(len(self.world.merchants))]
        latitude, longitude = near(
            rng, customer.home_latitude, customer.home_longitude, LOCAL_JITTER_DEGREES
        )
        device = None
        if channel in ("ecommerce", "phone", "transfer"):
            device = customer.devices[rng.randrange(len(customer.devices))].device_id
        self.last_transaction[account.account_id] = seconds
        event_id = self.world.event_id()
        return Transaction(
            event_id=event_id,
            event_time=self.world.at(seconds),
            customer_id=customer.customer_id,
            account_id=account.account_id,
            card_token=card.token if uses_card and card else None,
            card_last4=card.last4 if uses_card and card else None,
            amount=self.world.money(self._amount(customer, channel, seconds)),
            currency=self.world.settings.currency,
            merchant_id=merchant.merchant_id,
            merchant_name=merchant.name,
            merchant_category=merchant.category,
            channel=channel,
            device_id=device,
            latitude=latitude,
            longitude=longitude,
            city=customer.home.name,
            country=customer.home.country,
            status="declined" if rng.random() < DECLINE_PROBABILITY else "approved",
            counterparty_id=honest_payee(account.account_id, event_id) if not uses_card else None,
        )

    def login(self, seconds: float) -> Login:
        rng = self.world.rng
        customer = self.world.customers[rng.randrange(len(self.world.customers))]
        device = customer.devices[rng.randrange(len(customer.devices))]
        last_failure = self.last_failed_login.get(customer.customer_id, 0.0)
        failed = (
            rng.random() < LOGIN_FAILURE_PROBABILITY
            and seconds - last_failure >= MIN_SECONDS_BETWEEN_FAILED_LOGINS
            and not self.world.is_quiet(customer.customer_id, seconds)
        )
        if failed:
            self.last_failed_login[customer.customer_id] = seconds
        auth_method = rng.choices(("biometric", "password", "otp"), (50, 40, 10))[0]
        latitude, longitude = near(
            rng, customer.home_latitude, customer.home_longitude, LOCAL_JITTER_DEGREES
        )
        return Login(
            event_id=self.world.event_id(),
            event_time=self.world.at(seconds),
            customer_id=customer.customer_id,
            device_id=device.device_id,
            ip_address=device.ip_address,
            latitude=latitude,
            longitude=longitude,
            city=customer.home.name,
            country=customer.home.country,
            auth_method=auth_method,
            success=not failed,
            failure_reason=("bad_otp" if auth_method == "otp" else "bad_password")
            if failed
            else None,
        )

    def card_event(self, seconds: float) -> CardEvent | None:
        rng = self.world.rng
        customer = self.world.customers[rng.randrange(len(self.world.customers))]
        accounts = customer.card_accounts
        if not accounts:
            return None
        account = accounts[rng.randrange(len(accounts))]
        assert account.card is not None  # card_accounts only holds accounts with a card
        event_type = rng.choices(("pin_changed", "limit_changed"), (55, 45))[0]
        return CardEvent(
            event_id=self.world.event_id(),
            event_time=self.world.at(seconds),
            customer_id=customer.customer_id,
            account_id=account.account_id,
            card_token=account.card.token,
            card_last4=account.card.last4,
            event_type=event_type,
            reason="customer_request",
        )

    def noise_alert(self, seconds: float) -> Alert | None:
        rng = self.world.rng
        index = rng.randrange(len(self.world.customers))
        customer = self.world.customers[index]
        last = self.last_noise_alert.get(customer.customer_id, 0.0)
        # Victims get no background alerts: theirs come from the fraud itself.
        if seconds - last < MIN_SECONDS_BETWEEN_NOISE_ALERTS or self.world.is_busy(index, seconds):
            return None
        self.last_noise_alert[customer.customer_id] = seconds
        alert_type, source_system, description = NOISE_ALERTS[rng.randrange(len(NOISE_ALERTS))]
        return Alert(
            event_id=self.world.event_id(),
            event_time=self.world.at(seconds),
            customer_id=customer.customer_id,
            account_id=customer.accounts[0].account_id,
            alert_type=alert_type,
            severity=rng.choice(("low", "medium")),
            source_system=source_system,
            description=description,
        )

    def kyc_profile(self, customer: Customer, seconds: float) -> KycProfile:
        return KycProfile(
            event_id=self.world.event_id(),
            event_time=self.world.at(seconds),
            customer_id=customer.customer_id,
            full_name=customer.full_name,
            date_of_birth=customer.date_of_birth,
            email=customer.email,
            home_city=customer.home.name,
            home_country=customer.home.country,
            home_latitude=customer.home_latitude,
            home_longitude=customer.home_longitude,
            risk_tier=customer.risk_tier,
            kyc_status=customer.kyc_status,
            account_ids=[account.account_id for account in customer.accounts],
            registered_device_ids=[device.device_id for device in customer.devices],
            typical_spend=customer.typical_spend,
            customer_since=customer.customer_since,
        )

    def kyc_review(self, seconds: float) -> KycProfile:
        """A periodic KYC review re-publishes a customer's profile."""
        rng = self.world.rng
        customer = self.world.customers[rng.randrange(len(self.world.customers))]
        return self.kyc_profile(customer, seconds)
