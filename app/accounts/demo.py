"""The demo organisation: a fictional small city with about 300 employees.

Everything here is invented. Names are generated from common Japanese family and given
names with a fixed seed, so every demo portal has the same people.
"""

from __future__ import annotations

import random
from datetime import date

from sqlalchemy import select

from app.accounts.models import Department, DepartmentMembership, Employee, EmployeeRole
from app.core.permissions import Role
from app.extensions import db

# (code, 部 ja, 部 en, [(code, 課 ja, 課 en, size)])
ORGANISATION = [
    (
        "1000",
        "総務部",
        "General Affairs Department",
        [
            ("1010", "総務課", "General Affairs Division", 16),
            ("1020", "人事課", "Personnel Division", 10),
            ("1030", "情報政策課", "Information Policy Division", 9),
            ("1040", "税務課", "Taxation Division", 24),
        ],
    ),
    (
        "2000",
        "市民生活部",
        "Citizen Life Department",
        [
            ("2010", "市民課", "Citizen Services Division", 22),
            ("2020", "保険年金課", "Health Insurance and Pension Division", 18),
            ("2030", "生活環境課", "Living Environment Division", 14),
        ],
    ),
    (
        "3000",
        "健康福祉部",
        "Health and Welfare Department",
        [
            ("3010", "社会福祉課", "Social Welfare Division", 20),
            ("3020", "長寿福祉課", "Elderly Welfare Division", 22),
            ("3030", "子育て支援課", "Child-Rearing Support Division", 20),
            ("3040", "健康増進課", "Health Promotion Division", 18),
            ("3050", "福祉まるごと相談室", "Welfare One-Stop Consultation Office", 8),
        ],
    ),
    (
        "4000",
        "産業建設部",
        "Industry and Construction Department",
        [
            ("4010", "農林水産課", "Agriculture, Forestry and Fisheries Division", 14),
            ("4020", "商工観光課", "Commerce, Industry and Tourism Division", 14),
            ("4030", "建設課", "Construction Division", 20),
            ("4040", "上下水道課", "Water and Sewerage Division", 18),
        ],
    ),
    (
        "5000",
        "教育委員会事務局",
        "Board of Education Secretariat",
        [
            ("5010", "教育総務課", "Education General Affairs Division", 16),
        ],
    ),
]

FAMILY_NAMES = [
    ("佐藤", "サトウ"),
    ("鈴木", "スズキ"),
    ("高橋", "タカハシ"),
    ("田中", "タナカ"),
    ("伊藤", "イトウ"),
    ("渡辺", "ワタナベ"),
    ("山本", "ヤマモト"),
    ("中村", "ナカムラ"),
    ("小林", "コバヤシ"),
    ("加藤", "カトウ"),
    ("吉田", "ヨシダ"),
    ("山田", "ヤマダ"),
    ("松本", "マツモト"),
    ("井上", "イノウエ"),
    ("木村", "キムラ"),
    ("林", "ハヤシ"),
    ("清水", "シミズ"),
    ("山崎", "ヤマザキ"),
    ("森", "モリ"),
    ("池田", "イケダ"),
    ("橋本", "ハシモト"),
    ("石川", "イシカワ"),
    ("前田", "マエダ"),
    ("坂井", "サカイ"),
    ("藤田", "フジタ"),
    ("竹内", "タケウチ"),
    ("吉川", "ヨシカワ"),
    ("北川", "キタガワ"),
    ("南", "ミナミ"),
    ("島田", "シマダ"),
    ("野村", "ノムラ"),
    ("荒井", "アライ"),
    ("宮本", "ミヤモト"),
    ("川端", "カワバタ"),
    ("西村", "ニシムラ"),
    ("大島", "オオシマ"),
    ("堀", "ホリ"),
    ("長谷川", "ハセガワ"),
    ("上田", "ウエダ"),
    ("酒井", "サカイ"),
]
GIVEN_NAMES = [
    ("健太", "ケンタ"),
    ("翔太", "ショウタ"),
    ("大輔", "ダイスケ"),
    ("拓也", "タクヤ"),
    ("誠", "マコト"),
    ("浩二", "コウジ"),
    ("隆", "タカシ"),
    ("直樹", "ナオキ"),
    ("和也", "カズヤ"),
    ("修", "オサム"),
    ("亮", "リョウ"),
    ("悠斗", "ユウト"),
    ("優子", "ユウコ"),
    ("美咲", "ミサキ"),
    ("由美", "ユミ"),
    ("恵", "メグミ"),
    ("真由美", "マユミ"),
    ("さくら", "サクラ"),
    ("陽子", "ヨウコ"),
    ("智子", "トモコ"),
    ("彩", "アヤ"),
    ("千尋", "チヒロ"),
    ("明美", "アケミ"),
    ("奈緒", "ナオ"),
    ("香織", "カオリ"),
    ("裕子", "ユウコ"),
    ("舞", "マイ"),
    ("健一", "ケンイチ"),
    ("博之", "ヒロユキ"),
    ("聡", "サトシ"),
]

DEMO_PASSWORD = "tsunagu-demo"

# One demo account per role: (staff number, name, kana, department code, position, roles, e-mail)
DEMO_ACCOUNTS = [
    ("100001", "坂本 結衣", "サカモト ユイ", "1040", "主事", [], "learner@demo.example.jp"),
    (
        "100002",
        "北村 大樹",
        "キタムラ ダイキ",
        "1040",
        "課長",
        [Role.DEPARTMENT_HEAD],
        "taxhead@demo.example.jp",
    ),
    (
        "100003",
        "大野 真理子",
        "オオノ マリコ",
        "1020",
        "主査",
        [Role.TRAINING_ADMIN],
        "hr@demo.example.jp",
    ),
    (
        "100004",
        "三浦 恵子",
        "ミウラ ケイコ",
        "3050",
        "社会福祉士",
        [Role.CONSULTATION],
        "soudan@demo.example.jp",
    ),
    (
        "100005",
        "岡田 智史",
        "オカダ サトシ",
        "3050",
        "主任相談支援員",
        [Role.CONSULTATION, Role.CONTENT_ADMIN],
        "content@demo.example.jp",
    ),
    (
        "100006",
        "杉山 航",
        "スギヤマ ワタル",
        "1030",
        "主任",
        [Role.SYSTEM_ADMIN],
        "sysadmin@demo.example.jp",
    ),
    (
        "100007",
        "松田 由紀子",
        "マツダ ユキコ",
        "3050",
        "室長補佐",
        [Role.CONSULTATION, Role.CONSULTATION_LEAD],
        "lead@demo.example.jp",
    ),
]
DEMO_ROLE_LABELS = {
    "100001": "learner",
    "100002": "department head (税務課)",
    "100003": "training admin (人事課)",
    "100004": "consultation staff (相談室)",
    "100005": "consultation staff + content admin",
    "100006": "system admin",
    "100007": "office lead (相談室): consultation staff + every caseload",
}

POSITIONS = ["主事", "主事", "主事", "主任", "主任", "主査", "係長", "課長補佐"]
START_OF_FISCAL_YEAR = date(2026, 4, 1)


def load(password: str = DEMO_PASSWORD) -> dict[str, int]:
    """Create the demo organisation if it is not there yet. Idempotent."""
    if db.session.scalar(select(Department).where(Department.code == "1000")) is not None:
        return {"departments": 0, "employees": 0}
    departments: dict[str, Department] = {}
    order = 0
    for code, name_ja, name_en, sections in ORGANISATION:
        order += 10
        division = Department(code=code, name_ja=name_ja, name_en=name_en, sort_order=order)
        db.session.add(division)
        departments[code] = division
        for s_code, s_ja, s_en, _size in sections:
            order += 1
            departments[s_code] = Department(
                code=s_code, name_ja=s_ja, name_en=s_en, parent=division, sort_order=order
            )
            db.session.add(departments[s_code])

    rng = random.Random(20260401)
    used_names: set[str] = set()
    created = 0

    def add(number, name, kana, dept_code, position, roles=(), email=None, with_password=False):
        nonlocal created
        employee = Employee(
            staff_number=number,
            name=name,
            name_kana=kana,
            position=position,
            department=departments[dept_code],
            email=email,
            active=True,
            extension=f"{rng.randint(200, 699)}",
        )
        if with_password:
            employee.set_password(password)
        employee.role_rows = [EmployeeRole(role=str(r)) for r in roles]
        db.session.add(employee)
        db.session.add(
            DepartmentMembership(
                employee=employee,
                department=departments[dept_code],
                position=position,
                started_on=START_OF_FISCAL_YEAR,
            )
        )
        used_names.add(name)
        created += 1

    for number, name, kana, dept, position, roles, email in DEMO_ACCOUNTS:
        add(number, name, kana, dept, position, roles, email, with_password=True)

    number = 110000
    for _code, _ja, _en, sections in ORGANISATION:
        for s_code, _s_ja, _s_en, size in sections:
            for i in range(size):
                while True:
                    family, family_kana = rng.choice(FAMILY_NAMES)
                    given, given_kana = rng.choice(GIVEN_NAMES)
                    name = f"{family} {given}"
                    if name not in used_names:
                        break
                position = "課長" if i == 0 else rng.choice(POSITIONS)
                number += rng.randint(1, 7)
                add(str(number), name, f"{family_kana} {given_kana}", s_code, position)
    db.session.commit()
    return {"departments": len(departments), "employees": created}
