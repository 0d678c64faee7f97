"""JSIC industries: the 20 major groups (大分類) and 99 middle groups (中分類)
of the Japan Standard Industrial Classification, Rev. 14 (in force 2024-04-01).

A data migration. The rows are copied here from tracker/companies/jsic.py so
that this revision never imports the application; tests/test_companies.py
checks that the two lists agree.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

# (code, name, name_en, major_code): major groups first, then middle groups.
ROWS = [
    ('A', '農業，林業', 'Agriculture and forestry', None),
    ('B', '漁業', 'Fisheries', None),
    ('C', '鉱業，採石業，砂利採取業', 'Mining and quarrying of stone and gravel', None),
    ('D', '建設業', 'Construction', None),
    ('E', '製造業', 'Manufacturing', None),
    ('F', '電気・ガス・熱供給・水道業', 'Electricity, gas, heat supply and water', None),
    ('G', '情報通信業', 'Information and communications', None),
    ('H', '運輸業，郵便業', 'Transport and postal activities', None),
    ('I', '卸売業，小売業', 'Wholesale and retail trade', None),
    ('J', '金融業，保険業', 'Finance and insurance', None),
    ('K', '不動産業，物品賃貸業', 'Real estate and goods rental and leasing', None),
    ('L', '学術研究，専門・技術サービス業', 'Scientific research, professional and technical services', None),
    ('M', '宿泊業，飲食サービス業', 'Accommodations, eating and drinking services', None),
    ('N', '生活関連サービス業，娯楽業', 'Living-related and personal services and amusement services', None),
    ('O', '教育，学習支援業', 'Education, learning support', None),
    ('P', '医療，福祉', 'Medical, health care and welfare', None),
    ('Q', '複合サービス事業', 'Compound services', None),
    ('R', 'サービス業（他に分類されないもの）', 'Services, n.e.c.', None),
    ('S', '公務（他に分類されるものを除く）', 'Government, except elsewhere classified', None),
    ('T', '分類不能の産業', 'Industries unable to classify', None),
    ('01', '農業', 'Agriculture', 'A'),
    ('02', '林業', 'Forestry', 'A'),
    ('03', '漁業（水産養殖業を除く）', 'Fisheries, except aquaculture', 'B'),
    ('04', '水産養殖業', 'Aquaculture', 'B'),
    ('05', '鉱業，採石業，砂利採取業', 'Mining and quarrying of stone and gravel', 'C'),
    ('06', '総合工事業', 'Construction work, general including public and private construction work', 'D'),
    ('07', '職別工事業（設備工事業を除く）', 'Construction work by specialist contractor, except equipment installation work', 'D'),
    ('08', '設備工事業', 'Equipment installation work', 'D'),
    ('09', '食料品製造業', 'Manufacture of food', 'E'),
    ('10', '飲料・たばこ・飼料製造業', 'Manufacture of beverages, tobacco and feed', 'E'),
    ('11', '繊維工業', 'Manufacture of textile products', 'E'),
    ('12', '木材・木製品製造業（家具を除く）', 'Manufacture of lumber and wood products, except furniture', 'E'),
    ('13', '家具・装備品製造業', 'Manufacture of furniture and fixtures', 'E'),
    ('14', 'パルプ・紙・紙加工品製造業', 'Manufacture of pulp, paper and paper products', 'E'),
    ('15', '印刷・同関連業', 'Printing and allied industries', 'E'),
    ('16', '化学工業', 'Manufacture of chemical and allied products', 'E'),
    ('17', '石油製品・石炭製品製造業', 'Manufacture of petroleum and coal products', 'E'),
    ('18', 'プラスチック製品製造業（別掲を除く）', 'Manufacture of plastic products, except otherwise classified', 'E'),
    ('19', 'ゴム製品製造業', 'Manufacture of rubber products', 'E'),
    ('20', 'なめし革・同製品・毛皮製造業', 'Manufacture of leather tanning, leather products and fur skins', 'E'),
    ('21', '窯業・土石製品製造業', 'Manufacture of ceramic, stone and clay products', 'E'),
    ('22', '鉄鋼業', 'Manufacture of iron and steel', 'E'),
    ('23', '非鉄金属製造業', 'Manufacture of non-ferrous metals and products', 'E'),
    ('24', '金属製品製造業', 'Manufacture of fabricated metal products', 'E'),
    ('25', 'はん用機械器具製造業', 'Manufacture of general-purpose machinery', 'E'),
    ('26', '生産用機械器具製造業', 'Manufacture of production machinery', 'E'),
    ('27', '業務用機械器具製造業', 'Manufacture of business oriented machinery', 'E'),
    ('28', '電子部品・デバイス・電子回路製造業', 'Electronic parts, devices and electronic circuits', 'E'),
    ('29', '電気機械器具製造業', 'Manufacture of electrical machinery, equipment and supplies', 'E'),
    ('30', '情報通信機械器具製造業', 'Manufacture of information and communication electronics equipment', 'E'),
    ('31', '輸送用機械器具製造業', 'Manufacture of transportation equipment', 'E'),
    ('32', 'その他の製造業', 'Miscellaneous manufacturing industries', 'E'),
    ('33', '電気業', 'Production, transmission and distribution of electricity', 'F'),
    ('34', 'ガス業', 'Production and distribution of gas', 'F'),
    ('35', '熱供給業', 'Heat supply', 'F'),
    ('36', '水道業', 'Collection, purification and distribution of water, and sewage collection, processing and disposal', 'F'),
    ('37', '通信業', 'Communications', 'G'),
    ('38', '放送業', 'Broadcasting', 'G'),
    ('39', '情報サービス業', 'Information services', 'G'),
    ('40', 'インターネット附随サービス業', 'Internet based services', 'G'),
    ('41', '映像・音声・文字情報制作業', 'Video picture information, sound information, character information production and distribution', 'G'),
    ('42', '鉄道業', 'Railway transport', 'H'),
    ('43', '道路旅客運送業', 'Road passenger transport', 'H'),
    ('44', '道路貨物運送業', 'Road freight transport', 'H'),
    ('45', '水運業', 'Water transport', 'H'),
    ('46', '航空運輸業', 'Air transport', 'H'),
    ('47', '倉庫業', 'Warehousing', 'H'),
    ('48', '運輸に附帯するサービス業', 'Services incidental to transport', 'H'),
    ('49', '郵便業（信書便事業を含む）', 'Postal activities, including mail delivery', 'H'),
    ('50', '各種商品卸売業', 'Wholesale trade, general merchandise', 'I'),
    ('51', '繊維・衣服等卸売業', 'Wholesale trade (textile and apparel)', 'I'),
    ('52', '飲食料品卸売業', 'Wholesale trade (food and beverages)', 'I'),
    ('53', '建築材料，鉱物・金属材料等卸売業', 'Wholesale trade (building materials, minerals and metals, etc.)', 'I'),
    ('54', '機械器具卸売業', 'Wholesale trade (machinery and equipment)', 'I'),
    ('55', 'その他の卸売業', 'Miscellaneous wholesale trade', 'I'),
    ('56', '各種商品小売業', 'Retail trade, general merchandise', 'I'),
    ('57', '織物・衣服・身の回り品小売業', 'Retail trade (woven fabrics, apparel, apparel accessories and notions)', 'I'),
    ('58', '飲食料品小売業', 'Retail trade (food and beverage)', 'I'),
    ('59', '機械器具小売業', 'Retail trade (machinery and equipment)', 'I'),
    ('60', 'その他の小売業', 'Miscellaneous retail trade', 'I'),
    ('61', '無店舗小売業', 'Nonstore retailers', 'I'),
    ('62', '銀行業', 'Banking', 'J'),
    ('63', '協同組織金融業', 'Financial institutions for cooperative organizations', 'J'),
    ('64', '貸金業，クレジットカード業等非預金信用機関', 'Non-deposit money corporations, including lending and credit card business', 'J'),
    ('65', '金融商品取引業，商品先物取引業', 'Financial products transaction dealers and futures commodity transaction dealers', 'J'),
    ('66', '補助的金融業等', 'Financial auxiliaries', 'J'),
    ('67', '保険業（保険媒介代理業，保険サービス業を含む）', 'Insurance institutions, including insurance agents, brokers and services', 'J'),
    ('68', '不動産取引業', 'Real estate agencies', 'K'),
    ('69', '不動産賃貸業・管理業', 'Real estate lessors and managers', 'K'),
    ('70', '物品賃貸業', 'Goods rental and leasing', 'K'),
    ('71', '学術・開発研究機関', 'Scientific and development research institutes', 'L'),
    ('72', '専門サービス業（他に分類されないもの）', 'Professional services, n.e.c.', 'L'),
    ('73', '広告業', 'Advertising', 'L'),
    ('74', '技術サービス業（他に分類されないもの）', 'Technical services, n.e.c.', 'L'),
    ('75', '宿泊業', 'Accommodations', 'M'),
    ('76', '飲食店', 'Eating and drinking places', 'M'),
    ('77', '持ち帰り・配達飲食サービス業', 'Food take out and delivery services', 'M'),
    ('78', '洗濯・理容・美容・浴場業', 'Laundry, beauty and bath services', 'N'),
    ('79', 'その他の生活関連サービス業', 'Miscellaneous living-related and personal services', 'N'),
    ('80', '娯楽業', 'Services for amusement and hobbies', 'N'),
    ('81', '学校教育', 'School education', 'O'),
    ('82', 'その他の教育，学習支援業', 'Miscellaneous education, learning support', 'O'),
    ('83', '医療業', 'Medical and other health services', 'P'),
    ('84', '保健衛生', 'Public health and hygiene', 'P'),
    ('85', '社会保険・社会福祉・介護事業', 'Social insurance, social welfare and care services', 'P'),
    ('86', '郵便局', 'Postal services', 'Q'),
    ('87', '協同組合（他に分類されないもの）', 'Cooperative associations, n.e.c.', 'Q'),
    ('88', '廃棄物処理業', 'Waste disposal business', 'R'),
    ('89', '自動車整備業', 'Automobile maintenance services', 'R'),
    ('90', '機械等修理業（別掲を除く）', 'Machine, etc. repair services, except otherwise classified', 'R'),
    ('91', '職業紹介・労働者派遣業', 'Employment and worker dispatching services', 'R'),
    ('92', 'その他の事業サービス業', 'Miscellaneous business services', 'R'),
    ('93', '政治・経済・文化団体', 'Political, business and cultural organizations', 'R'),
    ('94', '宗教', 'Religion', 'R'),
    ('95', 'その他のサービス業', 'Miscellaneous services', 'R'),
    ('96', '外国公務', 'Foreign governments and international agencies in Japan', 'R'),
    ('97', '国家公務', 'National government services', 'S'),
    ('98', '地方公務', 'Local government services', 'S'),
    ('99', '分類不能の産業', 'Industries unable to classify', 'T'),
]

industries = sa.table(
    'industries',
    sa.column('code', sa.String),
    sa.column('name', sa.String),
    sa.column('name_en', sa.String),
    sa.column('major_code', sa.String),
)
companies = sa.table('companies', sa.column('industry_code', sa.String))


def upgrade():
    keys = ('code', 'name', 'name_en', 'major_code')
    majors = [dict(zip(keys, row)) for row in ROWS if row[3] is None]
    middles = [dict(zip(keys, row)) for row in ROWS if row[3] is not None]
    op.bulk_insert(industries, majors)
    op.bulk_insert(industries, middles)


def downgrade():
    codes = [row[0] for row in ROWS]
    # Companies lose their industry rather than block the downgrade.
    op.execute(companies.update().where(companies.c.industry_code.in_(codes)).values(industry_code=None))
    op.execute(industries.delete().where(industries.c.major_code.is_not(None), industries.c.code.in_(codes)))
    op.execute(industries.delete().where(industries.c.code.in_(codes)))
