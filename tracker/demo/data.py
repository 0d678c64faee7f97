"""The demo data set: the pilot regions of DESIGN.md, organisations, accounts.

Everything is fictional except the regions, which are the real pilot areas.
"""

from tracker.models import OrganisationKind, Role

# The documented password of the demo accounts (README.md).
DEMO_PASSWORD = "bansou-demo-2026"  # nosec B105
# The documented authenticator key of the demo (and bench) admins and managers, whose
# roles require two-factor sign-in (README.md): add it to an authenticator app by hand.
DEMO_TOTP_SECRET = "BANSOUDEMOTOTPKEYBANSOUDEMOTOTP2"  # nosec B105

# (5-digit JIS code, prefecture, municipality, prefecture_en, municipality_en, pilot year)
REGIONS = [
    ("15213", "新潟県", "燕市", "Niigata", "Tsubame", 2019),
    ("20205", "長野県", "飯田市", "Nagano", "Iida", 2019),
    ("08202", "茨城県", "日立市", "Ibaraki", "Hitachi", 2019),
    ("15202", "新潟県", "長岡市", "Niigata", "Nagaoka", 2020),
    ("15222", "新潟県", "上越市", "Niigata", "Joetsu", 2020),
    ("20206", "長野県", "諏訪市", "Nagano", "Suwa", 2020),
    ("10203", "群馬県", "桐生市", "Gunma", "Kiryu", 2022),
    ("10205", "群馬県", "太田市", "Gunma", "Ota", 2022),
    ("22210", "静岡県", "富士市", "Shizuoka", "Fuji", 2022),
]

# (name, English name, kind, 5-digit code of its region or None)
ORGANISATIONS = [
    ("関東経済産業局", "Kanto Bureau of Economy, Trade and Industry", OrganisationKind.BUREAU, None),
    ("中部経済産業局", "Chubu Bureau of Economy, Trade and Industry", OrganisationKind.BUREAU, None),
    ("燕市", "Tsubame City", OrganisationKind.MUNICIPALITY, "15213"),
    ("飯田市", "Iida City", OrganisationKind.MUNICIPALITY, "20205"),
    ("日立市", "Hitachi City", OrganisationKind.MUNICIPALITY, "08202"),
    ("富士市", "Fuji City", OrganisationKind.MUNICIPALITY, "22210"),
    ("燕三条地域産業振興センター（架空）", "Tsubame-Sanjo Industry Promotion Centre (fictional)",
     OrganisationKind.SUPPORT_ORGANISATION, "15213"),
    ("南信州産業支援機構（架空）", "Minami-Shinshu Industry Support Agency (fictional)",
     OrganisationKind.SUPPORT_ORGANISATION, "20205"),
    ("越後中央銀行（架空）", "Echigo Central Bank (fictional)", OrganisationKind.FINANCIAL_INSTITUTION, None),
    ("信州みらい信用金庫（架空）", "Shinshu Mirai Shinkin Bank (fictional)",
     OrganisationKind.FINANCIAL_INSTITUTION, None),
    ("北関東工科大学（架空）", "North Kanto Institute of Technology (fictional)", OrganisationKind.UNIVERSITY, None),
    ("中小企業診断士 伴走研究会（架空）", "SME Consultants' Companion Support Circle (fictional)",
     OrganisationKind.EXPERT, None),
    ("ものづくり共創パートナーズ株式会社（架空）", "Monozukuri Co-Creation Partners Inc. (fictional)",
     OrganisationKind.PARTNER_COMPANY, None),
]

# (email, name, role, organisation, region codes or "all", language)
ACCOUNTS = [
    ("admin@example.com", "管理 太郎", Role.ADMIN, "関東経済産業局", "all", "ja"),
    ("manager@example.com", "伴走 花子", Role.MANAGER, "関東経済産業局",
     ["15213", "20205", "08202", "15202", "15222", "20206"], "ja"),
    ("consultant@example.com", "傾聴 一郎", Role.CONSULTANT, "燕三条地域産業振興センター（架空）",
     ["15213", "15202"], "ja"),
    ("official@example.com", "燕 市子", Role.OFFICIAL, "燕市", ["15213"], "ja"),
    # More team members, so that the demo's teams look like real ones.
    ("manager2@example.com", "共創 誠", Role.MANAGER, "関東経済産業局", ["10203", "10205", "22210"], "ja"),
    ("consultant2@example.com", "対話 美咲", Role.CONSULTANT, "南信州産業支援機構（架空）", ["20205", "20206"], "ja"),
    ("consultant3@example.com", "診断 健太", Role.CONSULTANT, "中小企業診断士 伴走研究会（架空）",
     ["08202", "15222", "20206", "10203", "10205", "22210"], "ja"),
    ("consultant4@example.com", "融資 直子", Role.CONSULTANT, "越後中央銀行（架空）", ["15213", "15202", "15222"], "ja"),
]
