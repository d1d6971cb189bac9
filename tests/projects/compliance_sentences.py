"""A labelled set of proposal sentences for the compliance patterns: (text, the rules it breaks).

Written as employers word proposals for AI talent projects, half that break a program rule and
half that do not, in Chinese and English. The hard negatives say the opposite of a breach with
the same words (a negation, the enterprise paying or buying) or promote a technology rather than
a product: promoting AI in an industry is what the program is for, so only marketing a product
or service counts. Used by tests/projects/services/test_compliance_flags.py and
bench/compliance.py; the figures in README.md come from it. `measure` scores a matcher on it.
"""

from collections.abc import Callable, Iterable
from typing import NamedTuple

EQUIPMENT = "equipment"
FEES = "fees"
MARKETING = "marketing"

SENTENCES: list[tuple[str, frozenset[str]]] = [
    # --- equipment: universities made to buy software, hardware, licences, platforms ----------
    ("参与高校需采购我司视觉检测软件授权。", frozenset({EQUIPMENT})),
    ("合作院校须购置我公司配套的实训课程包。", frozenset({EQUIPMENT})),
    ("高校应订购本企业开发的智能制造教学平台账号，每校不少于 50 个。", frozenset({EQUIPMENT})),
    ("项目启动前，学校需购买我司边缘计算硬件及配套许可。", frozenset({EQUIPMENT})),
    ("实训基地建设要求高校采购我司工业机器人设备一套。", frozenset({EQUIPMENT})),
    ("合作高校无需自备服务器，但需购买我司推理平台授权。", frozenset({EQUIPMENT})),
    ("需要合作高校购置我司的教学设备。", frozenset({EQUIPMENT})),
    ("合作高校需另行购买我方数据标注软件的账号。", frozenset({EQUIPMENT})),
    ("Partner universities must purchase a licence for our annotation software.", frozenset({EQUIPMENT})),
    ("Each university is required to buy the company's GPU equipment for its lab.", frozenset({EQUIPMENT})),
    ("Schools will license our AI teaching platform for every enrolled student.", frozenset({EQUIPMENT})),
    # --- fees: students or universities charged ---------------------------------------------
    ("学生参加实训需缴纳培训费 800 元。", frozenset({FEES})),
    ("参训学生须交纳报名费及资料费。", frozenset({FEES})),
    ("每名学生需交 2,000 元押金，结业后退还。", frozenset({FEES})),
    ("企业将向参与学生收取每人 3000 元的服务费。", frozenset({FEES})),
    ("学生需自行支付为期三个月的实训学费。", frozenset({FEES})),
    ("实习期间学生须向基地缴纳住宿押金和管理费用。", frozenset({FEES})),
    ("学生参加认证考试需缴纳考试费用。", frozenset({FEES})),
    ("项目将按课时向参训学生收费。", frozenset({FEES})),
    ("Students pay a registration fee of 500 yuan before the training starts.", frozenset({FEES})),
    ("The company charges each trainee a tuition of 6,000 yuan.", frozenset({FEES})),
    ("Trainees are required to pay a deposit of 1,000 yuan.", frozenset({FEES})),
    # --- marketing: the project used to sell or promote the company's products ------------------
    ("项目期间高校需协助推广我司智能客服产品。", frozenset({MARKETING})),
    ("合作院校应向学生宣传并推销本公司的学习机产品。", frozenset({MARKETING})),
    ("实训结束后，学生需参与销售我司的数据服务。", frozenset({MARKETING})),
    ("课程中将搭售我司的云服务套餐。", frozenset({MARKETING})),
    ("Universities will promote our products to their students and alumni.", frozenset({MARKETING})),
    ("The partner school agrees to market our cloud services on campus.", frozenset({MARKETING})),
    # --- two rules at once ---------------------------------------------------------------------
    ("高校需采购我司实训平台，并向学生收取培训费。", frozenset({EQUIPMENT, FEES})),
    (
        "Universities buy our software licences and students pay the training fees.",
        frozenset({EQUIPMENT, FEES}),
    ),
    # --- negatives: free, forbidden, paid or bought by the enterprise, technology promoted --------
    ("企业为学生提供免费设备。", frozenset()),
    ("不收取学生任何费用。", frozenset()),
    ("推广人工智能技术在制造业的应用。", frozenset()),
    ("本项目严禁向学生收取任何费用。", frozenset()),
    ("学生无需缴纳培训费，食宿由企业承担。", frozenset()),
    ("企业无偿提供 GPU 服务器和实训软件。", frozenset()),
    ("高校不得被要求购买任何设备或软件。", frozenset()),
    ("企业将支付学生实习期间的交通和住宿费用。", frozenset()),
    ("企业按月向实习学生支付生活补贴。", frozenset()),
    ("学生将学习如何推广和部署机器学习模型。", frozenset()),
    ("项目成果将在全省职业院校推广应用。", frozenset()),
    ("企业导师讲授产品设计与服务创新课程。", frozenset()),
    ("学生参与企业智能客服产品的研发与测试。", frozenset()),
    ("高校可选用开源软件完成实训，无需采购。", frozenset()),
    ("本项目不会收取押金或保证金。", frozenset()),
    ("实训所需设备与软件授权均由企业免费提供。", frozenset()),
    ("推广人工智能技术，服务区域制造业转型升级。", frozenset()),
    ("企业负责采购全部实训设备，高校无需承担费用。", frozenset()),
    ("学生将参与智能产品的推广方案设计与市场调研。", frozenset()),
    ("The company provides all equipment and software licences free of charge.", frozenset()),
    ("There are no fees for students or universities.", frozenset()),
    ("Students will not pay any tuition or deposit.", frozenset()),
    ("Universities are never required to buy software or equipment from us.", frozenset()),
    ("We will promote the adoption of AI technology in manufacturing.", frozenset()),
    ("Students learn to design recommendation services for e-commerce platforms.", frozenset()),
    ("The company pays students a monthly stipend of 3,000 yuan.", frozenset()),
    ("Students will carry out market analysis for new products.", frozenset()),
    ("No deposit or registration fee is required.", frozenset()),
    ("Interns help the team test and improve our speech recognition service.", frozenset()),
    ("Participation is free: universities pay nothing and students pay no fees.", frozenset()),
]


class Score(NamedTuple):
    """Counted over (sentence, rule) pairs: a sentence breaking two rules is two positives."""

    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def recall(self) -> float:
        found = self.true_positives + self.false_negatives
        return self.true_positives / found if found else 1.0

    @property
    def precision(self) -> float:
        flagged = self.true_positives + self.false_positives
        return self.true_positives / flagged if flagged else 1.0


def measure(
    rules_of: Callable[[str], Iterable[str]], sentences: list[tuple[str, frozenset[str]]] = SENTENCES
) -> dict[str, Score]:
    """The matcher's score per rule and overall (key "all") on the sentences."""
    counts = {rule: [0, 0, 0] for rule in (EQUIPMENT, FEES, MARKETING, "all")}
    for text, expected in sentences:
        found = set(rules_of(text))
        for rule in (EQUIPMENT, FEES, MARKETING):
            outcome = (rule in found and rule in expected, rule in found - expected, rule in expected - found)
            for key in (rule, "all"):
                counts[key] = [n + hit for n, hit in zip(counts[key], outcome, strict=True)]
    return {rule: Score(*n) for rule, n in counts.items()}
