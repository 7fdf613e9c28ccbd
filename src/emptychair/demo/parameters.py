"""The generating parameters of the demo company, written to the ground truth.

Every random choice of the generator is driven by one of these values, so an analysis
run on the demo files can be compared with the truth it should recover: the purchase
process (BG/NBD), the spend process (Gamma-Gamma), the contact-centre teams and their
resolution rates, the injected frictions, the visitor conversion rate and the model
that turns experiences into survey scores.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class BgNbdParameters:
    """BG/NBD purchase process (Fader, Hardie and Lee, 2005), time unit one week.

    Each person has a purchase rate ``lambda ~ Gamma(shape r, rate alpha)`` per week
    and a drop-out probability ``p ~ Beta(a, b)``. The first purchase happens when
    the customer record is created; repeat purchases follow a Poisson process of rate
    ``lambda`` and after each repeat purchase the person becomes inactive for ever with
    probability ``p``. The defaults are the published CDNOW estimates.
    """

    r: float = 0.24
    alpha: float = 4.41
    a: float = 0.79
    b: float = 2.43
    time_unit: str = "week"


@dataclass(frozen=True)
class GammaGammaParameters:
    """Gamma-Gamma spend process (Fader, Hardie and Lee, 2005), in euros.

    Each person has ``nu ~ Gamma(shape q, rate gamma)``; each order's amount is
    ``z ~ Gamma(shape p, rate nu)``, so a person's expected spend is ``p / nu`` and the
    population mean spend per order is ``p * gamma / (q - 1)``.
    """

    p: float = 6.0
    q: float = 4.0
    gamma: float = 35.0
    currency: str = "EUR"

    @property
    def mean_spend(self) -> float:
        """Population mean amount of one order."""
        return self.p * self.gamma / (self.q - 1.0)


@dataclass(frozen=True)
class TeamProfile:
    """One customer-service team: its size, productivity and resolution.

    ``routing_share`` is the share of first-level contacts of ``channel`` the team
    answers. ``first_contact_resolution`` is the probability that one of its contacts
    settles the customer's issue.
    """

    name: str
    channel: str
    agents: int
    contacts_per_agent_hour: float
    average_handle_time_s: float
    first_contact_resolution: float
    routing_share: float
    level: int = 1
    outsourced: bool = False


TEAMS: tuple[TeamProfile, ...] = (
    TeamProfile("CC Lille", "phone", 34, 6.0, 480.0, 0.80, 0.40),
    TeamProfile("CC Nantes", "phone", 28, 6.4, 450.0, 0.77, 0.30),
    # Very productive (short calls, many per hour) but settles barely half the issues:
    # the case a balanced scorecard must warn about.
    TeamProfile("Express Relation", "phone", 18, 15.3, 200.0, 0.52, 0.30, outsourced=True),
    TeamProfile("Niveau 2", "phone", 8, 4.0, 720.0, 0.85, 0.0, level=2),
    TeamProfile("Chat", "chat", 12, 10.7, 540.0, 0.70, 1.0),
    TeamProfile("Back-office e-mail", "email", 10, 9.6, 300.0, 0.72, 1.0),
)


@dataclass(frozen=True)
class FrictionParameters:
    """How contact journeys unfold and which frictions are injected into them.

    A contact is unresolved with probability ``1 - first_contact_resolution`` of the
    team that handled it; an unresolved phone contact is transferred to the level-2
    team with probability ``transfer_share``. After an unresolved or abandoned contact
    the customer contacts the company again for the same reason within seven days
    with probability ``recontact_if_unresolved`` (``recontact_if_abandoned``), up to
    ``max_contacts`` contacts. Phone waits are log-normal with median
    ``wait_median_s`` (multiplied by ``peak_wait_multiplier`` from 20 November to
    31 December) and the caller hangs up with probability
    ``abandon_max * (1 - exp(-wait / abandon_scale_s))``. A wait above
    ``long_wait_s`` is a long wait. ``web_to_phone_share`` of phone-first journeys
    whose reason is one of ``web_to_phone_reasons`` start with a web or app step that
    ends in ``error`` less than 24 hours before the call; of all such web errors,
    ``web_error_followed_by_call`` are followed by a call.
    """

    order_contact_rate: float = 0.12
    spontaneous_contacts_per_year: float = 0.15
    first_channels: tuple[tuple[str, float], ...] = (
        ("phone", 0.55),
        ("email", 0.25),
        ("chat", 0.2),
    )
    order_reasons: tuple[tuple[str, float], ...] = (
        ("delivery", 0.45),
        ("refund", 0.2),
        ("product", 0.2),
        ("billing", 0.15),
    )
    spontaneous_reasons: tuple[tuple[str, float], ...] = (
        ("account", 0.5),
        ("billing", 0.3),
        ("product", 0.2),
    )
    recontact_if_unresolved: float = 0.85
    recontact_if_abandoned: float = 0.9
    recontact_on_phone: float = 0.7
    max_contacts: int = 3
    transfer_share: float = 0.3
    wait_median_s: float = 90.0
    wait_sigma: float = 0.9
    peak_wait_multiplier: float = 4.0
    long_wait_s: float = 600.0
    abandon_max: float = 0.6
    abandon_scale_s: float = 900.0
    web_to_phone_share: float = 0.3
    web_to_phone_reasons: tuple[str, ...] = ("delivery", "refund", "account", "billing")
    web_error_followed_by_call: float = 0.6

    def long_wait_probability(self, peak: bool) -> float:
        """Probability that one call waits longer than ``long_wait_s``."""
        median = self.wait_median_s * (self.peak_wait_multiplier if peak else 1.0)
        z = (math.log(self.long_wait_s) - math.log(median)) / self.wait_sigma
        return 0.5 * math.erfc(z / math.sqrt(2.0))

    def expected_repeat_rate(self, team: TeamProfile, level_two: TeamProfile) -> float:
        """Share of a first-level team's answered contacts followed by a repeat contact."""
        unresolved = 1.0 - team.first_contact_resolution
        if team.channel == "phone":
            unresolved *= 1.0 - self.transfer_share * level_two.first_contact_resolution
        return unresolved * self.recontact_if_unresolved


@dataclass(frozen=True)
class WebParameters:
    """Web and app visits, store visits and outbound campaign e-mails.

    ``journey_share_of_online_orders`` of web and app orders come with the tracked
    browsing journey that led to them (visit, search, cart, checkout). Anonymous
    visitors who never buy are added so that exactly ``visitor_conversion_rate`` of
    all visitors (rounded) make a purchase. Campaign e-mails go each month to
    ``campaign_share`` of the customers who consented to e-mail at the time, plus a
    known handful (on average ``campaign_consent_violation_share`` of the sends) who had
    not.
    """

    journey_share_of_online_orders: float = 0.12
    visitor_conversion_rate: float = 0.18
    store_visit_share_of_store_orders: float = 0.5
    browsing_store_visits_per_purchase_visit: float = 0.3
    campaign_share: float = 0.1
    campaign_consent_violation_share: float = 0.003


@dataclass(frozen=True)
class ScoreModel:
    """How an experience becomes a survey score.

    ``u = intercept + sentiment * S + repeat_contact * R + long_wait * W
    + web_to_phone * H + noise``, with ``S`` the mean polarity of the experienced
    themes (+1 positive, -1 negative), ``R``, ``W``, ``H`` the 0/1 friction flags and
    ``noise ~ Normal(0, noise_sd)``. The score is
    ``round(low + (high - low) / (1 + exp(-u)))`` on the survey's scale (NPS 0-10,
    CSAT 1-5, CES 1-7 where 7 means "very easy"). Post-contact surveys use the flags of
    the contact journey; post-order NPS uses whether the customer had such a friction
    at any time before answering.
    """

    intercept: float = 0.9
    sentiment: float = 1.6
    repeat_contact: float = -1.2
    long_wait: float = -0.6
    web_to_phone: float = -0.5
    noise_sd: float = 0.6
    scales: tuple[tuple[str, int, int], ...] = (("nps", 0, 10), ("csat", 1, 5), ("ces", 1, 7))


@dataclass(frozen=True)
class SurveyParameters:
    """Who answers surveys, what their answers are about and how complaints arise.

    After a contact journey (answered with probability ``contact_response_rate``, CSAT
    with probability ``contact_csat_share``, else CES) the main theme is the contact's
    reason: negative when the journey was unresolved or needed a repeat contact,
    positive otherwise, flipped with probability ``polarity_noise``. A second theme
    (probability ``two_theme_share``) is the waiting time when the wait was long
    (negative) or, for ``wait_theme_share_on_phone`` of other phone journeys, short
    (positive); otherwise the staff, positive with probability
    ``positive_staff_share`` (``positive_staff_share_after_failure`` after a failed
    journey). After an order (NPS with probability ``order_nps_rate``) each of one or
    two themes of the order's channel is positive with probability
    ``positive_theme_share``, or ``positive_theme_share_after_friction`` when the
    customer needed a repeat contact before answering. In the last
    ``emerging_theme_days`` of the history, ``emerging_theme_share`` of the web and app
    order answers are about the new gift cards only (a theme the taxonomy does not know),
    positive with probability ``emerging_theme_positive_share``.
    """

    contact_response_rate: float = 0.3
    contact_csat_share: float = 0.6
    order_nps_rate: float = 0.12
    text_share: float = 0.55
    two_theme_share: float = 0.35
    closing_sentence_share: float = 0.35
    accents_stripped_share: float = 0.2
    polarity_noise: float = 0.1
    wait_theme_share_on_phone: float = 0.4
    positive_staff_share: float = 0.75
    positive_staff_share_after_failure: float = 0.35
    positive_theme_share: float = 0.7
    positive_theme_share_after_friction: float = 0.4
    emerging_theme_days: int = 150
    emerging_theme_share: float = 0.3
    emerging_theme_positive_share: float = 0.2
    complaint_rate_after_failed_journey: float = 0.25
    complaint_rate_per_order: float = 0.005
    complaint_reopened_share: float = 0.04


@dataclass(frozen=True)
class PracticeParameters:
    """The planted harmful practice: outbound upsell calls (``UPS-<month>``).

    In each of ``months`` consecutive months, the first of which is
    ``first_month_before_end`` months before the last month of the history, every CRM
    customer unknown to the shops who consents to phone calls and was not called yet is
    called with
    probability ``share_called``, on one of the first ``call_days`` days of the month.
    A call leads to an extra phone order 2 to 25 days later with probability
    ``extra_order``, to a complaint 35 to 170 days later with probability
    ``complaint``, to the withdrawal of an e-mail consent given at sign-up 35 to 170 days
    later with probability ``unsubscribe``, and with probability ``lapse`` to no
    purchase at all from 45 days after the call on.
    """

    campaign_prefix: str = "UPS"
    first_month_before_end: int = 13
    months: int = 4
    call_days: int = 20
    share_called: float = 0.2
    extra_order: float = 0.45
    complaint: float = 0.12
    unsubscribe: float = 0.3
    lapse: float = 0.25


@dataclass(frozen=True)
class DemoParameters:
    """Everything that decides the content of one demo company."""

    customers: int
    seed: int
    end: date
    shop_duplicate_share: float = 0.03
    shop_only_share: float = 0.04
    history_years: int = 3
    bgnbd: BgNbdParameters = field(default_factory=BgNbdParameters)
    gamma_gamma: GammaGammaParameters = field(default_factory=GammaGammaParameters)
    teams: tuple[TeamProfile, ...] = TEAMS
    frictions: FrictionParameters = field(default_factory=FrictionParameters)
    web: WebParameters = field(default_factory=WebParameters)
    score: ScoreModel = field(default_factory=ScoreModel)
    surveys: SurveyParameters = field(default_factory=SurveyParameters)
    practice: PracticeParameters = field(default_factory=PracticeParameters)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, with derived quantities useful to check an analysis."""
        data = asdict(self)
        data["end"] = self.end.isoformat()
        data["gamma_gamma"]["mean_spend"] = self.gamma_gamma.mean_spend
        data["bgnbd"]["mean_weekly_rate"] = self.bgnbd.r / self.bgnbd.alpha
        data["bgnbd"]["mean_dropout_probability"] = self.bgnbd.a / (self.bgnbd.a + self.bgnbd.b)
        level_two = next(t for t in self.teams if t.level == 2)
        data["frictions"]["expected_repeat_rate_per_team"] = {
            t.name: self.frictions.expected_repeat_rate(t, level_two)
            for t in self.teams
            if t.level == 1
        }
        data["frictions"]["long_wait_probability"] = {
            "normal": self.frictions.long_wait_probability(peak=False),
            "peak": self.frictions.long_wait_probability(peak=True),
        }
        return data
