"""Attribution cues: the verbs and nouns by which news text gives words, beliefs or stances to
someone.

Written from general English (the communication, cognition, desire and judgement classes of
VerbNet/FrameNet and everyday news usage), not harvested from any annotated corpus. PolNeAR-style
attribution covers more than speech: "X believes/wants/fears/criticised/called ... Y" gives Y to X
just as "X said Y" does.

Each class says which complements carry the content, so the rules in tasks/claims.py stay
declarative: a clause ("said that ..."), an infinitive ("vowed to ..."), a noun phrase
("criticised the plan"), or a preposition's object ("called for ...").
"""

from __future__ import annotations

from tasks.nlp import words

# Verbs of saying and writing: content is a clause or a quotation, sometimes a noun phrase
# ("announced a plan", "repeated the claim").
SPEECH_VERBS = words(
    """say state tell add claim announce report note explain argue insist confirm deny
    acknowledge admit assert declare reaffirm stress emphasize emphasise suggest write tweet post
    predict estimate reply respond comment reveal disclose agree concede complain allege maintain
    recall indicate warn caution testify remark observe conclude contend point mention reiterate
    repeat answer ask inquire demand urge request plead beg appeal propose recommend advise vow
    pledge promise swear threaten boast brag joke quip retort counter protest object yell shout
    whisper speak talk announce proclaim tout signal affirm aver charge accuse concur disagree
    dispute rebut insist clarify elaborate summarize summarise describe characterize characterise
    assure reassure inform notify remind convince persuade caution forecast project estimate
    calculate email text message broadcast publish release detail outline emphasize underscore
    highlight"""
)

# Verbs of thinking, believing and perceiving: content is a clause or an infinitive.
COGNITION_VERBS = words(
    """believe think know feel expect hope fear worry doubt suspect assume presume
    guess reckon imagine consider regard view understand realize realise recognize recognise
    remember forget learn discover notice decide determine judge figure anticipate foresee
    wonder question trust accept deem sense bet"""
)

# Verbs of wanting, intending and committing: content is an infinitive or a noun phrase.
# Verbs and nouns of trying and acting ("tried to", "efforts to", "pushed", "targeted") are left
# out: they report what someone did, not a stance; nor "suppose" ("was supposed to": a duty).
DESIRE_VERBS = words(
    """want wish desire plan intend aim seek refuse decline offer choose
    opt prefer vow pledge promise threaten agree consent hope need"""
)

# Verbs of judging, backing and opposing someone or something: content is the noun phrase
# judged ("criticised the ruling", "called him a liar", "backed the bill").
JUDGEMENT_VERBS = words(
    """praise applaud welcome commend laud hail congratulate thank criticize criticise condemn
    denounce slam blast attack assail lambaste chide rebuke scold mock ridicule deride dismiss
    reject disparage blame fault decry lament bemoan regret defend justify endorse support back
    oppose favor favour champion advocate applaud disavow repudiate refute contest challenge
    call label dub brand portray paint liken compare equate link tie attribute frame cite
    reference invoke echo promote demand urge encourage ask insult smear question
    excoriate berate admonish castigate vilify"""
)

# Verbs by which studies, polls, courts and documents give findings: "the poll found that ...",
# "polls show X ahead", "the court ruled that ..." (a finding is attributed like a statement).
EVIDENCE_VERBS = words("""find show rule""")

# Verbs whose content comes after a preposition ("called for", "warned against", "seized on").
PREPOSITIONAL_CONTENT = frozenset({"about", "for", "on", "against", "of", "over", "to", "as"})

ATTRIBUTION_VERBS = SPEECH_VERBS | COGNITION_VERBS | DESIRE_VERBS | JUDGEMENT_VERBS | EVIDENCE_VERBS

# Verbs that take a clause only; a noun object of these is rarely what someone asserted
# ("told reporters", "know him", "think nothing").
CLAUSE_ONLY_VERBS = words(
    """tell think know feel hope fear worry learn remember forget notice wonder figure speak
    talk inform notify remind assure reassure convince persuade write post tweet email text
    message agree disagree concur add reply respond comment answer testify point say threaten"""
)

# Nouns of saying, believing and proposing whose complement is attributed content: "the claim
# that ...", "her plan to ...", "his criticism of ...".
ATTRIBUTION_NOUNS = words(
    """statement claim assertion allegation accusation charge argument contention suggestion
    remark remarks comment comments report reports announcement promise pledge vow threat warning
    plan plans proposal proposals call calls demand demands request plea appeal insistence
    admission acknowledgment acknowledgement denial belief beliefs view views opinion position
    stance fear fears hope hopes concern concerns worry worries doubt doubts expectation
    expectations prediction forecast estimate assessment conclusion finding findings criticism
    praise support opposition objection objections complaint complaints attack attacks
    refusal decision vision idea ideas notion theory message rhetoric emphasis insistence
    assurance assurances confidence skepticism scepticism disdain contempt desire
    commitment intention goal opponent supporter defender champion advocate proponent"""
)

# Adjectives of stance that, said of someone, give them what follows: "X is critical of Y",
# "X was confident that ...", "X is worried about ...". Not those of ability or readiness
# ("able", "willing", "determined"): the verb after them carries the attribution.
ATTRIBUTION_ADJECTIVES = words(
    """critical concerned worried sure certain confident convinced aware skeptical sceptical
    optimistic pessimistic hopeful fearful afraid proud supportive opposed doubtful wary angry
    upset furious disappointed frustrated passionate adamant insistent coy bearish bullish
    enthusiastic"""
)

# Light verbs that hand their subject to a cue noun: "X made the claim that", "X voiced concern".
LIGHT_VERBS = words(
    """make issue express voice raise offer give deliver launch repeat renew reiterate have
    share outline unveil present propose put announce release lay set"""
)
