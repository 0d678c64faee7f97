"""群馬県太田市: automotive parts, plastics, die casting. All fictional."""

CASES = [
    {
        "region": "10205",
        "company": {
            "name": "株式会社太田ボデー工業", "kana": "オオタボデーコウギョウ", "number": "070001990801",
            "address": "群馬県太田市西新町118番地", "industry": "31", "employees": 180, "capital": 60_000_000,
            "founded": 1962, "leader": 2019,
        },
        "contacts": [
            ("荻野 雅之", "代表取締役社長", "president"),
            ("荻野 久", "専務取締役", "executive"),
            ("根岸 浩", "生産技術課長", "employee"),
            ("須永 遥", "生産管理", "employee"),
        ],
        "engagement": {
            "theme": "自動車の電動化に伴う受注構造の変化への対応と、生産技術の強みの捉え直し",
            "source": "municipality", "source_note": "太田市からの推薦",
            "lead": "M2", "team": ["C3"],
            "phases": [
                (360, "candidate", "太田市から推薦。電動化でプレス・溶接部品の受注構造が変わることへの対応を模索している。"),
                (310, "review", "総点検の実施に合意。"),
                (40, "framing", "総点検の結果をフィードバック。電動化への対応を「何を捨て、何を伸ばすか」として議論を始めた。"),
            ],
            "sessions": [
                {
                    "key": "s1", "ago": 300, "kind": "president_dialogue", "format": "visit", "minutes": 120,
                    "team": ["C3", "M2"], "company": [0, 1],
                    "notes": "社長と専務から事業の状況を伺った。自動車の車体部品のプレス・溶接が主力で、一次取引先を通じて受注している。"
                             "電動化で一部の部品の需要がなくなる見通しを聞いており、危機感は強いが、何から手をつければよいか"
                             "分からないという。",
                    "said": [
                        (0, "エンジン周りの部品は、10年後にはなくなっているかもしれない。"),
                        (1, "言われたものを作るのは得意ですけど、何を作るか考えるのは苦手な会社なんです。"),
                    ],
                    "reflection": "危機感は十分にある。焦りから答えを求められる場面が多かったが、問いを返し続けた。",
                    "next": "生産技術・生産管理へのインタビューを行う。",
                },
                {
                    "key": "s2", "ago": 270, "kind": "staff_interview", "format": "visit", "minutes": 180,
                    "team": ["C3"], "company": [2, 3],
                    "notes": "生産技術課長と生産管理の若手に話を伺った。課長は、高張力鋼板やアルミの加工に取り組んできた経験があり、"
                             "軽量化部品は電動化でむしろ増えると見ている。若手は、生産計画の変更が頻繁で、残業が読めないことに"
                             "不満がある。",
                    "said": [
                        (2, "電動車は重い電池を積むから、車体は軽くしたい。軽量化の加工はうちの得意分野です。"),
                        (3, "計画が毎日変わるので、今日何時に帰れるか分からないんです。"),
                    ],
                    "reflection": "危機の裏にある機会が、現場から語られた。",
                    "next": "総点検の結果をまとめる。",
                },
                {
                    "key": "s3", "ago": 45, "kind": "findings_feedback", "format": "visit", "minutes": 150,
                    "team": ["C3", "M2"], "company": [0, 1, 2],
                    "notes": "総点検の結果をフィードバックした。生産技術課長の「軽量化はうちの得意分野」という声に、社長は、電動化を"
                             "脅威としてしか見ていなかったと話した。若手の残業の読めなさについては、専務が生産計画の組み方を"
                             "見直すと応じた。",
                    "said": [
                        (0, "電動化は脅威だとばかり思っていた。うちの得意分野が増えるかもしれないんだな。"),
                        (1, "計画の変更は、受けすぎている私の問題でもあります。"),
                    ],
                    "reflection": "社長の見方が変わる瞬間があった。次は「何を捨てるか」も含めて対話したい。",
                    "next": "課題設定の対話へ。",
                },
                {
                    "key": "s4", "ago": 9, "kind": "president_dialogue", "format": "visit", "minutes": 90,
                    "team": ["C3", "M2"], "company": [0, 1, 2], "state": "submitted",
                    "notes": "課題設定の対話。電動化で伸びる部品と縮む部品を、社長・専務・課長で書き出した。社長は、縮む部品の設備を"
                             "今後どうするかについて結論を保留した。",
                    "said": [
                        (0, "捨てるものを決めるのが、一番難しいですね。"),
                        (2, "伸ばす方は、もう準備を始められます。"),
                    ],
                    "reflection": "結論を急がせないことを意識した。",
                    "next": "次回も課題設定の対話を続ける。",
                },
            ],
            "insights": [
                {"text": "電動化を脅威としてしか見ておらず、軽量化という得意分野が伸びる機会を見落としていた",
                 "holder": "president", "category": "business", "barrier": "unseen", "essential": True,
                 "path": [("s1", "hypothesis"), ("s3", "voiced"), ("s4", "owned")]},
                {"text": "何を作るかを自分たちで考えた経験がない",
                 "holder": "executive", "category": "vision", "barrier": "unfaced",
                 "path": [("s1", "voiced")]},
                {"text": "生産計画の頻繁な変更で、現場の残業が読めない",
                 "holder": "employee", "category": "organisation", "barrier": "unexecuted",
                 "path": [("s2", "voiced"), ("s3", "owned")]},
                {"text": "縮む部品の設備をどうするか、判断を先送りしている",
                 "holder": "team_hypothesis", "category": "finance", "barrier": "unfaced",
                 "path": [("s4", "hypothesis")]},
            ],
            "referrals": [
                {"measure": "ものづくり共創パートナーズ 技術相談（架空）", "ago": 8,
                 "note": "軽量化部品の量産化についての技術相談。"},
            ],
            "actions": [
                {"title": "受注の受け方を含め、生産計画の組み方を見直す", "owner": 1, "due": 20, "from": "s3", "insights": [2],
                 "updates": [(30, "受注の受け方のルールを検討している。", "in_progress")]},
            ],
        },
    },
    {
        "region": "10205",
        "company": {
            "name": "金山精工株式会社", "kana": "カナヤマセイコウ", "number": "070001990802",
            "address": "群馬県太田市金山町24番地5", "industry": "31", "employees": 68, "capital": 25_000_000,
            "founded": 1971, "leader": 2020,
        },
        "contacts": [
            ("小此木 健吾", "代表取締役社長", "president"),
            ("小此木 亜紀", "取締役", "executive"),
            ("金井 誠司", "製造課長", "employee"),
            ("石原 優斗", "製造課", "employee"),
        ],
        "engagement": {
            "theme": "自動車部品に頼る受注からの多様化と、機械の稼働データを生かした生産性の向上",
            "source": "municipality", "source_note": "太田市からの推薦",
            "lead": "M2", "team": ["C3"],
            "phases": [
                (560, "candidate", "太田市から推薦。自動車部品以外の取引先の開拓と、工場のデジタル化を検討している。"),
                (520, "review", "総点検の実施に合意。"),
                (420, "framing", "総点検の結果をフィードバック。"),
                (210, "accompany", "「数字で語れる工場になる」を本質的課題として決定。"),
            ],
            "sessions": [
                {
                    "key": "s1", "ago": 510, "kind": "president_dialogue", "format": "visit", "minutes": 120,
                    "team": ["C3", "M2"], "company": [0],
                    "notes": "社長から事業の状況を伺った。自動車部品の切削加工が売上の8割。農機・建機メーカーから引き合いはあるが、"
                             "見積もりの根拠となる加工時間のデータがなく、勘で見積もって失注したり赤字になったりしている。",
                    "said": [
                        (0, "見積もりは、ほぼ勘です。当たるときもあるし、外れると赤字。"),
                        (0, "IoTとか言われても、何に使えばいいのかピンとこない。"),
                    ],
                    "reflection": "社長のデジタル化への戸惑いを否定せず受け止めた。",
                    "next": "製造課長・若手へのインタビューを行う。",
                },
                {
                    "key": "s2", "ago": 480, "kind": "staff_interview", "format": "visit", "minutes": 150,
                    "team": ["C3"], "company": [2, 3],
                    "notes": "製造課長と若手に話を伺った。課長は機械ごとの稼働状況を紙の日報で管理しているが、集計はしていない。"
                             "若手は、機械が止まっている時間が長いと感じているが、数字で示せないので言い出せないという。",
                    "said": [
                        (2, "日報は書いてます。でも、書いたら終わりで、誰も見返さない。"),
                        (3, "機械が止まってる時間、けっこう長いと思うんです。でも数字がないから、言っても感覚の話になっちゃう。"),
                    ],
                    "reflection": "データがないことで、現場の気づきが言葉にならない構造が見えた。",
                    "next": "総点検の結果をまとめる。",
                },
                {
                    "key": "s3", "ago": 150, "kind": "project_meeting", "format": "visit", "minutes": 90,
                    "team": ["C3"], "company": [1, 2, 3],
                    "notes": "社内プロジェクトの会議に同席した。DX推進伴走支援を使って主要な機械5台に稼働監視の装置を取り付け、"
                             "1か月分のデータが集まった。稼働率は想定より20ポイント低く、段取り替えの待ち時間が大きいことが分かった。",
                    "said": [
                        (3, "やっぱり止まってました。数字で見ると、ぐうの音も出ないですね。"),
                        (2, "段取りの待ちが一番長い。ここを縮めれば、見積もりも変わります。"),
                    ],
                    "reflection": "若手の感覚がデータで裏付けられた場面。チームは結果の解釈を現場に委ねた。",
                    "next": "段取り替え時間の短縮策を次回までに検討してもらう。",
                },
                {
                    "key": "s4", "ago": 22, "kind": "project_meeting", "format": "visit", "minutes": 90,
                    "team": ["C3", "M2"], "company": [0, 1, 2, 3], "state": "submitted",
                    "notes": "会議に同席した。段取り替えの手順を見直し、待ち時間が3割短くなった。加工時間のデータを使った見積もりを試し、"
                             "農機メーカーから1件受注した。一方、稼働データの集計は若手一人に任されており、負担が偏っている。",
                    "said": [
                        (0, "勘じゃない見積もりで取れた初めての仕事です。"),
                        (3, "集計、正直ちょっと大変です。自動でできればいいんですけど。"),
                        (1, "集計の仕組みは、会社として考えます。"),
                    ],
                    "reflection": "成果を社長が自分の言葉で語っていた。若手の負担について、チームから指摘する前に取締役が引き取った。",
                    "next": "集計の自動化について、次回までに取締役が方法を検討する。",
                },
            ],
            "insights": [
                {"text": "加工時間や稼働のデータがなく、見積もりも改善も勘に頼っている",
                 "holder": "president", "category": "digital", "barrier": "unseen", "essential": True,
                 "path": [("s1", "hypothesis"), ("s2", "voiced"), (210, "owned"), ("s3", "acted_on")]},
                {"text": "現場の気づきを数字で示せないため、言い出せずにいる",
                 "holder": "employee", "category": "organisation", "barrier": "unfollowed",
                 "path": [("s2", "voiced"), ("s3", "acted_on")]},
                {"text": "段取り替えの待ち時間が、稼働率を大きく下げている",
                 "holder": "employee", "category": "technology", "barrier": "unexecuted",
                 "path": [("s3", "voiced"), ("s4", "acted_on")]},
                {"text": "データの集計が若手一人に偏っている",
                 "holder": "executive", "category": "organisation", "barrier": "lacking",
                 "path": [("s4", "voiced")]},
            ],
            "referrals": [
                {"measure": "DX推進伴走支援（架空）", "ago": 230, "note": "稼働監視の装置の導入と、データの活用。",
                 "outcome": "in_use", "result": "5台に導入済み。データの活用について伴走を受けている。"},
                {"measure": "地域ものづくり設備投資補助金（架空）", "ago": 90,
                 "note": "段取り替えを短くする治具・設備の導入。"},
            ],
            "actions": [
                {"title": "主要な機械5台に稼働監視の装置を付ける", "owner": 2, "due": -170, "insights": [0], "referrals": [0],
                 "updates": [(200, "装置を発注した。", "in_progress"), (175, "5台への取り付けを終えた。", "done")]},
                {"title": "段取り替えの手順を見直し、待ち時間を短くする", "owner": 2, "due": -30, "from": "s3",
                 "insights": [2], "referrals": [1],
                 "updates": [(140, "手順の見直しを始めた。", "in_progress"), (25, "待ち時間が3割減った。", "done")]},
                {"title": "加工時間のデータを使った見積もりを試す", "owner": 0, "due": 30, "from": "s3", "insights": [0],
                 "updates": [(60, "試行を始めた。", "in_progress"), (22, "農機メーカーから1件受注した。", None)]},
                {"title": "稼働データの集計を自動化する方法を検討する", "owner": 1, "due": 30, "from": "s4", "insights": [3]},
            ],
        },
    },
    {
        "region": "10205",
        "company": {
            "name": "株式会社呑竜プラスチック", "kana": "ドンリュウプラスチック", "number": "070001990803",
            "address": "群馬県太田市只上町1520番地", "industry": "18", "employees": 40, "capital": 10_000_000,
            "founded": 1979,
        },
        "contacts": [
            ("茂木 浩一", "代表取締役社長", "president"),
            ("茂木 真理", "専務取締役", "executive"),
        ],
        "engagement": {
            "theme": "樹脂成形の技術を生かした、自動車以外の分野への展開",
            "source": "municipality", "source_note": "太田市からの推薦",
            "lead": "M2", "team": ["C3"],
            "phases": [
                (75, "candidate", "太田市から推薦。樹脂成形で自動車以外の分野への展開を検討している。"),
            ],
            "insights": [
                {"text": "自動車以外への展開には、金型から提案できる設計の力が必要ではないか",
                 "holder": "team_hypothesis", "category": "technology", "barrier": "lacking",
                 "path": [(70, "hypothesis")]},
            ],
        },
    },
    {
        "region": "10205",
        "company": {
            "name": "株式会社尾島ダイカスト", "kana": "オジマダイカスト", "number": "070001990804",
            "address": "群馬県太田市尾島町410番地", "industry": "23", "employees": 55, "capital": 20_000_000,
            "founded": 1968,
        },
        "contacts": [
            ("大島 守", "代表取締役", "president"),
        ],
    },
]
