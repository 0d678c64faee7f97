"""静岡県富士市: paper and food. All fictional."""

CASES = [
    {
        "region": "22210",
        "company": {
            "name": "株式会社ふじのね製紙", "kana": "フジノネセイシ", "number": "080001990901",
            "address": "静岡県富士市今泉2丁目8番1号", "industry": "14", "employees": 130, "capital": 80_000_000,
            "founded": 1950, "leader": 2019,
        },
        "contacts": [
            ("渡井 誠", "代表取締役社長", "president"),
            ("杉山 由美子", "常務取締役", "executive"),
            ("望月 慎也", "開発課", "employee"),
            ("佐野 瑞穂", "製造課", "employee"),
        ],
        "engagement": {
            "theme": "家庭紙の価格競争からの脱却と、古紙再生の技術を生かした環境配慮型の製品開発",
            "source": "municipality", "source_note": "富士市からの推薦",
            "lead": "M2", "team": ["C3"],
            "phases": [
                (1000, "candidate", "富士市から推薦。家庭紙の価格競争から抜け出す新製品を模索している。"),
                (960, "review", "総点検の実施に合意。"),
                (870, "framing", "総点検の結果をフィードバック。"),
                (760, "accompany", "「古紙再生の技術を、環境価値として売る会社になる」を本質的課題として決定。"),
                (200, "self_running", "環境配慮型の新製品が軌道に乗り、開発会議が自律的に回るようになった。以後は富士市と半年ごとに状況を確認する。"),
            ],
            "sessions": [
                {
                    "key": "s1", "ago": 950, "kind": "president_dialogue", "format": "visit", "minutes": 120,
                    "team": ["C3", "M2"], "company": [0, 1],
                    "notes": "社長と常務から事業の状況を伺った。古紙を原料にしたトイレットペーパーなどの家庭紙が主力で、大手との"
                             "価格競争が厳しい。社長は、古紙再生の技術には自信があるが、価格以外で選ばれる理由を示せていないと話した。",
                    "said": [
                        (0, "スーパーの棚では、1円でも安い方が選ばれる。それが現実です。"),
                        (1, "古紙から作っていること自体、お客様にはほとんど知られていません。"),
                    ],
                    "reflection": "価格競争の厳しさを十分に聞いた。技術への自信が語られたことを手がかりにしたい。",
                    "next": "開発課・製造課へのインタビューを行う。",
                },
                {
                    "key": "s2", "ago": 920, "kind": "staff_interview", "format": "visit", "minutes": 180,
                    "team": ["C3"], "company": [2, 3],
                    "notes": "開発課と製造課の社員に話を伺った。開発課は、企業のオフィスから出る古紙を回収してその会社向けの"
                             "トイレットペーパーにする試作をしたことがあるが、社内で検討が止まった。製造課は、古紙の種類ごとの"
                             "配合のノウハウが自慢だと話した。",
                    "said": [
                        (2, "会社の古紙をその会社のトイレットペーパーにして返す。面白いと思ったんですけど、誰に売るのか決まらなくて。"),
                        (3, "どんな古紙が来ても、配合でちゃんとした紙にする。それがうちの腕です。"),
                    ],
                    "reflection": "価格以外の価値の手がかりが、二人の話から具体的に出てきた。",
                    "next": "総点検の結果をフィードバックする。",
                },
                {
                    "key": "s3", "ago": 600, "kind": "project_meeting", "format": "visit", "minutes": 90,
                    "team": ["C3"], "company": [0, 2, 3],
                    "notes": "開発プロジェクトの会議に同席した。オフィスの古紙を回収して再生品として返す「循環サービス」を、地元企業"
                             "3社で試行中。企業側からは環境報告書に使えると好評。価格は通常品より高いが、受け入れられている。",
                    "said": [
                        (2, "環境報告書に載せられるって、向こうから言ってくれたんです。"),
                        (0, "1円の競争から、初めて抜け出せた気がします。"),
                    ],
                    "reflection": "社長の言葉に手応えが表れていた。",
                    "next": "試行先を広げる計画を次回確認する。",
                },
                {
                    "key": "s4", "ago": 210, "kind": "project_meeting", "format": "visit", "minutes": 60,
                    "team": ["C3", "M2"], "company": [0, 1, 2],
                    "notes": "自走への移行を確認した。循環サービスの契約企業は18社に広がり、専任の担当者を置いた。開発会議は常務の"
                             "主導で毎月開かれている。チームの同席は区切りとし、富士市と半年ごとの状況確認に移ることで合意した。",
                    "said": [
                        (1, "開発会議は、もう私たちで回せます。"),
                        (0, "次は自治体にも提案したい。"),
                    ],
                    "reflection": "自走の条件がそろっていることを、社内の人たちの言葉で確かめられた。",
                    "next": "富士市と半年ごとに状況を確認する。",
                    "review": "自走への移行の根拠が具体的に書かれていて良いです。",
                },
            ],
            "insights": [
                {"text": "価格以外で選ばれる理由を示せず、古紙再生という技術の価値が顧客に伝わっていない",
                 "holder": "president", "category": "business", "barrier": "unseen", "essential": True,
                 "path": [("s1", "voiced"), (870, "owned"), ("s3", "acted_on")]},
                {"text": "社内に生まれた新しいアイデアが、売り先が決まらないまま止まってしまう",
                 "holder": "employee", "category": "organisation", "barrier": "unexecuted",
                 "path": [("s2", "voiced"), (870, "owned"), ("s3", "acted_on")]},
                {"text": "古紙の配合のノウハウが差別化の源泉である",
                 "holder": "employee", "category": "technology",
                 "path": [("s2", "voiced"), ("s3", "owned")]},
                {"text": "自治体に向けても循環サービスを提案できる",
                 "holder": "president", "category": "partnerships",
                 "path": [("s4", "voiced")]},
            ],
            "referrals": [
                {"measure": "オープンイノベーション・マッチング（架空）", "ago": 720,
                 "note": "オフィス古紙を出す企業とのマッチング。",
                 "outcome": "completed", "result": "地元企業3社での試行につながった。"},
            ],
            "actions": [
                {"title": "オフィス古紙の循環サービスを地元企業3社で試行する", "owner": 2, "due": -620, "insights": [0, 1],
                 "referrals": [0],
                 "updates": [(700, "3社と試行の契約を結んだ。", "in_progress"),
                             (610, "試行を終え、3社とも継続を希望した。", "done")]},
                {"title": "循環サービスの専任担当者を置く", "owner": 1, "due": -300, "from": "s3", "insights": [1],
                 "updates": [(320, "担当者を任命した。", "done")]},
                {"title": "自治体向けの提案資料をつくる", "owner": 0, "due": 60, "from": "s4", "insights": [3],
                 "updates": [(50, "富士市への提案に向けて資料を作っている。", "in_progress")]},
            ],
        },
    },
    {
        "region": "22210",
        "company": {
            "name": "吉原ペーパーテック株式会社", "kana": "ヨシワラペーパーテック", "number": "080001990902",
            "address": "静岡県富士市吉原3丁目11番5号", "industry": "14", "employees": 45, "capital": 15_000_000,
            "founded": 1987,
        },
        "contacts": [
            ("勝又 雄一", "代表取締役社長", "president"),
            ("勝又 千春", "専務取締役", "executive"),
            ("遠藤 啓介", "営業", "employee"),
        ],
        "engagement": {
            "theme": "脱プラスチック需要に応える紙製包装材の開発と、営業体制の強化",
            "source": "municipality", "source_note": "富士市からの推薦",
            "lead": "C3", "team": ["M2"],
            "phases": [
                (130, "candidate", "富士市から推薦。紙製の包装材で脱プラスチックの需要を取り込みたい。"),
                (85, "review", "総点検の実施に合意。"),
            ],
            "sessions": [
                {
                    "key": "s1", "ago": 80, "kind": "president_dialogue", "format": "visit", "minutes": 90,
                    "team": ["C3", "M2"], "company": [0, 1],
                    "notes": "社長と専務から事業の状況を伺った。紙製の緩衝材・包装材を製造しており、脱プラスチックの流れで問い合わせが"
                             "増えている。一方で、試作の依頼に応えるだけで手一杯になり、量産につながる案件を見極められていない。",
                    "said": [
                        (0, "問い合わせは3倍になりました。でも、売上は1割しか増えていない。"),
                        (1, "試作ばかりで、どれが本命か分からないんです。"),
                    ],
                    "reflection": "問い合わせ増加の裏にある疲弊が見えた。",
                    "next": "営業担当へのインタビューを行う。",
                },
                {
                    "key": "s2", "ago": 30, "kind": "staff_interview", "format": "online", "minutes": 60,
                    "team": ["C3"], "company": [2], "state": "submitted",
                    "notes": "営業担当にオンラインで話を伺った。問い合わせには全件対応しており、試作の優先順位をつける基準がない。"
                             "顧客に量産の見込みを聞くことをためらってしまうという。",
                    "said": [
                        (2, "量産の予定はありますかって、聞きにくいんですよ。せっかく声をかけてくれたのに。"),
                        (2, "断る基準がないから、全部受けるしかない。"),
                    ],
                    "reflection": "オンラインのため表情が読み取りにくかった。次回は対面で。",
                    "next": "総点検の結果をまとめる。",
                },
            ],
            "insights": [
                {"text": "試作の依頼を全件受け、量産につながる案件を見極められていない",
                 "holder": "executive", "category": "business", "barrier": "unexecuted",
                 "path": [("s1", "voiced")]},
                {"text": "試作を断る・優先順位をつける基準がない",
                 "holder": "employee", "category": "organisation", "barrier": "unseen",
                 "path": [("s1", "hypothesis"), ("s2", "voiced")]},
                {"text": "顧客に量産の見込みを聞くことへのためらいが、営業の判断を難しくしている",
                 "holder": "team_hypothesis", "category": "business", "barrier": "unfaced",
                 "path": [("s2", "hypothesis")]},
            ],
        },
    },
    {
        "region": "22210",
        "company": {
            "name": "株式会社田子の浦食品", "kana": "タゴノウラショクヒン", "number": "080001990903",
            "address": "静岡県富士市鮫島318番地", "industry": "09", "employees": 30, "capital": 10_000_000,
            "founded": 1972,
        },
        "contacts": [
            ("芹沢 康夫", "代表取締役社長", "president"),
            ("芹沢 綾", "専務取締役", "executive"),
            ("内藤 亮", "製造", "employee"),
        ],
        "engagement": {
            "theme": "しらす加工品の販路拡大と、次の世代への承継",
            "source": "municipality", "source_note": "富士市からの推薦",
            "lead": "M2", "team": ["C3"], "closing": "merged",
            "phases": [
                (600, "candidate", "富士市から推薦。しらす加工品の販路拡大と後継者の育成を検討している。"),
                (560, "review", "総点検の実施に合意。"),
                (470, "framing", "総点検の結果をフィードバック。"),
                (330, "closed", "親族が経営する同業他社との合併が決まり、新会社の体制が固まるまで伴走を終了。合併後に改めて相談を受ける可能性がある。"),
            ],
            "sessions": [
                {
                    "key": "s1", "ago": 550, "kind": "president_dialogue", "format": "visit", "minutes": 90,
                    "team": ["C3", "M2"], "company": [0],
                    "notes": "社長から事業の状況を伺った。しらすの加工と直売が主力で、不漁の年は売上が大きく落ち込む。社長は60代後半で、"
                             "娘の専務に継がせたいと考えているが、専務は商品開発に関心があるという。",
                    "said": [
                        (0, "しらすは海次第。獲れない年は、どうしようもない。"),
                        (0, "娘には継いでほしいが、あいつはあいつで別のことをやりたいらしい。"),
                    ],
                    "reflection": "親子の思いの違いについては、専務から直接聞くまで判断を保留した。",
                    "next": "専務・製造担当へのインタビューを行う。",
                },
                {
                    "key": "s2", "ago": 520, "kind": "staff_interview", "format": "visit", "minutes": 120,
                    "team": ["C3"], "company": [1, 2],
                    "notes": "専務と製造担当に話を伺った。専務は、しらす以外の地元の魚を使った加工品を開発したいと考えている。"
                             "親族が経営する隣町の同業者との連携の話も出ているという。製造担当は、不漁の年は仕事が減り、不安だと話した。",
                    "said": [
                        (1, "継ぐのは嫌じゃないんです。ただ、しらすだけの会社は継ぎたくない。"),
                        (2, "獲れない年は、仕事がなくて。来年もあるのかなって思います。"),
                    ],
                    "reflection": "専務の「しらすだけの会社は継ぎたくない」は大事な言葉。社長にどう届けるかを考えたい。",
                    "next": "総点検の結果をフィードバックする。",
                },
                {
                    "key": "s3", "ago": 480, "kind": "findings_feedback", "format": "visit", "minutes": 120,
                    "team": ["C3", "M2"], "company": [0, 1],
                    "notes": "総点検の結果を社長と専務にフィードバックした。専務の言葉を伝えると、社長は、娘が継ぎたくないのだと"
                             "思い込んでいたと話した。親族の同業者との連携は、合併も視野に入れて検討することになった。",
                    "said": [
                        (0, "継ぎたくないんじゃなかったのか。しらすだけが嫌だったのか。"),
                        (1, "隣町のおじさんの会社と一緒になれば、魚の種類も増やせる。"),
                    ],
                    "reflection": "親子の対話のきっかけをつくれた。合併の検討は伴走の範囲を超える可能性があり、扱いをチームで相談する。",
                    "next": "課題設定へ。（その後、合併の決定により終了）",
                },
            ],
            "insights": [
                {"text": "しらすの漁獲に売上が左右され、不漁の年への備えがない",
                 "holder": "president", "category": "business", "barrier": "unfaced",
                 "path": [("s1", "voiced"), ("s3", "owned")]},
                {"text": "社長は娘が継ぎたくないと思い込んでいたが、専務はしらすだけの事業を継ぎたくなかった",
                 "holder": "president", "category": "vision", "barrier": "unseen", "essential": True,
                 "path": [("s2", "hypothesis"), ("s3", "voiced"), (470, "owned")]},
                {"text": "親族の同業者との連携で、商品の幅を広げられる",
                 "holder": "executive", "category": "partnerships",
                 "path": [("s2", "voiced"), ("s3", "owned")]},
            ],
            "referrals": [
                {"measure": "事業承継・引継ぎ相談窓口（架空）", "ago": 460, "note": "親族会社との合併に向けた手続きの相談。",
                 "outcome": "completed", "result": "合併契約の締結に至った。"},
            ],
        },
    },
]
