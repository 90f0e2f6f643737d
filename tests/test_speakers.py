"""Who is speaking: the speaker sieve (narrate.convert.speakers) and the book's characters
(narrate.convert.characters), on short passages of public-domain novels.

Passages: Jane Austen, *Pride and Prejudice* (1813), chapter I; Lewis Carroll, *Alice's
Adventures in Wonderland* (1865), chapter VII; Arthur Conan Doyle, *The Sign of the Four*
(1890), chapters I and VI (Project Gutenberg texts, public domain); Jerome K. Jerome,
*Three Men in a Boat* (1889), chapter V (Standard Ebooks, CC0).
"""

import pytest

from narrate.convert import ConvertOptions, convert
from narrate.convert.characters import NAME, Cast, gather, name_at
from narrate.convert.tags import tag_after, tag_before, vocatives

pytestmark = pytest.mark.unit


def speakers(text: str) -> tuple[list[tuple[str, str | None]], object]:
    """(quotation, speaker) for each quote segment of `text` read as fiction."""
    book, _ = convert(text, ConvertOptions(dialogue=True))
    return [(s.text, s.speaker) for s in book.segments if s.role == "quote"], book


def said(text: str) -> dict[str, str | None]:
    """The speaker of each quotation, by its first words."""
    quotes, _ = speakers(text)
    return {" ".join(q.strip("“”\"").split()[:4]): who for q, who in quotes}


BENNETS = '''"My dear Mr. Bennet," said his lady to him one day, "have you heard that
Netherfield Park is let at last?"

Mr. Bennet replied that he had not.

"But it is," returned she; "for Mrs. Long has just been here, and she
told me all about it."

Mr. Bennet made no answer.

"Do not you want to know who has taken it?" cried his wife impatiently.

"_You_ want to tell me, and I have no objection to hearing it."

This was invitation enough.

"Why, my dear, you must know, Mrs. Long says that Netherfield is taken
by a young man of large fortune from the north of England."

"What is his name?"

"Bingley."

"Is he married or single?"

"Oh! single, my dear, to be sure! A single man of large fortune; four
or five thousand a year. What a fine thing for our girls!"

"How so? how can it affect them?"

"My dear Mr. Bennet," replied his wife, "how can you be so tiresome! You
must know that I am thinking of his marrying one of them."

"Is that his design in settling here?"
'''


def test_a_description_in_a_tag_is_the_character_it_names_not_the_one_called_to():
    who = said(BENNETS)
    # "his lady": the wife of the man the quotation calls to, Mr. Bennet
    assert who["My dear Mr. Bennet,"] == "Mrs. Bennet"
    assert who["have you heard that"] == "Mrs. Bennet"  # the same paragraph, after the tag
    assert who["Do not you want"] == "Mrs. Bennet"  # "cried his wife"


def test_a_pronoun_in_a_tag_is_the_most_recent_character_of_its_gender():
    who = said(BENNETS)
    assert who["But it is,"] == "Mrs. Bennet"  # "returned she"; Mr. Bennet was named since
    assert who["for Mrs. Long has"] == "Mrs. Bennet"  # not Mrs. Long, named in the quotation


def test_untagged_turns_between_two_people_alternate():
    who = said(BENNETS)
    assert [who[q] for q in ("You want to tell", "Why, my dear, you", "What is his name?",
                             "Bingley.", "Is he married or", "Oh! single, my dear,",
                             "How so? how can")] == \
        ["Mr. Bennet", "Mrs. Bennet", "Mr. Bennet", "Mrs. Bennet", "Mr. Bennet", "Mrs. Bennet",
         "Mr. Bennet"]


def test_the_one_a_quotation_calls_by_name_answers_it():
    # "My dear Mr. Bennet, … how can you be so tiresome!" — the next turn is his
    assert said(BENNETS)["Is that his design"] == "Mr. Bennet"


def test_a_vocative_names_who_is_spoken_to_never_the_speaker():
    assert vocatives("My dear Mr. Bennet, have you heard?") == ["Mr. Bennet"]
    assert vocatives("I am glad you are come back, Lizzy.") == ["Lizzy"]
    assert vocatives("Yes, sir, I will.") == []  # a title alone names no one


TEA_PARTY = '''"Have some wine," the March Hare said in an encouraging tone.

Alice looked all round the table, but there was nothing on it but tea.
"I don't see any wine," she remarked.

"There isn't any," said the March Hare.

"Then it wasn't very civil of you to offer it," said Alice angrily.

"I didn't know it was _your_ table," said Alice; "it's laid for a great
many more than three."

"Your hair wants cutting," said the Hatter. He had been looking at
Alice for some time with great curiosity, and this was his first
speech.

"You should learn not to make personal remarks," Alice said with some
severity; "it's very rude."

The Hatter opened his eyes very wide on hearing this; but all he _said_
was, "Why is a raven like a writing-desk?"
'''


def test_a_speech_tag_names_the_speaker_before_or_after_its_verb():
    who = said(TEA_PARTY)
    assert who["Have some wine,"] == "the March Hare"  # "the March Hare said"
    assert who["There isn't any,"] == "the March Hare"  # "said the March Hare"
    assert who["Your hair wants cutting,"] == "the Hatter"  # "Alice" after the tag is not
    assert who["You should learn not"] == "Alice"
    assert who["I don't see any"] == "Alice"  # "she remarked", after "Alice looked"


def test_a_quotation_continued_after_its_tag_is_the_same_speaker():
    who = said(TEA_PARTY)
    assert who["it's laid for a"] == "Alice"
    assert who["it's very rude."] == "Alice"


def test_a_tag_closing_the_narration_before_a_quotation():
    assert tag_before("Mr. Darcy felt their rudeness and immediately said,--").subject == \
        "Mr. Darcy"
    assert tag_before("She was met by Lydia, who, flying to her, cried,").subject == "Lydia"
    assert tag_before("Alice heard the Rabbit say,").subject == "the Rabbit"
    assert tag_before("It was a fine day, and the garden was full of roses.") is None
    assert tag_after("said her mother resentfully, ").subject == "her mother"
    assert tag_after("and they laughed.") is None


WATSON = '''"Which is it to-day?" I asked, "morphine or cocaine?"

He raised his eyes languidly from the old black-letter volume which he
had opened. "It is cocaine," he said, "a seven-per-cent. solution.
Would you care to try it?"

"No, indeed," I answered, brusquely. "My constitution has not got over
the Afghan campaign yet."

"My dear Watson, try a little analysis yourself," said he, with a touch
of impatience. "You know my methods."

"I cannot conceive anything which will cover the facts," I answered.

"They are hellish things," said he. "Are you game for a six-mile
trudge, Watson?"

"Certainly," I answered.
'''


def test_a_first_person_narrators_quotations_are_the_narrators_by_the_name_others_call():
    who = said(WATSON)
    assert who["Which is it to-day?"] == who["Certainly,"] == "Watson"
    assert who["It is cocaine,"] == who["They are hellish things,"] == ""  # "he": no name


def test_without_a_name_for_the_narrator_the_narrator_is_the_narrators():
    who = said(WATSON.replace("Watson", "my friend"))
    assert who["Which is it to-day?"] == "the narrator"


BUTTER = '''"I'll take my oath I put it down on that chair," said George, staring at the empty seat.

"I saw you do it myself, not a minute ago," said Harris.

Then they started round the room again looking for it; and then they met again in the centre, and stared at one another.

"Most extraordinary thing I ever heard of," said George.

"So mysterious!" said Harris.

Then George got round at the back of Harris and saw it.

"Why, here it is all the time," he exclaimed, indignantly.

"Where?" cried Harris, spinning round.

"Stand still, can't you!" roared George, flying after him.
'''


def test_the_characters_are_those_who_speak_and_a_gender_only_where_the_text_shows_one():
    _, book = speakers(BUTTER)
    # George is a man's given name; Harris, a surname, shows none
    assert [(c.name, c.gender) for c in book.characters] == [("George", "male"), ("Harris", "")]
    assert said(BUTTER)["Why, here it is"] == "George"  # he who got round, not Harris


def test_where_nothing_says_who_speaks_the_speaker_is_empty_not_a_guess():
    quotes, book = speakers('"Is anyone there?"\n\nThe wind blew.\n\n"Nobody at all."\n')
    assert [who for _, who in quotes] == ["", ""]
    assert book.characters == []


def test_outside_dialogue_quotations_have_no_speaker():
    book, _ = convert('He called it "the permanent revolution of the masses in every land '
                      'at once," and left.\n')
    assert [s.speaker for s in book.segments] == [None] * len(book.segments)


def names(text: str) -> list[tuple[str, list[str], str]]:
    speaking = [(name_at(m), True) for m in NAME.finditer("said Darcy. said Elizabeth.")]
    return [(c.name, c.aliases, c.gender) for c in gather(speaking, [text], [text])]


def test_a_characters_names_are_merged_and_its_gender_found():
    # sentences made of Pride and Prejudice's names
    text = ("Mr. Darcy danced only once. Darcy said nothing. Mr. Darcy looked at her, and he "
            "smiled. Mr. Darcy was proud. Mr. Fitzwilliam Darcy was spoken of. Fitzwilliam "
            "Darcy wrote it, and signed it Fitzwilliam Darcy. Elizabeth laughed; she could not "
            "help it. Elizabeth turned, and she went. Miss Darcy sang. Miss Darcy played.")
    found = names(text)
    assert ("Mr. Darcy", ["Darcy", "Fitzwilliam Darcy", "Mr. Fitzwilliam Darcy"], "male") in found
    assert ("Elizabeth", [], "female") in found  # from her pronouns
    assert ("Miss Darcy", [], "female") in found  # his sister is not him


def test_a_sentences_first_word_is_not_a_name():
    cast = Cast(gather([(name_at(NAME.match("Nobody")), False)],
                       ["Nobody said a word. nobody knew, nobody cared."], []))
    assert cast.characters == []


SMALL = '''"You are deceiving us, Small," said Athelney Jones, sternly.

"Go on with your story," said Holmes, shortly.

"I am telling you every work of the business just exactly as it happened," said Small.

He stopped, and held out his manacled hands for the whiskey-and-water
which Holmes had brewed for him. For myself, I confess that I had now
conceived the utmost horror of the man. Sherlock Holmes and Jones sat with
their hands upon their knees, deeply interested in the story, but with the
same disgust written upon their faces. He may have observed it, for there
was a touch of defiance in his voice and manner as he proceeded.

"It was all very bad, no doubt," said he. "I should like to know how
many fellows in my shoes would have refused a share of this loot."
'''


def test_a_pronoun_after_narration_is_the_one_the_narration_is_about():
    # lines of The Sign of the Four, chapter XII: "He stopped" is Small; Holmes and Jones,
    # named after him, only listen
    assert said(SMALL)["It was all very"] == "Small"


WONDERLAND = '''Down, down, down. There was nothing else to do, so Alice soon began
talking again. "Dinah'll miss me very much to-night, I should think!"

"It was much pleasanter at home," thought poor Alice, "when one wasn't
always growing larger and smaller."

The Queen turned angrily away from him, and said to the Knave "Turn them over!"
'''


def test_the_narration_just_before_a_quotation_names_its_speaker():
    who = said(WONDERLAND)
    assert who["Dinah'll miss me very"] == "Alice"  # "so Alice soon began talking"
    assert who["It was much pleasanter"] == who["when one wasn't always"] == "Alice"


def test_a_quotation_right_after_a_speech_verb_is_speech_with_its_speaker():
    quotes, _ = speakers(WONDERLAND)
    assert ('"Turn them over!"', "the Queen") in quotes  # said to the Knave "…"


BALL = '''"Well," said Charlotte, "I wish Jane success with all my heart."

"Mr. Darcy is all politeness," said Elizabeth, smiling.

She danced next with an officer, and had the refreshment of talking of
Wickham, and of hearing that he was universally liked. When those dances
were over she returned to Charlotte Lucas, and was in conversation with
her, when she found herself suddenly addressed by Mr. Darcy, who took
her so much by surprise in his application for her hand, that, without
knowing what she did, she accepted him. He walked away again
immediately, and she was left to fret over her own want of presence of
mind; Charlotte tried to console her.

"I dare say you will find him very agreeable."
'''


def test_the_sentence_ending_the_paragraph_before_an_untagged_quotation_names_its_speaker():
    # lines of Pride and Prejudice, chapters VI, IX and XVIII
    assert said(BALL)["I dare say you"] == "Charlotte"


LIBRARY = '''"But it must very materially lessen their chance of marrying men of any
consideration in the world," replied Darcy.

"I am astonished," said Miss Bingley, "that my father should have left
so small a collection of books.--What a delightful library you have at
Pemberley, Mr. Darcy!"

"It ought to be good," he replied, "it has been the work of many
generations."

"And then you have added so much to it yourself, you are always buying
books."

"I cannot comprehend the neglect of a family library in such days as
these."

"Neglect! I am sure you neglect nothing that can add to the beauties of
that noble place. Charles, when you build _your_ house, I wish it may be
half as delightful as Pemberley."

"I wish it may."

"But I would really advise you to make your purchase in that
neighbourhood, and take Pemberley for a kind of model. There is not a
finer county in England than Derbyshire."

"With all my heart; I will buy Pemberley itself if Darcy will sell it."
'''


def test_one_a_quotation_names_is_not_its_speaker():
    # Pride and Prejudice, chapter VIII: Bingley speaks (not named here as a speaker); the
    # turns alternate Miss Bingley and Darcy, but Darcy is spoken of in the last one
    assert said(LIBRARY)["With all my heart;"] == ""


def test_a_description_names_a_person_not_a_thing():
    # Pride and Prejudice, chapter XXXII: "her answer" is not the one who adds
    tag = tag_before("She found that she was to receive no other answer--and, after a short "
                     "pause, added,")
    assert (tag.subject, tag.kind) == ("she", "pronoun")


TRIAL = '''"Give your evidence," said the King.

"Shan't," said the cook.

The King looked anxiously at the White Rabbit, who said in a low voice,
"Your Majesty must cross-examine _this_ witness."

"Well, if I must, I must," the King said, with a melancholy air, and,
after folding his arms and frowning at the cook till his eyes were
nearly out of sight, he said in a deep voice, "What are tarts made of?"

"Pepper, mostly," said the cook.

"Treacle," said a sleepy voice behind her.
'''


def test_one_the_book_calls_by_a_description_in_its_tags_is_a_character():
    # Alice's Adventures in Wonderland, chapter XI
    who = said(TRIAL)
    assert who["Shan't,"] == who["Pepper, mostly,"] == "the cook"
    assert who["Your Majesty must cross-examine"] == "the White Rabbit"  # "…, who said"
    _, book = speakers(TRIAL)
    assert "the cook" in [c.name for c in book.characters]


def test_a_name_just_before_a_speech_verb_is_its_subject_after_a_conjunction_too():
    tag = tag_before("Alice began in a loud, indignant voice, but she stopped hastily, for the "
                     "White Rabbit cried out,")
    assert tag.subject == "the White Rabbit"  # not Alice, who began and stopped


PIG = '''"Oh, don't bother _me_," said the Duchess; "I never could abide
figures!" And with that she began nursing her child again, singing a

As soon as she had made out the proper way of nursing it, (which was to
twist it up into a sort of knot, and then keep tight hold of its right
ear and left foot, so as to prevent its undoing itself,) she carried it
out into the open air. "If I don't take this child away with me,"
thought Alice, "they're sure to kill it in a day or two: wouldn't it be
murder to leave it behind?" She said the last words out loud, and the
little thing grunted in reply (it had left off sneezing by this time).
"Don't grunt," said Alice; "that's not at all a proper way of
expressing yourself."

The baby grunted again, and Alice looked very anxiously into its face
to see what was the matter with it. There could be no doubt that it had
a _very_ turn-up nose, much more like a snout than a real nose; also
its eyes were getting extremely small for a baby: altogether Alice did
not like the look of the thing at all. "But perhaps it was only
sobbing," she thought, and looked into its eyes again, to see if there
were any tears.

'''


def test_a_pronoun_is_the_one_its_paragraph_names_even_the_last_speaker():
    # Alice's Adventures in Wonderland, chapter VI: Alice talks to herself; the Duchess,
    # the other woman of the scene, is not "she" here
    assert said(PIG)["But perhaps it was"] == "Alice"


def test_a_sentences_first_word_is_not_the_subject_of_its_tag():
    tag = tag_before("To interrupt a silence which might make him fancy her affected with what "
                     "had passed, she soon afterwards said,")
    assert (tag.subject, tag.kind) == ("she", "pronoun")


# ---- the script: `speaker:` on a quotation, `characters:` in the book's header -----------

def fiction(source):
    """The script of a source read as a novel (too short to show it by its tags alone)."""
    from narrate import script

    return script(source, dialogue=True)


@pytest.fixture
def novel(tmp_path):
    """Pride and Prejudice's opening and Alice's tea party as one source, its script
    written as a build writes it (with its base)."""
    from narrate.edits import keep_script

    source = tmp_path / "novel.txt"
    source.write_text(BENNETS + "\n" + TEA_PARTY)
    path = tmp_path / "script.yaml"
    keep_script(fiction(source), fiction(source), path)
    return source, path


def test_the_script_names_each_quotations_speaker_and_lists_the_characters(novel):
    from narrate.scriptfile import load_script

    _, path = novel
    text = path.read_text()
    assert "speaker: Mrs. Bennet" in text and "speaker: the Hatter" in text
    assert "  characters:\n    Mrs. Bennet:\n      gender: female\n" in text  # the header
    assert "role: quote\n      speaker: Mrs. Bennet\n      text:" in text  # said, then what
    book = load_script(path)
    assert ("the March Hare" in {c.name for c in book.characters}
            and {s.speaker for s in book.segments if s.role == "quote"} >= {"Alice", "Mr. Bennet"})
    assert {s.speaker for s in book.segments if s.role == "narrator"} == {None}


def test_the_seed_essays_quotations_have_no_speaker(seed_book):
    from narrate.scriptfile import to_yaml

    book, _ = seed_book
    assert [s for s in book.segments if s.role == "quote"]  # it quotes, as an essay does
    assert "speaker:" not in to_yaml(book) and book.characters == []


def test_a_speaker_changed_by_hand_is_kept_when_the_source_changes(novel):
    from narrate.edits import compose

    source, path = novel
    text = path.read_text()
    line = 'speaker: Mr. Bennet\n      text: \'"What is his name?"\''
    assert line in text
    path.write_text(text.replace(line, line.replace("Mr. Bennet", "Alice")))
    source.write_text(source.read_text().replace("There isn't any", "There isn't any at all"))
    composed, lines = compose(fiction(source), path)
    said = {s.text: s.speaker for s in composed.segments}
    assert said['"What is his name?"'] == "Alice"  # the edit, kept
    assert said['"There isn\'t any at all,"'] == "the March Hare"  # the source's change, taken
    assert "your edits to 1 part of" in lines[0]


def test_a_users_characters_in_the_script_are_kept_when_the_source_changes(novel):
    from narrate.edits import compose

    source, path = novel
    text = path.read_text()
    path.write_text(text.replace("    Alice:\n      gender: female\n", "    Alice:\n"
                                 "      aliases:\n      - the child\n      gender: female\n"))
    source.write_text(source.read_text().replace("Bingley.", "Mr. Bingley."))
    composed, _ = compose(fiction(source), path)
    alice = next(c for c in composed.characters if c.name == "Alice")
    assert alice.aliases == ["the child"] and alice.gender == "female"


def test_a_users_characters_in_the_metadata_win(tmp_path):
    from narrate import script

    source = tmp_path / "party.txt"
    source.write_text(TEA_PARTY)
    (tmp_path / "party.yaml").write_text(
        "title: A Mad Tea-Party\ncharacters:\n  Hatter:\n    aliases: [the Hatter]\n"
        "    gender: male\n    voice: ''\n  Dormouse: {}\n")
    book = script(source)  # a user's characters ask for speakers in any book
    said = {s.text: s.speaker for s in book.segments}
    assert said['"Your hair wants cutting,"'] == "Hatter"  # their name for him
    assert ("Hatter", ["the Hatter"], "male") in [(c.name, c.aliases, c.gender)
                                                  for c in book.characters]
    assert "the Hatter" not in {c.name for c in book.characters}  # theirs, not a second one
    assert "Dormouse" in {c.name for c in book.characters}  # theirs, though silent here


def test_the_speaker_is_not_in_the_audio_key(novel):
    from narrate.render import book_items
    from narrate.render.cache import audio_key
    from narrate.scriptfile import load_script

    _, path = novel
    book = load_script(path)
    keys = [audio_key(i.say, "voice") for i in book_items(book)]
    for segment in book.segments:
        segment.speaker = "Alice" if segment.speaker is not None else None
    assert [audio_key(i.say, "voice") for i in book_items(book)] == keys


def test_a_speaker_naming_no_character_is_a_warning_with_the_nearest_names(novel):
    from narrate.plan import load_book

    _, path = novel
    text = path.read_text()
    path.write_text(text.replace("speaker: the Hatter", "speaker: the Hater", 1))
    warnings: list = []
    book = load_book(path, warnings=warnings)
    line = next(w for w in warnings if "the Hater" in w)
    number = text[:text.index("speaker: the Hatter")].count("\n") - 1  # the entry's line
    assert f"script.yaml:{number}" in line or f"script.yaml:{number + 1}" in line, line
    assert "'the Hatter'" in line and "quote voice" in line
    assert "the Hater" in {s.speaker for s in book.segments}  # the user's file, as they wrote it


@pytest.mark.e2e
@pytest.mark.parametrize("entry, needles", [
    ("characters:\n  Alice: female\n", ["party.yaml:3", "'Alice'", "mapping"]),
    ("characters:\n  Alice:\n    gender: woman\n", ["party.yaml:4", "'woman'", "male or female"]),
    ("characters:\n  Alice:\n    aliases: Lizzy\n", ["party.yaml:4", "list of names"]),
    ("characters:\n  Alice:\n    colour: blue\n", ["'colour'", "aliases"]),
    ("characters:\n- Alice\n", ["party.yaml", "`characters` must be"]),
])
def test_a_bad_characters_entry_stops_before_any_work_in_one_line(tmp_path, entry, needles):
    from test_reliability import one_line_error, run

    source = tmp_path / "party.txt"
    source.write_text(TEA_PARTY)
    (tmp_path / "party.yaml").write_text("title: A Mad Tea-Party\n" + entry)
    result = run("build", source, "--out", tmp_path / "out")
    one_line_error(result, *needles)
    assert not (tmp_path / "out").exists()  # before any work


# ---- narrate cast ----------------------------------------------------------------------

def test_cast_lists_each_character_with_their_lines_and_the_first(novel):
    import narrate

    found = narrate.cast(novel[1])  # the script, as a build left it
    hatter = next(e for e in found.characters if e.name == "the Hatter")
    assert (hatter.lines, hatter.first, hatter.gender) == (2, '"Your hair wants cutting,"', "male")
    lines = [e.lines for e in found.characters]
    assert lines == sorted(lines, reverse=True) and found.dialogue
    assert sum(lines) + found.unknown == sum(
        1 for s in narrate.script(novel[1]).segments if s.role == "quote")


@pytest.mark.e2e
def test_narrate_cast_prints_the_characters_and_says_when_a_book_has_none(novel):
    from conftest import SEED
    from test_reliability import run

    printed = run("cast", novel[1])
    assert printed.returncode == 0, printed.stderr
    rows = printed.stdout.splitlines()
    assert rows[0].startswith("Mrs. Bennet") and " lines  female  gmw/en-US+" in rows[0]
    assert " 01.001.1 " in rows[0]  # her first line
    assert "characters;" in rows[-1]
    essay = run("cast", SEED)
    assert essay.returncode == 0 and essay.stdout.startswith("no characters:")



# Pride and Prejudice, chapters V, XXII and XXX (shortened)
AT_THE_PARSONAGE = '''"That is very true," replied Elizabeth, "and I could easily forgive
_his_ pride, if he had not mortified _mine_."

[chapter XXII]

Charlotte assured her friend of her satisfaction in being useful, and
that it amply repaid her for the little sacrifice of her time.

[...]

But Elizabeth had now recollected herself, and making a strong effort
for it, was able to assure her with tolerable firmness that the prospect
of their relationship was highly grateful to her, and that she wished
her all imaginable happiness.

"I see what you are feeling," replied Charlotte.

[chapter XXX]

Mr. Collins returned the gentlemen accompanied him. Charlotte had seen
them from her husband's room, crossing the road, and immediately running
into the other, told the girls what an honour they might expect, adding,

"I may thank you, Eliza, for this piece of civility. Mr. Darcy would
never have come so soon to wait upon me."

Elizabeth had scarcely time to disclaim all right to the compliment,
before their approach was announced by the door-bell, and shortly
afterwards the three gentlemen entered the room. Colonel Fitzwilliam,
who led the way, was about thirty, not handsome, but in person and
address most truly the gentleman. Mr. Darcy looked just as he had been
used to look in Hertfordshire, paid his compliments, with his usual
reserve, to Mrs. Collins; and whatever might be his feelings towards her
friend, met her with every appearance of composure. Elizabeth merely
curtseyed to him, without saying a word.

Colonel Fitzwilliam entered into conversation directly with the
readiness and ease of a well-bred man, and talked very pleasantly; but
his cousin, after having addressed a slight observation on the house and
garden to Mrs. Collins, sat for some time without speaking to any body.
At length, however, his civility was so far awakened as to enquire of
Elizabeth after the health of her family. She answered him in the usual
way, and after a moment's pause, added,

"My eldest sister has been in town these three months. Have you never
happened to see her there?"
'''


def test_a_pronoun_is_the_last_of_its_gender_the_narration_named_not_the_last_speaker():
    # "She answered him": Elizabeth, whom the narration named last, not Charlotte, who
    # spoke before
    assert said(AT_THE_PARSONAGE)["My eldest sister has"] == "Elizabeth"


# Pride and Prejudice, chapter VI
SIR_WILLIAM_BEGAN = '''Mr. Darcy stood near them in silent indignation at such a mode of
passing the evening, to the exclusion of all conversation, and was too
much engrossed by his own thoughts to perceive that Sir William Lucas
was his neighbour, till Sir William thus began.

"What a charming amusement for young people this is, Mr. Darcy!--There
is nothing like dancing after all."

"Certainly, Sir;--and it has the advantage also of being in vogue
amongst the less polished societies of the world.--Every savage can
dance."

Sir William only smiled. "Your friend performs delightfully;" he
continued after a pause, on seeing Bingley join the group;--"and I doubt
not that you are an adept in the science yourself, Mr. Darcy."
'''


def test_the_narration_before_a_quotation_names_its_speaker_not_the_one_it_speaks_to():
    who = said(SIR_WILLIAM_BEGAN)
    assert who["What a charming amusement"] == "Sir William"  # not Mr. Darcy, called to
    assert who["Certainly, Sir;--and it has"] == "Mr. Darcy"


# Pride and Prejudice, chapters V, XI and XL
NO_ANSWER = '''"That is very true," replied Elizabeth, "and I could easily forgive
_his_ pride, if he had not mortified _mine_."

[chapter XI]

When the ladies removed after dinner, Elizabeth ran up to her sister, and
seeing her well guarded from cold, attended her into the drawing-room.

[chapter XL]

"Well, Lizzy," said Mrs. Bennet one day, "what is your opinion _now_ of
this sad business of Jane's? For my part, I am determined never to speak
of it again to anybody. I told my sister Philips so the other day. But I
cannot find out that Jane saw any thing of him in London. Well, he is a
very undeserving young man--and I do not suppose there is the least
chance in the world of her ever getting him now. There is no talk of his
coming to Netherfield again in the summer; and I have enquired of every
body too, who is likely to know."

"I do not believe that he will ever live at Netherfield any more."

"Oh, well! it is just as he chooses. Nobody wants him to come. Though I
shall always say that he used my daughter extremely ill; and if I was
her, I would not have put up with it. Well, my comfort is, I am sure
Jane will die of a broken heart, and then he will be sorry for what he
has done."

But as Elizabeth could not receive comfort from any such expectation,
she made no answer.

"Well, Lizzy," continued her mother soon afterwards, "and so the
Collinses live very comfortable, do they? Well, well, I only hope it
will last. And what sort of table do they keep? Charlotte is an
excellent manager, I dare say. If she is half as sharp as her mother,
'''


def test_after_the_one_spoken_to_makes_no_answer_the_last_speaker_goes_on():
    # "she made no answer": Elizabeth, spoken to; her mother goes on
    assert said(NO_ANSWER)["and so the Collinses"] == "Mrs. Bennet"



# Pride and Prejudice, chapter II
HER_MOTHER = '''Mr. Bennet was among the earliest of those who waited on Mr. Bingley. He
had always intended to visit him, though to the last always assuring his
wife that he should not go; and till the evening after the visit was
paid, she had no knowledge of it. It was then disclosed in the following
manner. Observing his second daughter employed in trimming a hat, he
suddenly addressed her with,

"I hope Mr. Bingley will like it Lizzy."

"We are not in a way to know _what_ Mr. Bingley likes," said her mother
resentfully, "since we are not to visit."

"But you forget, mama," said Elizabeth, "that we shall meet him at the
assemblies, and that Mrs. Long has promised to introduce him."

"I do not believe Mrs. Long will do any such thing. She has two nieces
of her own. She is a selfish, hypocritical woman, and I have no opinion
of her."

"No more have I," said Mr. Bennet; "and I am glad to find that you do
not depend on her serving you."

Mrs. Bennet deigned not to make any reply; but unable to contain
herself, began scolding one of her daughters.

"Don't keep coughing so, Kitty, for heaven's sake! Have a little
compassion on my nerves. You tear them to pieces."

"Kitty has no discretion in her coughs," said her father; "she times
them ill."

"I do not cough for my own amusement," replied Kitty fretfully.

"When is your next ball to be, Lizzy?"

"To-morrow fortnight."

"Aye, so it is," cried her mother, "and Mrs. Long does not come back
till the day before; so, it will be impossible for her to introduce him,
for she will not know him herself."
'''


def test_a_relative_in_a_tag_is_of_one_whose_family_name_is_known():
    # "cried her mother" after Lizzy spoke: Lizzy's surname unknown (the cast as narrate
    # finds it in the whole novel: Lizzy apart from Elizabeth Bennet), the mother of
    # another lady of the conversation whose surname is known: Mrs. Bennet
    cast = {"Elizabeth": {"aliases": ["Elizabeth Bennet"], "gender": "female"},
            "Lizzy": {"gender": "female"}, "Kitty": {"gender": "female"},
            "Mrs. Bennet": {"gender": "female"}, "Mr. Bennet": {"gender": "male"}}
    book, _ = convert(HER_MOTHER, ConvertOptions(dialogue=True), {"characters": cast})
    who = {" ".join(s.text.strip("“”\"").split()[:4]): s.speaker for s in book.segments
           if s.role == "quote"}
    assert who["Aye, so it is,"] == "Mrs. Bennet"


def test_a_pet_form_of_a_given_name_is_the_same_character():
    # sentences made of Pride and Prejudice's names: Lizzy and Eliza are Elizabeth; Kitty
    # is not Lady Catherine (no one calls a Lady by a pet name)
    text = ("Elizabeth Bennet laughed. Elizabeth smiled; she was pleased. Lizzy, said her "
            "father. Lizzy ran. Miss Eliza danced. Miss Eliza sang. Lady Catherine spoke. Lady "
            "Catherine frowned; she was cross. Catherine de Bourgh was proud. Kitty coughed. "
            "Kitty cried.")
    speaking = [(name_at(m), True) for m in NAME.finditer("said Lizzy. said Kitty. said Elizabeth.")]
    found = {c.name: set(c.names) for c in gather(speaking, [text], [text])}
    assert {"Elizabeth", "Lizzy", "Miss Eliza"} in found.values()
    assert {"Kitty"} in found.values() and {"Lady Catherine"} in found.values()


def test_a_pet_form_shared_by_two_given_names_is_not_merged():
    # Kitty may be Catherine or Katherine: with both in the book, no guess
    text = ("Catherine Price sang. Catherine sat. Katherine Hale ran. Katherine wept. "
            "Kitty ran. Kitty sat.")
    speaking = [(name_at(m), True) for m in NAME.finditer("said Kitty. said Catherine.")]
    found = {c.name for c in gather(speaking, [text], [text])}
    assert "Kitty" in found


SET_DOWN = '''"Here! you may nurse it a bit, if you like!" the Duchess said to Alice, flinging
the baby at her as she spoke, and she hurried out of the room.

Alice caught the baby with some difficulty, as she held it. Alice thought she might well
take it out of the house.

"If you're going to turn into a pig, my dear," said Alice, seriously, "I'll have
nothing more to do with you. Mind now!" The poor little thing sobbed again, and they went
on for some while in silence.

Alice was just beginning to think to herself, "Now, what am I to do with this creature
when I get it home?" when it grunted again, so violently, that she looked down into its
face in some alarm.

So she set the little creature down, and felt quite relieved to see it trot away quietly
into the wood. "If it had grown up," she said to herself, "it would have made a dreadfully
ugly child."

"It's a Cheshire cat," said the Duchess, "and that's why."
'''


def test_a_pronoun_is_the_one_the_narration_since_the_last_turn_follows_even_its_speaker():
    # Alice's Adventures in Wonderland, chapter VI (shortened): "So she set the little
    # creature down" is Alice, who spoke last; turns alternate, but the narration says who
    assert said(SET_DOWN)["If it had grown"] == "Alice"


TO_HERSELF = '''"Here! you may nurse it a bit, if you like!" the Duchess said to Alice, flinging
the baby at her as she spoke.

Alice caught the baby with some difficulty, as she held it. Alice thought she might well
take it out of the house.

"Now, what am I to do with this creature when I get it home?" said Alice.

"If it had grown up," she said to herself, "it would have made a dreadfully ugly child."
'''


def test_one_talking_to_herself_right_after_her_own_turn_is_still_herself():
    # Alice's Adventures in Wonderland, chapter VI (shortened): turns alternate, but
    # "said to herself" is no answer to anyone
    assert said(TO_HERSELF)["If it had grown"] == "Alice"


SHOOK = '''"Is it not clear enough?" said Jane. "Can there be any other opinion on the subject?"

"Yes, there can," said Elizabeth; "for mine is totally different.--Will you hear it?"

"Most willingly."

"You shall have it in few words. Miss Bingley sees that her brother is in love with you."

Jane shook her head.

"Indeed, Jane, you ought to believe me.--No one who has ever seen you together, can doubt
his affection."
'''


def test_one_who_answers_without_a_word_is_called_by_the_last_speaker_going_on():
    # Pride and Prejudice, chapter XXI (shortened): Jane shakes her head, and Elizabeth,
    # calling her by name, goes on
    assert said(SHOOK)["Indeed, Jane, you ought"] == "Elizabeth"


TIMID = '''"Oh my ears and whiskers, how late it's getting!" said the Rabbit.

"Curiouser and curiouser!" cried Alice. Alice looked up, and she was quite surprised.
Alice sat down again, and she cried.

It was the White Rabbit returning, splendidly dressed. Alice felt so desperate that she
was ready to ask help of any one; so, when the Rabbit came near her, she began, in a low,
timid voice, "If you please, sir--" The Rabbit started violently.
'''


def test_a_pronoun_is_one_known_to_be_of_its_gender_before_one_of_none_known():
    # Alice's Adventures in Wonderland, chapter II (shortened): the Rabbit, whose gender
    # the passage does not show, is named last, but "she" is Alice
    assert said(TIMID)["If you please, sir--"] == "Alice"


BEGAN = '''"I have not the pleasure of understanding you," said Mrs. Bennet to Elizabeth.

Mrs. Bennet and Kitty walked off, and as soon as they were gone Mr. Collins began.

"Believe me, my dear Miss Elizabeth, that your modesty rather adds to your other
perfections."

"What a charming amusement for young people this is," said Mr. Darcy.

Mr. Darcy stood near them in silent indignation, till Sir William thus began.

"There is nothing like dancing after all."
'''


def test_narration_ending_with_one_who_began_introduces_the_next_quotation():
    # Pride and Prejudice, chapters VI and XIX (shortened): "Mr. Collins began." ends the
    # paragraph before his quotation; "thus" between a name and its verb
    who = said(BEGAN)
    assert who["Believe me, my dear"] == "Mr. Collins"
    assert who["There is nothing like"] == "Sir William"


SAID_TO = '''"Yes, mamma," said Elizabeth.

"Girls, come here, and tell me all about it," said Mrs. Bennet.

"It has been a very agreeable day," said Jane to Elizabeth. "The party seemed so well
selected."

"Indeed it was; and he was the most agreeable of them all."
'''


def test_the_one_a_tag_says_a_quotation_is_said_to_answers_it():
    # Pride and Prejudice, chapter LIV (shortened): "said Jane to Elizabeth": Elizabeth
    # answers, not Mrs. Bennet, who spoke before
    assert said(SAID_TO)["Indeed it was; and"] == "Elizabeth"


WENT_ON = '''"You are mistaken, Mr. Darcy," said Elizabeth, "if you suppose that the mode of your
declaration affected me."

"Is that your answer?" said Mr. Darcy.

"You could not have made me the offer of your hand in any possible way," said Elizabeth.

Again his astonishment was obvious; and he looked at her with an expression of mingled
incredulity and mortification. She went on.

"From the very beginning, your manners impressed me with your arrogance."
'''


def test_narration_ending_she_went_on_introduces_her_next_quotation():
    # Pride and Prejudice, chapter XXXIV (shortened): not his turn, though turns alternate
    assert said(WENT_ON)["From the very beginning,"] == "Elizabeth"


HAYE_PARK = '''"I hope Jane will be very happy," said Mrs. Bennet. She looked at her daughter, and she
smiled.

"She will be," said Jane. Jane laughed; she could not help it. Jane sat, and she sighed.

It was a fortnight since Mrs. Bennet had been down stairs, but on this happy day, she again
took her seat at the head of her table. The marriage of a daughter, which had been the
first object of her wishes, since Jane was sixteen, was now on the point of
accomplishment. She was busily searching through the neighbourhood for a proper situation
for her daughter.

"Haye-Park might do," said she, "if the Gouldings would quit it."
'''


def test_a_pronoun_inside_a_sentence_is_the_one_named_before_it_there():
    # Pride and Prejudice, chapter L (shortened): "since Mrs. Bennet had been down stairs,
    # … she again took her seat": the narration is about her, though Jane is named last
    assert said(HAYE_PARK)["Haye-Park might do,"] == "Mrs. Bennet"


ECHO = '''"I have come to you," said Miss Morstan, "because you once enabled my employer, Mrs.
Cecil Forrester, to unravel a little domestic complication."

"Mrs. Cecil Forrester," Holmes repeated thoughtfully. "I believe that I was of some slight
service to her."

"She did not think so. But at least you cannot say the same of mine."
'''


def test_a_name_echoed_is_not_called_to():
    # The Sign of the Four, chapter II (shortened): Holmes repeats a name; she answers
    assert said(ECHO)["She did not think"] == "Miss Morstan"


SAYING = '''"I hope your sister is well," said Mr. Darcy.

"Very well," said Elizabeth. Elizabeth smiled, and she looked away. Elizabeth sat down, and
she sighed.

He made a slight bow. She felt the silence awkward, and at last she seized the opportunity
of saying,

"Is your sister at Pemberley still?"

"Oh dear, oh dear!" said the White Rabbit. "I shall be too late!"

"Curiouser and curiouser!" cried Alice.

Alice looked about her, and she wondered. However, when she had looked under the table,
she went on saying to herself, "and in that case I can go back by railway."
'''


def test_a_speech_verb_as_a_participle_is_a_tag_and_a_sentences_adverb_no_name():
    # Pride and Prejudice, chapter XLV; Alice's Adventures in Wonderland, chapter II
    # (shortened): "she seized the opportunity of saying," and "However, …, she went on
    # saying to herself" introduce their speakers' quotations; "However" is no one
    quotes, book = speakers(SAYING)
    who = {q.strip("“”\"").split()[0]: speaker for q, speaker in quotes}
    assert who["Is"] == "Elizabeth"
    assert who["and"] == "Alice"
    assert "However" not in {c.name for c in book.characters}


MOTHER_HERSELF = '''"My dear Mr. Bennet," said Mrs. Bennet, "have you heard that Netherfield is let?"

Mr. Bennet was among the earliest of those who waited on Mr. Bingley. He had always
intended to visit him, though to the last always assuring his wife that he should not go;
and till the evening after the visit was paid, she had no knowledge of it. It was then
disclosed in the following manner. He had gone out early, and he came back late, and he said
nothing of where he had been to anyone in the house, though they asked him more than once.
Observing his second daughter employed in trimming a hat, he suddenly addressed her.

"I hope Mr. Bingley will like it," said Mr. Bennet. "What say you, Kitty?"

"We are not in a way to know what Mr. Bingley likes," said her mother resentfully.
'''


def test_her_mother_is_the_mother_though_her_is_taken_for_the_mother_herself():
    # Pride and Prejudice, chapter II (shortened): the daughter is not named, so "her" is
    # taken for Mrs. Bennet, who is the mother herself
    assert said(MOTHER_HERSELF)["We are not in"] == "Mrs. Bennet"


FIDGETS = '''"It is no such thing," said Mrs. Bennet. "Lydia does not leave me because she is married."

"I am sure she does not," said Jane. Jane sat down, and she sighed. Jane smiled; she was glad.

But the spiritless condition which this event threw her into, was shortly relieved, and her
mind opened again to the agitation of hope, by an article of news, which then began to be in
circulation. The housekeeper at Netherfield had received orders to prepare for the arrival of
her master, who was coming down in a day or two, to shoot there for several weeks, and the
whole neighbourhood talked of nothing else. Mrs. Bennet was quite in the fidgets. She looked
at Jane, and smiled, and shook her head by turns.

"Well, well, and so Mr. Bingley is coming down, sister."
'''


def test_a_pronoun_opening_the_sentence_before_an_untagged_quotation_names_its_speaker():
    # Pride and Prejudice, chapter LIII (shortened): "She looked at Jane" is Mrs. Bennet
    assert said(FIDGETS)["Well, well, and so"] == "Mrs. Bennet"


TOLD = '''"You are in better spirits to-day," I said.

Sherlock Holmes had been in a state of the blackest depression for some days, and I had
left him to himself, as I had learned to do; but this morning he had come down early, and
he had read his letters at the breakfast-table with every sign of interest, and when the
messenger came he had sent him off at once with an answer, and had then sat for an hour in
silence, with his long thin fingers pressed together, and his eyes upon the ceiling.

"There is no great mystery in this matter," said Holmes, taking the paper from me.

"What! you have solved it already?"
'''


def test_a_first_person_narrator_is_in_every_conversation_they_tell():
    # The Sign of the Four, chapter II (shortened): the one Holmes answers is the narrator
    assert said(TOLD)["What! you have solved"] == "the narrator"


ADDED = '''"I have never had a cross word from him in my life," said Mrs. Reynolds.

"He is certainly a good brother," said Elizabeth, as she walked towards one of the windows.
Elizabeth smiled, and she looked out.

Mrs. Reynolds anticipated Miss Darcy's delight, when she should enter the room. "And this
is always the way with him," she added.
'''


def test_she_added_is_the_one_the_narration_since_shows_not_the_last_speaker():
    # Pride and Prejudice, chapter XLIII (shortened): "added" carries on a speech, but the
    # narration between names the housekeeper
    assert said(ADDED)["And this is always"] == "Mrs. Reynolds"


HER_FATHER = '''"I have not heard of it," said Mr. Bennet.

"Thank you, I will," said Miss Elizabeth Bennet. "Do you dance, Mr. Bingley?"

"Whenever I can," said Mr. Bingley. Elizabeth smiled, and she danced with him. Elizabeth
laughed; she was happy.

The surprise of the rest of the family, on hearing who their visitor had been, was very
great; but they obligingly satisfied it, with the same kind of supposition which had
appeased every curiosity before, and the talk of the house was all of Mr. Bingley, and of
his sisters, and of his friend, and of the ball that was to be given at Netherfield, for a
week together. The next morning, as she was going down stairs, she was met by her father,
who came out of his library with a letter in his hand.

"Lizzy," said he, "I was going to look for you; come into my room."
'''


def test_a_relative_the_narration_names_by_kin_is_the_one_a_pronoun_stands_for():
    # Pride and Prejudice, chapter LVII (shortened): "she was met by her father": "said
    # he" is Mr. Bennet, not Mr. Bingley, the man the narration named last
    assert said(HER_FATHER)["Lizzy,"] == "Mr. Bennet"


# Pride and Prejudice, chapters II and III, lines cut short; no pronoun says who is a woman
TWO_BENNETS = '''"No more have I," said Mr. Bennet; "and I am glad to find that you do
not depend on her serving you."

Elizabeth Bennet had been obliged to sit down for two dances.

"I think she will," said Elizabeth Bennet.

"Not I," said Elizabeth.

"Then I have done," said Mr. Bennet.
'''


def test_a_man_by_his_title_and_a_woman_by_her_given_name_are_never_one_character():
    quotes, book = speakers(TWO_BENNETS)
    by_name = {c.name: c for c in book.characters}
    assert by_name["Mr. Bennet"].aliases == [] and by_name["Mr. Bennet"].gender == "male"
    assert "Elizabeth" in by_name["Elizabeth Bennet"].aliases
    assert by_name["Elizabeth Bennet"].gender == "female"  # her given name says so
    assert [who for _, who in quotes] == ["Mr. Bennet", "Mr. Bennet", "Elizabeth Bennet",
                                          "Elizabeth Bennet", "Mr. Bennet"]


def test_a_given_name_shows_a_gender_a_surname_title_does_not_hide():
    from narrate.convert.characters import Name
    assert Name("", False, ("Elizabeth", "Bennet")).gender == "female"
    assert Name("", False, ("Bill",)).gender == "male"  # a pet form: William
    assert Name("Mr", False, ("Bennet",)).gender == "male"
    assert Name("Dr", False, ("Thomas",)).gender == ""  # a surname, not a given name


# Alice's Adventures in Wonderland, chapters IX and X, cut short
LOBSTER = '''"Ten hours the first day," said the Mock Turtle: "nine the next, and so
on."

"What a curious plan!" exclaimed Alice.

"Of course it was," said the Mock Turtle.

The Mock Turtle sighed deeply, and drew the back of one flapper across
his eyes. He looked at Alice, and tried to speak, but for a minute or
two sobs choked his voice. "Same as if he had a bone in his throat,"
said the Gryphon: and it set to work shaking him and punching him in
the back. At last the Mock Turtle recovered his voice, and, with tears
running down his cheeks, he went on again:--

"You may not have lived much under the sea--" ("I haven't," said
Alice)--"and perhaps you were never even introduced to a lobster--"
(Alice began to say "I once tasted--" but checked herself hastily, and
said "No, never") "--so you can have no idea what a delightful thing a
Lobster Quadrille is!"

"No, indeed," said Alice. "What sort of a dance is it?"
'''


def test_a_quotation_in_parentheses_inside_another_has_its_own_speaker():
    quotes, _ = speakers(LOBSTER)
    who = {q.strip('"()- ').split(",")[0][:20]: speaker for q, speaker in quotes}
    assert who["I haven't"] == "Alice"  # its own quotation, its own tag
    assert who["I once tasted"] == "Alice" and who["No"] == "Alice"  # "(Alice began to say"
    # the quotation around them goes on in its own speaker's voice, "he went on" (the
    # sieve reads "he" as the Gryphon here: the Mock Turtle's name is in its clause)
    outer = {who["You may not have liv"], who["and perhaps you were"], who["so you can have no i"]}
    assert len(outer) == 1 and outer.pop() not in ("Alice", "")


def test_a_bare_surname_brings_in_no_one_whose_given_name_shows_no_gender():
    # sentences made of Pride and Prejudice's names; Kezia, a given name narrate has no
    # gender for, is no more Mr. Bennet than Elizabeth is
    text = ("Mr. Bennet read. Mr. Bennet smiled. Bennet was silent. Bennet laughed. "
            "Kezia Bennet sang. Kezia Bennet played. Elizabeth Bennet walked. "
            "Elizabeth Bennet ran.")
    speaking = [(name_at(m), True) for m in NAME.finditer("said Mr. Bennet. said Bennet.")]
    found = [(c.name, c.aliases, c.gender) for c in gather(speaking, [text], [text])]
    assert ("Mr. Bennet", ["Bennet"], "male") in found
    assert not any("Kezia Bennet" in aliases for _, aliases, _ in found)
