"""The embedded demo account: a deterministic, realistic amoCRM account dump.

:func:`generate` builds an *account dump* (see :mod:`crmreports.sources.mapping`) whose records have the shape
of the real amoCRM API v4 JSON: a small equipment supplier («ТехноСнаб») with two sales teams, two
pipelines, two years of deals with seasonality and growth, stage history as events, incoming
(unsorted) leads, call notes and tasks. :func:`.demo_store.load_demo` maps it with the same code a live sync
uses and writes the store.

Everything derives from the arguments: the same ``seed``, ``as_of``, ``n_deals`` and ``months`` give
an identical dump. Every event time is strictly before ``as_of`` (midnight, Europe/Moscow); the only
timestamps that may lie after it are deadlines of open tasks (``complete_till``) and the
``closest_task_at`` of leads derived from them, as on a real account.

Local time is Moscow time, UTC+3 without daylight saving (true since October 2014).
"""

from __future__ import annotations

import base64
import datetime as dt
import heapq
import logging
import math
import random
from dataclasses import dataclass, field

import numpy as np

from . import mapping

log = logging.getLogger("crmreports.demo")

TIMEZONE = "Europe/Moscow"
MSK_OFFSET = 3 * 3600
DAY = 86400
HOUR = 3600
WORK_START, WORK_END = 9 * HOUR, 19 * HOUR

ACCOUNT_ID = 31874512
SUBDOMAIN = "tehnosnab"
BASE_URL = f"https://{SUBDOMAIN}.amocrm.ru"
SYSTEM_USER = 0  # created_by of records made by robots and integrations

WON, LOST = mapping.WON_STATUS_ID, mapping.LOST_STATUS_ID

# --------------------------------------------------------------------------------------------------
# Reference data
# --------------------------------------------------------------------------------------------------

GROUPS = [(0, "Отдел продаж"), (418201, "Отдел продаж 1"), (418202, "Отдел продаж 2")]


@dataclass(frozen=True)
class ManagerSpec:
    """A manager's profile: how they sell, call and handle incoming leads."""

    name: str
    login: str
    group: int  # index into GROUPS
    win: float  # base probability of winning a deal
    cycle_days: float  # median days from start to won
    price: float  # multiplier of the deal budget
    calls: float  # multiplier of call volume
    reply_min: float  # median minutes to take an incoming lead / make the first call
    callback: float  # probability of calling back a missed inbound call
    tasks: float  # probability of keeping an open task on an open deal
    share: float  # relative share of new deals
    role: str = ""  # "admin", "left" (deactivated), "new" (joined recently), "quiet" (few calls)


MANAGERS = [
    ManagerSpec("Анна Смирнова", "a.smirnova", 1, 0.29, 18, 1.25, 1.4, 6, 0.95, 0.9, 1.3, "admin"),
    ManagerSpec("Дмитрий Козлов", "d.kozlov", 1, 0.23, 24, 1.10, 1.8, 15, 0.90, 0.85, 1.2),
    ManagerSpec("Екатерина Волкова", "e.volkova", 1, 0.20, 30, 1.00, 1.0, 40, 0.80, 0.8, 1.0),
    ManagerSpec("Игорь Соколов", "i.sokolov", 1, 0.25, 42, 1.65, 0.9, 90, 0.85, 0.75, 0.9),
    ManagerSpec("Мария Новикова", "m.novikova", 1, 0.17, 14, 0.80, 1.2, 30, 0.70, 0.7, 1.0),
    ManagerSpec("Сергей Морозов", "s.morozov", 1, 0.13, 20, 0.90, 0.7, 180, 0.50, 0.5, 0.9, "left"),
    ManagerSpec("Ольга Павлова", "o.pavlova", 2, 0.21, 11, 0.70, 2.0, 4, 0.90, 0.9, 1.2),
    ManagerSpec("Алексей Лебедев", "a.lebedev", 2, 0.18, 22, 0.95, 1.5, 25, 0.80, 0.8, 1.0),
    ManagerSpec("Наталья Егорова", "n.egorova", 2, 0.27, 36, 1.40, 1.1, 60, 0.90, 0.85, 0.9),
    ManagerSpec("Павел Кузнецов", "p.kuznetsov", 2, 0.10, 16, 0.75, 0.03, 240, 0.40, 0.45, 0.8, "quiet"),
    ManagerSpec("Юлия Фёдорова", "y.fedorova", 2, 0.20, 45, 1.20, 1.0, 120, 0.75, 0.7, 0.9),
    ManagerSpec("Артём Васильев", "a.vasiliev", 2, 0.13, 10, 0.85, 1.3, 12, 0.80, 0.8, 1.1, "new"),
]


# Task discipline per manager (issue #15), by login: (share of a live deal's overdue last task that the manager
# keeps on time instead, share of live deals whose last task was completed with no next step set). The demo's
# overdue tasks and deals without a task differ by manager accordingly.
TASK_DISCIPLINE = {
    "a.smirnova": (0.80, 0.05),
    "d.kozlov": (0.60, 0.10),
    "e.volkova": (0.50, 0.15),
    "i.sokolov": (0.25, 0.25),
    "m.novikova": (0.40, 0.20),
    "s.morozov": (0.00, 0.30),
    "o.pavlova": (0.85, 0.05),
    "a.lebedev": (0.50, 0.15),
    "n.egorova": (0.70, 0.10),
    "p.kuznetsov": (0.15, 0.35),
    "y.fedorova": (0.30, 0.25),
    "a.vasiliev": (0.60, 0.20),
}


@dataclass(frozen=True)
class PipelineSpec:
    key: str
    id: int
    name: str
    stages: tuple[str, ...]  # open stages in funnel order
    status_base: int  # first 8-digit status id
    unsorted: bool  # has an «Неразобранное» status
    loss_weights: tuple[float, ...]
    median_price: float
    win_mult: float
    cycle_mult: float


MAIN = PipelineSpec(
    "main",
    7854210,
    "Продажи",
    (
        "Первичный контакт",
        "Квалификация",
        "Встреча назначена",
        "Встреча проведена",
        "Коммерческое предложение",
        "Согласование договора",
        "Счёт выставлен",
    ),
    64812010,
    True,
    (0.30, 0.22, 0.12, 0.09, 0.13, 0.09, 0.05),
    95_000,
    1.0,
    1.0,
)
REPEAT = PipelineSpec(
    "repeat",
    7854318,
    "Повторные продажи",
    ("Новый запрос", "Выявление потребности", "КП отправлено", "Согласование условий", "Счёт выставлен"),
    64815120,
    False,
    (0.30, 0.25, 0.20, 0.15, 0.10),
    55_000,
    1.6,
    0.6,
)
PIPELINES = (MAIN, REPEAT)
MEETING_STAGE = "Встреча назначена"

# name, weight at an early stage, weight at a late stage
LOSS_REASONS = [
    ("Дорого", 0.05, 0.30),
    ("Выбрали конкурента", 0.05, 0.25),
    ("Пропала потребность", 0.20, 0.12),
    ("Не дозвонились", 0.30, 0.02),
    ("Нецелевой запрос", 0.22, 0.01),
    ("Не устроили сроки поставки", 0.05, 0.12),
    ("Нет бюджета", 0.10, 0.15),
    ("Дубль", 0.03, 0.03),
]


@dataclass(frozen=True)
class SourceSpec:
    name: str
    external_id: str
    volume: float
    win: float
    price: float
    unsorted: tuple[tuple[str, float], ...]  # (category, probability that a deal arrives as unsorted)
    inbox: str  # unsorted source_name


SOURCES = [
    SourceSpec("Сайт", "site", 0.27, 1.00, 1.00, (("forms", 0.30), ("mail", 0.06)), "Форма на сайте tehnosnab.ru"),
    SourceSpec("Яндекс Директ", "yandex_direct", 0.22, 0.85, 0.90, (("forms", 0.32),), "Лендинг Яндекс Директ"),
    SourceSpec("Входящий звонок", "phone", 0.16, 1.15, 1.00, (("sip", 0.60),), "Mango Office"),
    SourceSpec("Рекомендация", "referral", 0.10, 1.70, 1.20, (("mail", 0.06),), "info@tehnosnab.ru"),
    SourceSpec("Авито", "avito", 0.11, 0.60, 0.60, (("chats", 0.42),), "Авито"),
    SourceSpec("VK Реклама", "vk_ads", 0.09, 0.55, 0.75, (("forms", 0.15), ("chats", 0.17)), "VK Реклама"),
    SourceSpec("Выставка", "expo", 0.05, 1.30, 1.50, (), ""),
]
REPEAT_SOURCES = (("Входящий звонок", 0.45), ("Рекомендация", 0.25), ("Сайт", 0.30))

TAGS = {"VIP": 301101, "опт": 301102, "повторный": 301103, "тендер": 301104}

TASK_FOLLOW_UP, TASK_MEETING, TASK_CALL = 1, 2, 3
TASK_TEXT = {
    TASK_FOLLOW_UP: [
        "Связаться с клиентом",
        "Отправить КП",
        "Уточнить решение по договору",
        "Проконтролировать оплату",
        "Согласовать условия поставки",
    ],
    TASK_MEETING: ["Встреча с клиентом", "Демонстрация оборудования", "Встреча в офисе клиента"],
    TASK_CALL: ["Позвонить клиенту", "Перезвонить по заявке", "Уточнить потребность по телефону"],
}
TASK_RESULT = {
    TASK_FOLLOW_UP: [
        "Клиент получил информацию, ждёт КП",
        "Договорились созвониться на следующей неделе",
        "Отправлено письмо с условиями",
        "Клиент думает, напомнить через неделю",
    ],
    TASK_MEETING: ["Встреча проведена, клиент заинтересован", "Провели демонстрацию", "Встреча перенесена"],
    TASK_CALL: ["Дозвонился, потребность подтверждена", "Не дозвонился, повторить", "Назначена встреча"],
}
CALL_RESULT = {
    1: "Оставил сообщение",
    2: "Перезвонить позже",
    3: "Нет на месте",
    4: "Разговор состоялся",
    5: "Неверный номер",
    6: "Не дозвонился",
    7: "Номер занят",
    8: "Не определено",
}
OUT_CALL_STATUS = ((4, 0.62), (6, 0.22), (7, 0.07), (3, 0.05), (1, 0.02), (5, 0.01), (2, 0.01))

PRODUCTS = [
    "Поставка оборудования",
    "Монтаж и пусконаладка",
    "Сервисный договор",
    "Запчасти",
    "Обучение персонала",
    "Модернизация линии",
    "Расходные материалы",
    "Аренда оборудования",
]
COMPANY_WORDS = [
    "Альфа",
    "Вектор",
    "Гранит",
    "Север",
    "Меридиан",
    "Прогресс",
    "Техно",
    "Строй",
    "Агро",
    "Урал",
    "Волга",
    "Сибирь",
    "Эталон",
    "Орион",
    "Ресурс",
    "Импульс",
]
COMPANY_SUFFIX = ["Трейд", "Пром", "Сервис", "Групп", "Снаб", "Маш", "Лайн", "Холдинг"]
FIRST_NAMES = [
    "Андрей",
    "Елена",
    "Михаил",
    "Татьяна",
    "Владимир",
    "Ирина",
    "Николай",
    "Светлана",
    "Роман",
    "Людмила",
    "Евгений",
    "Галина",
    "Константин",
    "Вера",
    "Олег",
    "Марина",
]
# contacts' surnames (a woman's form adds "а"); FIRST_NAMES alternate a man's and a woman's name
SURNAMES = ["Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов", "Новиков", "Волков"]
CHAT_TEXTS = [
    "Здравствуйте, ещё актуально?",
    "Какая цена с доставкой?",
    "Есть в наличии?",
    "Можно счёт на юрлицо?",
    "Пришлите прайс, пожалуйста",
]
MAIL_SUBJECTS = [
    "Запрос коммерческого предложения",
    "Заявка на поставку",
    "Вопрос по оборудованию",
    "Прошу выставить счёт",
]

SEASON = np.array([0.65, 0.95, 1.20, 1.05, 0.78, 0.95, 0.90, 0.90, 1.05, 1.10, 1.22, 1.15])
YEARLY_GROWTH = 1.25
REPEAT_SHARE = 0.17  # new deals that go to the repeat pipeline (when there are past winners)
RETURNING_SHARE = 0.06  # main-pipeline deals from an existing contact
STALE_SHARE = 0.015  # deals that get stuck and are never closed
DECLINE_SHARE = 0.13  # unsorted items declined
DUPLICATE_SHARE = 0.004  # manual deals deleted as duplicates
HANDOVER_SHARE = 0.006  # deals handed to a colleague mid-way
SWITCH_SHARE = 0.012  # main deals moved to the repeat pipeline
SKIP_P, BACK_P = 0.10, 0.05
CONTACT_CALL_SHARE = 0.40  # calls logged on the contact rather than on the deal


# --------------------------------------------------------------------------------------------------
# Time helpers
# --------------------------------------------------------------------------------------------------


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, k: int) -> dt.date:
    """First day of the month ``k`` months after ``day``'s month."""
    y, m = divmod(day.month - 1 + k, 12)
    return dt.date(day.year + y, m + 1, 1)


def moscow_midnight(day: dt.date) -> int:
    """Unix seconds of 00:00 Moscow time on ``day``."""
    return (day - dt.date(1970, 1, 1)).days * DAY - MSK_OFFSET


def _weekday(t: int) -> int:
    return ((t + MSK_OFFSET) // DAY + 3) % 7  # 1970-01-01 was a Thursday


# --------------------------------------------------------------------------------------------------
# Runtime state
# --------------------------------------------------------------------------------------------------


@dataclass
class Manager:
    spec: ManagerSpec
    id: int
    group_id: int
    active_from: int
    active_to: int

    def active(self, t: int) -> bool:
        return self.active_from <= t < self.active_to


@dataclass
class Deal:
    """One simulated deal before it is turned into API records."""

    id: int
    created: int
    pipe: PipelineSpec
    source: SourceSpec
    contact: int
    owners: list  # [(since, Manager)]
    price: int
    tags: list
    category: str | None = None  # unsorted category, None for deals created by hand
    created_by: int = 0
    moves: list = field(default_factory=list)  # [(t, (pipe, status_id) before, (pipe, status_id) after)]
    start: int = 0  # when work on the deal begins (creation or acceptance)
    status: tuple = ()  # current (pipe, status_id)
    closed_at: int | None = None
    loss_reason: int | None = None
    deleted_at: int | None = None
    outcome: str = "open"  # open, won, lost, pending, declined, duplicate
    updated_at: int = 0
    updated_by: int = 0
    closest_task_at: int | None = None

    def owner_at(self, t: int) -> Manager:
        owner = self.owners[0][1]
        for since, m in self.owners[1:]:
            if t >= since:
                owner = m
        return owner

    @property
    def owner(self) -> Manager:
        return self.owners[-1][1]

    def touch(self, t: int, user: int) -> None:
        if t >= self.updated_at:
            self.updated_at, self.updated_by = t, user


# --------------------------------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------------------------------


class _Generator:
    """Simulates the account deal by deal in creation order and collects API records."""

    def __init__(self, seed: int, as_of: dt.date, n_deals: int, months: int):
        self.rng = np.random.default_rng(seed)
        self.rnd = random.Random(int(self.rng.integers(2**62)))
        self.as_of, self.n_deals, self.months = as_of, n_deals, months
        self.first_day = add_months(as_of, -months)
        self.begin, self.end = moscow_midnight(self.first_day), moscow_midnight(as_of)
        self.managers = self._managers()
        self.status_ids = self._status_ids()
        self.sources = {s.name: (i, s) for i, s in enumerate(SOURCES)}
        self.source_ids = {s.name: 5820011 + 7 * i for i, s in enumerate(SOURCES)}
        self.reason_ids = [9210301 + 13 * i for i in range(len(LOSS_REASONS))]
        self.deals: list[Deal] = []
        self.events: list[tuple] = []  # (t, lead_id, type, user, before, after)
        self.calls: list[tuple] = []  # (t, direction, Manager, lead_id, contact_id, duration, status)
        self.tasks: list[tuple] = []  # (created, Deal, type, Manager, complete_till, done_at)
        self.unsorted: list[tuple] = []  # (Deal, accepted_by Manager, meta dict)
        self.contacts: list[int] = []
        self.contact_info: dict[int, tuple] = {}  # id -> (phone, company id or None, person name)
        self.won_contacts: set[int] = set()
        self.winners: list[int] = []
        self.last_owner: dict[int, Manager] = {}
        self._won_heap: list[tuple[int, int]] = []
        self._next_contact, self._next_company = 39_507_113, 51_204_907

    # ---- reference data ---------------------------------------------------------------------

    def _managers(self) -> list[Manager]:
        out = []
        for i, spec in enumerate(MANAGERS):
            start, stop = self.begin - 400 * DAY, self.end
            if spec.role == "left":
                stop = moscow_midnight(add_months(self.as_of, -9)) + 14 * DAY
            elif spec.role == "new":
                start = moscow_midnight(add_months(self.as_of, -4)) + 9 * DAY + 10 * HOUR
            out.append(Manager(spec, 8_412_031 + 17 * i + i * i, GROUPS[spec.group][0], start, stop))
        return out

    def _status_ids(self) -> dict[str, dict[str, int]]:
        out = {}
        for p in PIPELINES:
            ids = {}
            names = (("Неразобранное",) if p.unsorted else ()) + p.stages
            for k, name in enumerate(names):
                ids[name] = p.status_base + 7 * k + (k * k) % 5  # strictly increasing, unique
            out[p.key] = ids
        return out

    def sid(self, pipe: PipelineSpec, stage_idx: int) -> int:
        return self.status_ids[pipe.key][pipe.stages[stage_idx]]

    def unsorted_sid(self) -> int:
        return self.status_ids[MAIN.key]["Неразобранное"]

    # ---- helpers ------------------------------------------------------------------------------

    def work(self, t: int) -> int:
        """Move ``t`` into working hours (Mon–Fri 9–19 Moscow): same morning or the next working day."""
        local = t + MSK_OFFSET
        day, sec = divmod(local, DAY)
        wd = (day + 3) % 7
        if wd < 5 and WORK_START <= sec < WORK_END:
            return t
        if wd < 5 and sec < WORK_START:
            return t - sec + WORK_START + int(self.rnd.random() * 5400)
        # after hours: the next working day; from a weekend, any of the next five working days, at any
        # working hour, so that weekend work does not pile up on Monday mornings
        extra = int(self.rnd.random() * 5) if wd >= 5 else 0
        day += 1
        while (day + 3) % 7 >= 5 or extra:
            if (day + 3) % 7 < 5 and extra:
                extra -= 1
            day += 1
        return day * DAY - MSK_OFFSET + WORK_START + int(self.rnd.random() * (WORK_END - WORK_START) * 0.6)

    def poisson(self, lam: float) -> int:
        limit, k, p = math.exp(-lam), 0, self.rnd.random()
        while p > limit:
            k += 1
            p *= self.rnd.random()
        return k

    def pick(self, pairs):
        """Weighted choice from ``((value, weight), ...)``."""
        u = self.rnd.random() * sum(w for _, w in pairs)
        for value, w in pairs:
            u -= w
            if u < 0:
                return value
        return pairs[-1][0]

    def new_contact(self) -> int:
        cid = self._next_contact
        self._next_contact += 1 + int(self.rnd.random() * 4)
        company = None
        if self.rnd.random() < 0.45:
            company = self._next_company
            self._next_company += 1 + int(self.rnd.random() * 3)
        phone = "+79" + "".join(str(self.rnd.randrange(10)) for _ in range(9))
        self.contacts.append(cid)
        self.contact_info[cid] = (phone, company, self.rnd.choice(FIRST_NAMES))
        return cid

    def creation_times(self) -> np.ndarray:
        """Sorted creation times with seasonality, yearly growth, weekends and public holidays."""
        days = np.arange(np.datetime64(self.first_day), np.datetime64(self.as_of))
        month = days.astype("datetime64[M]").astype(int) % 12
        dom = (days - days.astype("datetime64[M]")).astype(int) + 1
        weekday = (days.astype(int) + 3) % 7
        years = (days - days[-1]).astype(int) / 365.25
        w = SEASON[month] * YEARLY_GROWTH**years * np.select([weekday < 5, weekday == 5], [1.0, 0.25], 0.12)
        w[(month == 0) & (dom <= 8)] *= 0.15
        w[(month == 4) & ((dom <= 3) | ((dom >= 9) & (dom <= 11)))] *= 0.35
        idx = self.rng.choice(len(days), size=self.n_deals, p=w / w.sum())
        in_hours = self.rng.random(self.n_deals) < 0.88
        sec = np.where(
            in_hours,
            self.rng.uniform(WORK_START, WORK_END, self.n_deals),
            self.rng.uniform(7 * HOUR, 23.5 * HOUR, self.n_deals),
        ).astype(np.int64)
        return np.sort(days.astype(np.int64)[idx] * DAY - MSK_OFFSET + sec)

    # ---- one deal -----------------------------------------------------------------------------

    def origin(self, created: int) -> tuple[PipelineSpec, SourceSpec, str | None, int]:
        """Pipeline, source, unsorted category (or None) and contact of a new deal."""
        while self._won_heap and self._won_heap[0][0] <= created:
            contact = heapq.heappop(self._won_heap)[1]
            self.winners.append(contact)
            self.won_contacts.add(contact)
        if self.winners and self.rnd.random() < REPEAT_SHARE:
            source = self.sources[self.pick(REPEAT_SOURCES)][1]
            return REPEAT, source, None, self.rnd.choice(self.winners)
        source = self.pick([(s, s.volume) for s in SOURCES])
        category, u = None, self.rnd.random()
        for cat, p in source.unsorted:
            if u < p:
                category = cat
                break
            u -= p
        if self.contacts and self.rnd.random() < RETURNING_SHARE:
            return MAIN, source, category, self.rnd.choice(self.contacts)
        return MAIN, source, category, self.new_contact()

    def pick_manager(self, t: int, category: str | None, contact: int) -> Manager:
        prev = self.last_owner.get(contact)
        if prev is not None and prev.active(t) and self.rnd.random() < 0.7:
            return prev
        cands = [m for m in self.managers if m.active(t) and not (category == "sip" and m.spec.role == "quiet")]
        return self.pick([(m, m.spec.share) for m in cands])

    def price_and_tags(
        self, pipe: PipelineSpec, source: SourceSpec, m: Manager, contact: int
    ) -> tuple[int, list, float]:
        """Budget (rubles), tags and a win-probability multiplier of a new deal."""
        tags, mult, win = [], m.spec.price * source.price, 1.0
        if contact in self.won_contacts:
            tags.append("повторный")
        if pipe is MAIN and self.rnd.random() < 0.04:
            tags.append("тендер")
            mult, win = mult * 2.5, 0.6
        elif self.rnd.random() < 0.08:
            tags.append("опт")
            mult *= 1.8
        price = pipe.median_price * mult * self.rnd.lognormvariate(0, 0.7)
        price = int(round(price / 500.0) * 500) or 500
        if price > 400_000 and self.rnd.random() < 0.6:
            tags.append("VIP")
        return price, tags, win

    def stage_path(self, pipe: PipelineSpec, outcome: str, start: int) -> list[int]:
        """Indexes of the open stages a deal goes through: skips ahead and one step back at times."""
        m = len(pipe.stages)
        if outcome == "won":
            target = m - 1 if self.rnd.random() < 0.8 else m - 2
        elif outcome == "lost":
            target = self.pick(list(enumerate(pipe.loss_weights)))
        else:
            target = self.rnd.randrange(m)
        target = max(target, start)
        path, idx, went_back = [start], start, False
        while idx < target:
            if idx >= 2 and not went_back and self.rnd.random() < BACK_P:
                idx, went_back = idx - 1, True
            elif idx + 2 <= target and self.rnd.random() < SKIP_P:
                idx += 2
            else:
                idx += 1
            path.append(idx)
        return path

    def loss_reason(self, pipe: PipelineSpec, stage_idx: int) -> int:
        f = stage_idx / max(1, len(pipe.stages) - 1)
        k = self.pick([(i, early * (1 - f) + late * f) for i, (_, early, late) in enumerate(LOSS_REASONS)])
        return self.reason_ids[k]

    def simulate(self, lead_id: int, created: int) -> Deal:
        pipe, source, category, contact = self.origin(created)
        m = self.pick_manager(created, category, contact)
        price, tags, tag_win = self.price_and_tags(pipe, source, m, contact)
        d = Deal(
            lead_id,
            created,
            pipe,
            source,
            contact,
            [(created, m)],
            price,
            tags,
            category,
            created_by=SYSTEM_USER if category else m.id,
            start=created,
            updated_at=created,
            updated_by=SYSTEM_USER if category else m.id,
        )
        self.events.append(
            (
                created,
                lead_id,
                "lead_added",
                d.created_by,
                [],
                [{"note": {"id": 180_000_000 + lead_id % 9_000_000}}] if category else [],
            )
        )
        if category and not self.take_incoming(d, m):
            return d
        if not category and self.rnd.random() < DUPLICATE_SHARE:
            self.delete(d, self.work(created + 60 + int(self.rnd.expovariate(1 / (3 * HOUR)))), m, "duplicate")
            return d
        self.plan_stages(d, m, tag_win)
        self.handovers(d)
        self.finish(d)
        return d

    def take_incoming(self, d: Deal, m: Manager) -> bool:
        """Unsorted item: accept (True), decline or leave pending (False)."""
        unsorted_status = (MAIN, self.unsorted_sid())
        d.status = unsorted_status
        decided = self.work(self.work(d.created) + 30 + int(m.spec.reply_min * 60 * self.rnd.lognormvariate(0, 1.0)))
        near_end = d.created > self.end - 4 * DAY and self.rnd.random() < 0.7
        self.unsorted.append((d, m, self.unsorted_meta(d, m)))
        if d.category == "sip":
            answered = self.rnd.random() < 0.75
            self.add_call(
                d, d.created, "in", m, self.call_duration(m) if answered else 0, 4 if answered else 6, on_lead=True
            )
            if not answered:
                self.maybe_callback(d, d.created, m)
        if decided >= self.end or near_end:
            d.outcome = "pending"
            return False
        if self.rnd.random() < DECLINE_SHARE:
            self.delete(d, decided, m, "declined")
            return False
        d.start = decided
        return True

    def delete(self, d: Deal, t: int, m: Manager, outcome: str) -> None:
        if t >= self.end:
            d.outcome = "pending" if d.category else "open"
            if not d.category:
                d.status = (MAIN, self.sid(MAIN, 0))
            return
        d.outcome, d.deleted_at = outcome, t
        self.events.append((t, d.id, "lead_deleted", m.id, [], []))
        d.touch(t, m.id)

    def plan_stages(self, d: Deal, m: Manager, tag_win: float) -> None:
        """Outcome, stage path and move times; moves at or after the end of history are dropped."""
        rnd, pipe, spec = self.rnd, d.pipe, m.spec
        p_win = min(0.9, max(0.02, spec.win * d.source.win * pipe.win_mult * tag_win))
        stale = rnd.random() < STALE_SHARE
        outcome = "stale" if stale else ("won" if rnd.random() < p_win else "lost")
        start_idx = 1 if (d.source.name == "Рекомендация" and rnd.random() < 0.3) else 0
        steps = [(pipe, i) for i in self.stage_path(pipe, outcome, start_idx)]
        if pipe is MAIN and outcome != "stale" and rnd.random() < SWITCH_SHARE:
            cut = 1 + int(rnd.random() * 2)
            steps = steps[:cut] + [(REPEAT, i) for i in self.stage_path(REPEAT, outcome, min(cut - 1, 1))]
        final_pipe = steps[-1][0]
        cycle = spec.cycle_days * DAY * final_pipe.cycle_mult
        if outcome == "won":
            duration = cycle * rnd.lognormvariate(0, 0.55)
        elif outcome == "lost":
            f = (steps[-1][1] + 1) / len(final_pipe.stages)
            duration = cycle * (0.1 + 0.9 * f) * rnd.lognormvariate(0, 0.8)
            d.loss_reason = self.loss_reason(final_pipe, steps[-1][1])
        else:
            duration = cycle * rnd.lognormvariate(0, 0.6)
        targets = [(p, self.sid(p, i)) for p, i in steps]
        if outcome in ("won", "lost"):
            targets.append((final_pipe, WON if outcome == "won" else LOST))
        # the acceptance (incoming leads only) moves the lead out of «Неразобранное» when work starts;
        # the other moves are spread over the deal's duration, in working hours, at least a minute apart
        planned = [(d.start, targets[0])] if d.category else []
        fractions = sorted(rnd.random() for _ in targets[2:]) + [1.0]
        prev = d.start
        for target, frac in zip(targets[1:], fractions):
            prev = max(self.work(d.start + int(frac * duration)), prev + 60 + int(rnd.random() * 1800))
            planned.append((prev, target))
        before = d.status or targets[0]
        for t, target in planned:
            if t >= self.end:
                break
            d.moves.append((t, before, target))
            before = target
        d.status = before
        d.outcome = "open"
        if before[1] in (WON, LOST):
            d.outcome, d.closed_at = ("won" if before[1] == WON else "lost"), d.moves[-1][0]
        if d.outcome != "lost":
            d.loss_reason = None

    def handovers(self, d: Deal) -> None:
        """Hand open deals of a leaving manager to a colleague; a few others change hands too."""
        m = d.owners[0][1]
        until = d.closed_at or self.end
        at = None
        if m.spec.role == "left" and until > m.active_to:
            at = self.work(m.active_to + int(self.rnd.random() * DAY))
        elif until - d.start > 5 * DAY and self.rnd.random() < HANDOVER_SHARE:
            at = self.work(d.start + int((until - d.start) * (0.2 + 0.6 * self.rnd.random())))
        if at is None or at >= self.end or at >= until or at <= d.created:
            return
        mates = [x for x in self.managers if x is not m and x.group_id == m.group_id and x.active(at)]
        if not mates:
            return
        new = self.pick([(x, x.spec.share) for x in mates])
        d.owners.append((at, new))
        boss = self.managers[0]
        self.events.append(
            (
                at,
                d.id,
                "entity_responsible_changed",
                boss.id,
                [{"responsible_user": {"id": m.id}}],
                [{"responsible_user": {"id": new.id}}],
            )
        )
        d.touch(at, boss.id)

    def finish(self, d: Deal) -> None:
        """Emit stage events, calls and tasks of an accepted or hand-made deal."""
        for t, before, after in d.moves:
            user = d.owner_at(t).id
            self.events.append(
                (
                    t,
                    d.id,
                    "lead_status_changed",
                    user,
                    [{"lead_status": {"id": before[1], "pipeline_id": before[0].id}}],
                    [{"lead_status": {"id": after[1], "pipeline_id": after[0].id}}],
                )
            )
            d.touch(t, user)
        self.deal_calls(d)
        self.deal_tasks(d)
        self.last_owner[d.contact] = d.owner
        if d.outcome == "won":
            heapq.heappush(self._won_heap, (d.closed_at, d.contact))

    # ---- calls --------------------------------------------------------------------------------

    def call_duration(self, m: Manager) -> int:
        return max(5, min(3600, int(140 * (0.7 + 0.3 * m.spec.calls) * self.rnd.lognormvariate(0, 0.8))))

    def add_call(
        self, d: Deal, t: int, direction: str, m: Manager, duration: int, status: int, on_lead: bool | None = None
    ) -> None:
        if t >= self.end:
            return
        if on_lead is None:
            on_lead = self.rnd.random() >= CONTACT_CALL_SHARE
        self.calls.append((t, direction, m, d.id if on_lead else None, d.contact, duration, status))
        if on_lead:
            d.touch(t, m.id)

    def maybe_callback(self, d: Deal, t: int, m: Manager) -> None:
        if self.rnd.random() < m.spec.callback:
            back = self.work(t + int(m.spec.reply_min * 60 * self.rnd.lognormvariate(0, 0.8)))
            ok = self.rnd.random() < 0.7
            self.add_call(d, back, "out", m, self.call_duration(m) if ok else 0, 4 if ok else 6)

    def deal_calls(self, d: Deal) -> None:
        rnd = self.rnd
        a, b = d.start, min(d.closed_at or self.end, self.end)
        if b <= a:
            return
        m0 = d.owner_at(a)
        if rnd.random() < min(1.0, m0.spec.calls):
            first = self.work(a + int(m0.spec.reply_min * 60 * rnd.lognormvariate(0, 0.9)))
            status = self.pick(OUT_CALL_STATUS)
            self.add_call(d, first, "out", m0, self.call_duration(m0) if status == 4 else 0, status)
        span = b - a
        n_moves = len(d.moves)
        for _ in range(self.poisson(m0.spec.calls * (0.4 + 0.3 * n_moves))):
            t = self.work(a + int(rnd.random() * span))
            m = d.owner_at(t)
            status = self.pick(OUT_CALL_STATUS)
            self.add_call(d, t, "out", m, self.call_duration(m) if status == 4 else 0, status)
        for _ in range(self.poisson(0.35 * min(1.0, m0.spec.calls) * (1 + 0.2 * n_moves))):
            t = a + int(rnd.random() * span)
            t = self.work(t) if rnd.random() < 0.9 else t
            m = d.owner_at(t)
            if rnd.random() < 0.82:
                self.add_call(d, t, "in", m, self.call_duration(m), 4)
            else:
                self.add_call(d, t, "in", m, 0, 6)
                self.maybe_callback(d, t, m)

    # ---- tasks --------------------------------------------------------------------------------

    @staticmethod
    def stage_entries(d: Deal) -> list[tuple[int, tuple]]:
        """(time entered, (pipeline, status id)) for every stage the deal sat in once work began."""
        if not d.moves:
            return [(d.start, d.status)]
        if d.category:  # the first move is the acceptance out of «Неразобранное»
            return [(t, after) for t, _, after in d.moves]
        return [(d.start, d.moves[0][1])] + [(t, after) for t, _, after in d.moves]

    def deal_tasks(self, d: Deal) -> None:
        """A task per stage now and then; completed when the deal moves on, open on open deals."""
        rnd = self.rnd
        entries = self.stage_entries(d)
        for k, (t, stage) in enumerate(entries):
            if stage[1] in (WON, LOST):
                break
            nxt = entries[k + 1][0] if k + 1 < len(entries) else None
            name = self.status_name(stage)
            owner = d.owner_at(t)
            if nxt is not None and rnd.random() > (0.95 if name == MEETING_STAGE else 0.5):
                continue
            if nxt is None and rnd.random() > owner.spec.tasks:
                continue  # an open deal with no open task
            created = min(self.work(t + 60 + int(rnd.random() * 2 * HOUR)), (nxt or self.end) - 30)
            horizon = 3.5
            if nxt is None and rnd.random() < 0.7:  # the next step of a live deal was planned lately
                created, horizon = max(created, self.work(self.end - int(rnd.random() * 7 * DAY))), 7.0
            if created <= t or created >= self.end:
                continue
            kind = TASK_MEETING if name == MEETING_STAGE else TASK_CALL if k == 0 else TASK_FOLLOW_UP
            till = self.work(created + int(DAY * (0.3 + horizon * rnd.random())))
            done = None
            if nxt is not None and rnd.random() > 0.01:  # a few are forgotten and stay overdue
                done = max(created + 60, nxt - int(rnd.random() * 4 * HOUR))
            if done is not None and done >= self.end:
                done = None
            if nxt is None and d.outcome == "open":  # each manager's task discipline (issue #15)
                till, done = self.task_discipline(d, d.owner_at(created), created, till)
            owner = d.owner_at(created)
            self.tasks.append((created, d, kind, owner, till, done))
            d.touch(done or created, owner.id)
            if done is None and d.outcome == "open":
                d.closest_task_at = till if d.closest_task_at is None else min(d.closest_task_at, till)

    def task_discipline(self, d: Deal, owner: Manager, created: int, till: int) -> tuple[int, int | None]:
        """The due time and completion of a live deal's last task by its owner's :data:`TASK_DISCIPLINE`: kept
        on time (rescheduled to after the data end) or left overdue; or completed with no next step set (the
        deal is then without an open task). Drawn from the deal's own random stream, so nothing else in the
        account changes."""
        on_time, no_next = TASK_DISCIPLINE.get(owner.spec.login, (0.5, 0.15))
        r = random.Random(d.id * 1_000_003 + 15)
        if r.random() < no_next:
            done = created + 60 + int(r.random() * 2 * DAY)
            if done < self.end - 60:
                return till, done
        if till < self.end and r.random() < on_time:
            till = self.work(self.end + int(DAY * (0.2 + 6 * r.random())))
        return till, None

    def status_name(self, stage: tuple) -> str:
        pipe, sid = stage
        for name, i in self.status_ids[pipe.key].items():
            if i == sid:
                return name
        return ""

    # ---- unsorted metadata --------------------------------------------------------------------

    def uuid(self) -> str:
        h = f"{self.rnd.getrandbits(128):032x}"
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"

    def unsorted_meta(self, d: Deal, m: Manager) -> dict:
        rnd, t = self.rnd, d.created
        phone, _, person = self.contact_info[d.contact]
        if d.category == "sip":
            duration = int(rnd.random() * 240)
            return {
                "uniq": self.uuid(),
                "duration": str(duration),
                "service_code": "mango_office_widget",
                "link": None,
                "phone": int(phone[1:]),
                "called_at": t - duration,
                "from": phone[1:],
                "call_responsible": m.id,
                "is_call_event_needed": True,
            }
        if d.category == "forms":
            page = {
                "Сайт": "https://tehnosnab.ru/catalog",
                "Яндекс Директ": "https://promo.tehnosnab.ru/",
                "VK Реклама": "https://vk.com/tehnosnab",
            }.get(d.source.name, "https://tehnosnab.ru/")
            referer = {"Яндекс Директ": "https://yandex.ru/", "VK Реклама": "https://vk.com/"}.get(
                d.source.name, "https://www.google.com/"
            )
            return {
                "form_id": str(1 + d.id % 3),
                "form_name": "Заявка на расчёт",
                "form_page": page,
                "form_type": 1,
                "ip": f"95.{rnd.randrange(256)}.{rnd.randrange(256)}.{rnd.randrange(1, 255)}",
                "form_sent_at": str(t),
                "referer": referer,
                "visitor_uid": self.uuid(),
            }
        if d.category == "chats":
            service = "avito" if d.source.name == "Авито" else "vk"
            return {
                "from": person,
                "to": "ТехноСнаб",
                "received_at": t,
                "service": service,
                "client": {"name": person, "avatar": None},
                "origin": service,
                "last_message_text": rnd.choice(CHAT_TEXTS),
                "source_name": d.source.inbox,
                "chat_id": self.uuid(),
                "ref": None,
                "visitor_uid": self.uuid(),
            }
        return {
            "from": {"email": f"client{d.contact % 100000}@mail.ru", "name": person},
            "subject": rnd.choice(MAIL_SUBJECTS),
            "received_at": t,
            "thread_id": d.id * 3 + 1,
            "message_id": d.id * 7 + 2,
            "content_summary": "Добрый день! Просим направить коммерческое предложение.",
        }

    # ---- run ----------------------------------------------------------------------------------

    def run(self) -> dict:
        created = self.creation_times()
        lead_id = 24_810_117
        for t in created.tolist():
            self.deals.append(self.simulate(lead_id, int(t)))
            lead_id += 1 + int(self.rnd.random() * 3)
        return _Records(self).dump()


# --------------------------------------------------------------------------------------------------
# API-shaped records
# --------------------------------------------------------------------------------------------------

_CROCKFORD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", "abcdefghjkmnpqrstvwxyz0123456789")
_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"


def _links(path: str) -> dict:
    return {"self": {"href": f"{BASE_URL}/api/v4/{path}"}}


class _Records:
    """Turns the simulated state into API v4 JSON records."""

    def __init__(self, g: _Generator):
        self.g = g

    def event_id(self, t: int) -> str:
        ms, head = t * 1000 + self.g.rnd.randrange(1000), []
        for _ in range(10):
            head.append(_ALPHABET[ms & 31])
            ms >>= 5
        tail = base64.b32encode(self.g.rnd.randbytes(10)).decode().translate(_CROCKFORD)
        return "".join(reversed(head)) + tail

    def account(self) -> dict:
        g = self.g
        admin = g.managers[0].id
        return {
            "id": ACCOUNT_ID,
            "name": "ТехноСнаб",
            "subdomain": SUBDOMAIN,
            "created_at": g.begin - 420 * DAY,
            "created_by": admin,
            "updated_at": g.end - 20 * DAY,
            "updated_by": admin,
            "current_user_id": admin,
            "country": "RU",
            "currency": "RUB",
            "currency_symbol": "₽",
            "customers_mode": "disabled",
            "is_unsorted_on": True,
            "is_loss_reason_enabled": True,
            "is_helpbot_enabled": False,
            "is_technical_account": False,
            "contact_name_display_order": 1,
            "mobile_feature_version": 0,
            "_links": _links("account"),
            "_embedded": {
                "users_groups": [{"id": gid, "name": name, "uuid": None} for gid, name in GROUPS],
                "task_types": [
                    {"id": 1, "name": "Связаться", "color": None, "icon_id": None, "code": "FOLLOW_UP"},
                    {"id": 2, "name": "Встреча", "color": None, "icon_id": None, "code": "MEETING"},
                    {"id": 3, "name": "Звонок", "color": "#99ccff", "icon_id": 5, "code": None},
                ],
                "datetime_settings": {
                    "date_pattern": "d.m.Y H:i",
                    "short_date_pattern": "d.m.Y",
                    "short_time_pattern": "H:i",
                    "date_format": "d.m.Y",
                    "time_format": "H:i:s",
                    "timezone": TIMEZONE,
                    "timezone_offset": "+03:00",
                },
            },
        }

    def users(self) -> list[dict]:
        out = []
        for m in self.g.managers:
            gid, gname = GROUPS[m.spec.group]
            own = "A" if m.spec.role == "admin" else "G"
            entity = {"view": own, "edit": own, "add": "A", "delete": own, "export": own}
            out.append(
                {
                    "id": m.id,
                    "name": m.spec.name,
                    "email": f"{m.spec.login}@tehnosnab.ru",
                    "lang": "ru",
                    "rights": {
                        "leads": dict(entity),
                        "contacts": dict(entity),
                        "companies": dict(entity),
                        "tasks": {"edit": own, "delete": own},
                        "mail_access": True,
                        "catalog_access": False,
                        "status_rights": [],
                        "is_admin": m.spec.role == "admin",
                        "is_free": False,
                        "is_active": m.spec.role != "left",
                        "group_id": gid,
                        "role_id": None,
                    },
                    "_links": _links(f"users/{m.id}/"),
                    "_embedded": {"roles": [], "groups": [{"id": gid, "name": gname}]},
                }
            )
        return out

    def pipelines(self) -> list[dict]:
        out = []
        colors = ["#99ccff", "#ffff99", "#ffcc66", "#ffcccc", "#d6eaff", "#87f2c0", "#deff81"]
        for sort, p in enumerate(PIPELINES, start=1):
            statuses = []
            for k, (name, sid) in enumerate(self.g.status_ids[p.key].items()):
                unsorted = p.unsorted and k == 0
                statuses.append(
                    {
                        "id": sid,
                        "name": name,
                        "sort": 10 * (k + 1),
                        "is_editable": not unsorted,
                        "pipeline_id": p.id,
                        "color": "#c1c1c1" if unsorted else colors[k % len(colors)],
                        "type": 1 if unsorted else 0,
                        "account_id": ACCOUNT_ID,
                        "_links": _links(f"leads/pipelines/{p.id}/statuses/{sid}"),
                    }
                )
            for sid, name, srt, color in (
                (WON, "Успешно реализовано", 10000, "#CCFF66"),
                (LOST, "Закрыто и не реализовано", 11000, "#D5D8DB"),
            ):
                statuses.append(
                    {
                        "id": sid,
                        "name": name,
                        "sort": srt,
                        "is_editable": False,
                        "pipeline_id": p.id,
                        "color": color,
                        "type": 0,
                        "account_id": ACCOUNT_ID,
                        "_links": _links(f"leads/pipelines/{p.id}/statuses/{sid}"),
                    }
                )
            out.append(
                {
                    "id": p.id,
                    "name": p.name,
                    "sort": sort,
                    "is_main": p is MAIN,
                    "is_unsorted_on": p.unsorted,
                    "is_archive": False,
                    "account_id": ACCOUNT_ID,
                    "_links": _links(f"leads/pipelines/{p.id}"),
                    "_embedded": {"statuses": statuses},
                }
            )
        return out

    def loss_reasons(self) -> list[dict]:
        t = self.g.begin - 300 * DAY
        return [
            {
                "id": rid,
                "name": name,
                "sort": 100000 + 10 * k,
                "created_at": t,
                "updated_at": t,
                "_links": _links(f"leads/loss_reasons/{rid}"),
            }
            for k, (rid, (name, _, _)) in enumerate(zip(self.g.reason_ids, LOSS_REASONS))
        ]

    def sources(self) -> list[dict]:
        return [
            {
                "id": self.g.source_ids[s.name],
                "name": s.name,
                "pipeline_id": MAIN.id,
                "external_id": s.external_id,
                "services": [],
                "default": False,
                "origin_code": None,
                "_links": _links(f"sources/{self.g.source_ids[s.name]}"),
            }
            for s in SOURCES
        ]

    def lead(self, d: Deal, reasons: dict) -> dict:
        g = self.g
        if d.deleted_at is not None:  # what `with=only_deleted` returns
            return {"id": d.id, "updated_at": d.updated_at, "is_deleted": True}
        _, company, person = g.contact_info[d.contact]
        owner = d.owner
        sid = g.source_ids[d.source.name]
        product = PRODUCTS[d.id % len(PRODUCTS)]
        client = (
            f"ООО «{COMPANY_WORDS[company % 16]}{COMPANY_SUFFIX[(company // 16) % 8].lower()}»" if company else person
        )
        return {
            "id": d.id,
            "name": f"{product} — {client}",
            "price": d.price,
            "responsible_user_id": owner.id,
            "group_id": owner.group_id,
            "status_id": d.status[1],
            "pipeline_id": d.status[0].id,
            "loss_reason_id": d.loss_reason,
            "source_id": sid,
            "created_by": d.created_by,
            "updated_by": d.updated_by,
            "created_at": d.created,
            "updated_at": d.updated_at,
            "closed_at": d.closed_at,
            "closest_task_at": d.closest_task_at,
            "is_deleted": False,
            "custom_fields_values": None,
            "score": None,
            "account_id": ACCOUNT_ID,
            "labor_cost": None,
            "_links": _links(f"leads/{d.id}"),
            "_embedded": {
                "tags": [{"id": TAGS[t], "name": t, "color": None} for t in d.tags],
                "companies": [{"id": company, "_links": _links(f"companies/{company}")}] if company else [],
                "contacts": [{"id": d.contact, "is_main": True, "_links": _links(f"contacts/{d.contact}")}],
                "loss_reason": [reasons[d.loss_reason]] if d.loss_reason else [],
                "source": {"id": sid, "name": d.source.name},
            },
        }

    def events(self) -> list[dict]:
        out = []
        for t, lid, kind, user, before, after in sorted(self.g.events, key=lambda e: (e[0], e[1])):
            eid = self.event_id(t)
            out.append(
                {
                    "id": eid,
                    "type": kind,
                    "entity_id": lid,
                    "entity_type": "lead",
                    "created_by": user,
                    "created_at": t,
                    "value_after": after,
                    "value_before": before,
                    "account_id": ACCOUNT_ID,
                    "_links": _links(f"events/{eid}"),
                    "_embedded": {"entity": {"id": lid, "_links": _links(f"leads/{lid}")}},
                }
            )
        return out

    def notes(self) -> dict[str, list[dict]]:
        g, out = self.g, {"leads": [], "contacts": []}
        note_id = 184_300_017
        for t, direction, m, lead_id, contact, duration, status in sorted(g.calls, key=lambda c: (c[0], c[4])):
            note_id += 1 + int(g.rnd.random() * 6)
            entity, eid = ("leads", lead_id) if lead_id is not None else ("contacts", contact)
            phone = g.contact_info[contact][0]
            uniq = g.uuid()
            params = {
                "uniq": uniq,
                "duration": duration,
                "source": "Mango Office",
                "link": f"https://rec.mango-office.ru/{uniq}.mp3" if duration else None,
                "phone": phone,
                "call_status": status,
                "call_result": CALL_RESULT[status],
                "call_responsible": m.id,
            }
            out[entity].append(
                {
                    "id": note_id,
                    "entity_id": eid,
                    "created_by": m.id,
                    "updated_by": m.id,
                    "created_at": t,
                    "updated_at": t,
                    "responsible_user_id": m.id,
                    "group_id": m.group_id,
                    "note_type": "call_in" if direction == "in" else "call_out",
                    "params": params,
                    "account_id": ACCOUNT_ID,
                    "_links": _links(f"{entity}/{eid}/notes/{note_id}"),
                }
            )
        return out

    def tasks(self) -> list[dict]:
        g, out = self.g, []
        task_id = 41_020_311
        for created, d, kind, m, till, done in sorted(g.tasks, key=lambda x: (x[0], x[1].id)):
            task_id += 1 + int(g.rnd.random() * 3)
            out.append(
                {
                    "id": task_id,
                    "created_by": m.id,
                    "updated_by": m.id,
                    "created_at": created,
                    "updated_at": done if done is not None else created,
                    "responsible_user_id": m.id,
                    "group_id": m.group_id,
                    "entity_id": d.id,
                    "entity_type": "leads",
                    "duration": 0,
                    "is_completed": done is not None,
                    "task_type_id": kind,
                    "text": g.rnd.choice(TASK_TEXT[kind]),
                    "result": {"text": g.rnd.choice(TASK_RESULT[kind])} if done is not None else [],
                    "complete_till": till,
                    "account_id": ACCOUNT_ID,
                    "_links": _links(f"tasks/{task_id}"),
                }
            )
        return out

    def unsorted(self) -> list[dict]:
        out = []
        for d, _manager, meta in self.g.unsorted:
            uid = f"{self.g.rnd.getrandbits(160):040x}"
            cat_name = "Mango Office" if d.category == "sip" else d.source.inbox
            company = self.g.contact_info[d.contact][1]
            out.append(
                {
                    "uid": uid,
                    "source_uid": None,
                    "source_name": cat_name,
                    "category": d.category,
                    "pipeline_id": MAIN.id,
                    "created_at": d.created,
                    "metadata": meta,
                    "account_id": ACCOUNT_ID,
                    "_links": _links(f"leads/unsorted/{uid}"),
                    "_embedded": {
                        "contacts": [{"id": d.contact, "_links": _links(f"contacts/{d.contact}")}],
                        "leads": [{"id": d.id, "_links": _links(f"leads/{d.id}")}],
                        "companies": [{"id": company, "_links": _links(f"companies/{company}")}] if company else [],
                    },
                }
            )
        return out

    # ---- clients: contacts and companies (derived from the deals, no random draws: the rest of the
    # dump does not change with them). A contact exists from its first deal on, belongs to the manager of
    # its latest deal and was last updated with its latest deal; a company likewise from its contact.

    def _client_deals(self) -> dict[int, tuple[int, int, Manager, int]]:
        """contact id -> (first created, last updated, owner of the latest deal, creator of the first)."""
        out: dict[int, tuple[int, int, Manager, int]] = {}
        for d in self.g.deals:
            prev = out.get(d.contact)
            if prev is None:
                out[d.contact] = (d.created, d.updated_at, d.owner, d.created_by)
            else:
                out[d.contact] = (prev[0], max(prev[1], d.updated_at), d.owner, prev[3])
        return out

    @staticmethod
    def company_name(company: int) -> str:
        return f"ООО «{COMPANY_WORDS[company % 16]}{COMPANY_SUFFIX[(company // 16) % 8].lower()}»"

    def contacts(self) -> list[dict]:
        out = []
        for cid, (created, updated, owner, creator) in sorted(self._client_deals().items()):
            phone, company, person = self.g.contact_info[cid]
            surname = SURNAMES[cid % len(SURNAMES)] + ("а" if FIRST_NAMES.index(person) % 2 else "")
            fields = [
                {
                    "field_id": 1_204_101,
                    "field_name": "Телефон",
                    "field_code": "PHONE",
                    "field_type": "multitext",
                    "values": [{"value": phone, "enum_id": 3_011_001, "enum_code": "WORK"}],
                }
            ]
            if cid % 3:
                fields.append(
                    {
                        "field_id": 1_204_103,
                        "field_name": "Email",
                        "field_code": "EMAIL",
                        "field_type": "multitext",
                        "values": [{"value": f"client{cid % 1_000_000}@example.ru", "enum_id": 3_011_011}],
                    }
                )
            out.append(
                {
                    "id": cid,
                    "name": f"{person} {surname}",
                    "first_name": person,
                    "last_name": surname,
                    "responsible_user_id": owner.id,
                    "group_id": owner.group_id,
                    "created_by": creator,
                    "updated_by": owner.id,
                    "created_at": created,
                    "updated_at": updated,
                    "closest_task_at": None,
                    "is_deleted": False,
                    "is_unsorted": False,
                    "custom_fields_values": fields,
                    "account_id": ACCOUNT_ID,
                    "_links": _links(f"contacts/{cid}"),
                    "_embedded": {
                        "tags": [],
                        "companies": [{"id": company, "_links": _links(f"companies/{company}")}] if company else [],
                    },
                }
            )
        return out

    def companies(self) -> list[dict]:
        firsts: dict[int, tuple[int, int, Manager]] = {}
        for cid, (created, updated, owner, _creator) in sorted(self._client_deals().items()):
            company = self.g.contact_info[cid][1]
            if company is None:
                continue
            prev = firsts.get(company)
            firsts[company] = (
                (created, updated, owner) if prev is None else (min(prev[0], created), max(prev[1], updated), prev[2])
            )
        return [
            {
                "id": company,
                "name": self.company_name(company),
                "responsible_user_id": owner.id,
                "group_id": owner.group_id,
                "created_by": owner.id,
                "updated_by": owner.id,
                "created_at": created,
                "updated_at": updated,
                "closest_task_at": None,
                "is_deleted": False,
                "custom_fields_values": None,
                "account_id": ACCOUNT_ID,
                "_links": _links(f"companies/{company}"),
                "_embedded": {"tags": []},
            }
            for company, (created, updated, owner) in sorted(firsts.items())
        ]

    def dump(self) -> dict:
        reasons = {r["id"]: r for r in self.loss_reasons()}
        return {
            "account": self.account(),
            "users": self.users(),
            "pipelines": self.pipelines(),
            "loss_reasons": list(reasons.values()),
            "sources": self.sources(),
            "leads": [self.lead(d, reasons) for d in self.g.deals],
            "events": self.events(),
            "notes": self.notes(),
            "tasks": self.tasks(),
            "unsorted": self.unsorted(),
            "contacts": self.contacts(),
            "companies": self.companies(),
        }


# --------------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------------


def default_as_of() -> dt.date:
    """The first day of the current month: the demo history ends with the last full month."""
    return first_of_month(dt.date.today())


def generate(seed: int = 7, as_of: dt.date | None = None, n_deals: int = 20000, months: int = 25) -> dict:
    """Generate the demo account dump.

    Parameters
    ----------
    seed : int
        Seed of the random generator; the same arguments always give an identical dump.
    as_of : datetime.date, optional
        End of history (exclusive, midnight Moscow time); default: first day of the current month.
    n_deals : int
        Number of lead records, including deleted ones (declined incoming leads, duplicates).
    months : int
        Months of history before ``as_of``'s month.

    Returns
    -------
    dict
        An account dump in the format described in :mod:`crmreports.sources.mapping`.
    """
    if n_deals < 1 or months < 1:
        raise ValueError(f"n_deals and months must be positive, got n_deals={n_deals}, months={months}")
    as_of = as_of or default_as_of()
    if isinstance(as_of, dt.datetime):
        as_of = as_of.date()
    dump = _Generator(seed, as_of, n_deals, months).run()
    log.info(
        "demo account generated: %d leads, %d events, %d calls, %d tasks, %d unsorted (as of %s)",
        len(dump["leads"]),
        len(dump["events"]),
        sum(len(v) for v in dump["notes"].values()),
        len(dump["tasks"]),
        len(dump["unsorted"]),
        as_of.isoformat(),
    )
    return dump
