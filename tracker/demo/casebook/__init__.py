"""The demo casebook: fictional companies of the pilot regions and their support cases.

Only the regions are real; every company, person, quote and measure is invented.
tracker/demo/cases.py loads it. Each region module has CASES, a list of dicts:

- "region": the 5-digit JIS code.
- "company": name, kana, "number" (the 12 base digits of the 法人番号; the loader puts
  the check digit in front), address, JSIC middle-group "industry", employees,
  capital (yen), founded (year), "leader" (year selected as 地域未来牽引企業, if ever).
- "contacts": (name, title, side), the representative first; elsewhere a contact is
  named by its index in this list.
- "engagement" (left out for a company not yet engaged):
  - "theme", "source" (a ReferralSource), "source_note";
  - "lead" and "team": short names of team members (tracker.demo.cases.TEAM); every
    team has a manager, who records the phase changes and reviews the sessions;
  - "phases": (days ago, phase, reason), oldest first; "closing": a ClosingReason;
  - "sessions": "key", "ago" (days), "kind", "format", "minutes", "team" (the author
    first), "company" (contact indexes), "notes", "said" ((contact index, words)),
    "reflection", "next", "state" (reviewed unless given), "review" (the comment);
  - "insights": "text", "holder", "category", "barrier", "essential", "path" (steps
    (session key or days ago, state), the first where it surfaced), "seen" (more
    session keys where it came up);
  - "referrals": "measure" (a catalogue name), "ago", "note", "outcome", "result";
  - "actions": "title", "owner" (a contact index, or a team short name for a support
    action), "due" (days from today, negative when past), "from" (session key),
    "insights" and "referrals" (indexes in the lists above), "updates" ((days ago,
    text, new state or None)).
"""

from tracker.demo.casebook import fuji, hitachi, iida, joetsu, kiryu, nagaoka, ota, suwa, tsubame

CASES = [
    *tsubame.CASES, *iida.CASES, *hitachi.CASES, *nagaoka.CASES, *joetsu.CASES,
    *suwa.CASES, *kiryu.CASES, *ota.CASES, *fuji.CASES,
]
